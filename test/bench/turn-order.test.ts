import { describe, expect, it } from 'vitest';
import { turnOrder } from '../../bench/measure.ts';

describe('bench: commands measured in turn', () => {
  it('runs every command once a round, backwards every other round', () => {
    expect(turnOrder(4, 3)).toEqual([
      [0, 1, 2],
      [2, 1, 0],
      [0, 1, 2],
      [2, 1, 0],
    ]);
  });

  it('gives each command the same number of first and last places over an even number of rounds', () => {
    const rounds = turnOrder(6, 2);
    expect(rounds.filter((r) => r[0] === 0)).toHaveLength(3);
    expect(rounds.filter((r) => r[0] === 1)).toHaveLength(3);
  });
});
