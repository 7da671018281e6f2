/**
 * A release tag always means the same bytes: stable and custom release
 * folders are written by the command line only with vendored addon charts
 * (air-gapped management clusters need them, and a published tag must not
 * exist in two variants); development builds (hash mode) may be unvendored,
 * and then carry another tag than the vendored build of the same content.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { releaseCommand } from '../../../cli/commands/release.ts';
import { createTgz, readTgz } from '../../../lib/bytes/tgz.ts';
import type { ChartSource } from '../../../lib/release/vendor.ts';
import { readTree, tempRoot, tinyStack, TINY_NAME, TINY_RECORD } from './test-stack.ts';

const STABLE = { kind: 'stable' } as const;

/** A local chart folder holding the tiny stack's only dependency, metrics-server 3.13.0, as an archive. */
function chartFolder(): ChartSource {
  const dir = join(tempRoot(), 'charts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics-server-3.13.0.tgz'), createTgz([{ path: 'metrics-server/Chart.yaml', content: 'apiVersion: v2\nname: metrics-server\nversion: 3.13.0\n' }]));
  return { kind: 'folder', path: dir };
}

describe('a tag always means the same bytes', () => {
  it('stable mode without vendoring (as the command line runs it): records and dist/ are written, no release folder', async () => {
    const r = tempRoot();
    const summary = await releaseCommand({ root: r, definitions: [tinyStack()], mode: STABLE, releaseDir: join(r, 'release'), foldersOnlyVendored: true });
    expect(summary.wroteReleaseFolders).toBe(false);
    expect(existsSync(join(r, 'release'))).toBe(false);
    expect(JSON.parse(readFileSync(join(r, TINY_RECORD), 'utf8')).clusterStack).toBe('v1');
    expect(existsSync(join(r, 'dist', 'docker', 'tiny', '1-34', 'cluster-class.yaml'))).toBe(true);
  });

  it('stable mode with vendoring writes the folder, the charts inside the addon archive, reproducibly', async () => {
    const source = chartFolder();
    const trees = [];
    for (let i = 0; i < 2; i++) {
      const r = tempRoot();
      const summary = await releaseCommand({ root: r, definitions: [tinyStack()], mode: STABLE, releaseDir: join(r, 'release'), foldersOnlyVendored: true, vendor: source });
      expect(summary.wroteReleaseFolders).toBe(true);
      trees.push(readTree(join(r, 'release')));
    }
    expect(trees[0]).toEqual(trees[1]);
    const archive = trees[0].get(`${TINY_NAME}-v1/${TINY_NAME}-cluster-addon-v1.tgz`) as Buffer;
    expect([...(await readTgz(archive, 'addon archive')).keys()]).toContain('metrics-server/charts/metrics-server-3.13.0.tgz');
  });

  it('custom mode without vendoring writes no folder either', async () => {
    const r = tempRoot();
    const summary = await releaseCommand({ root: r, definitions: [tinyStack()], mode: { kind: 'custom', versions: { clusterStack: StackVersion.stable(7), clusterAddon: StackVersion.stable(7), nodeImage: StackVersion.stable(7) } }, releaseDir: join(r, 'release'), foldersOnlyVendored: true });
    expect(summary.wroteReleaseFolders).toBe(false);
    expect(existsSync(join(r, 'release'))).toBe(false);
  });

  it('hash mode: an unvendored development build is written, and a vendored one of the same content gets another tag', async () => {
    const r = tempRoot();
    const plain = await releaseCommand({ root: r, definitions: [tinyStack()], mode: { kind: 'hash' }, releaseDir: join(r, 'plain'), foldersOnlyVendored: true });
    const vendored = await releaseCommand({ root: r, definitions: [tinyStack()], mode: { kind: 'hash' }, releaseDir: join(r, 'vendored'), foldersOnlyVendored: true, vendor: chartFolder() });
    expect(plain.wroteReleaseFolders).toBe(true);
    expect(readdirSync(join(r, 'plain')).filter((n) => !n.startsWith('.'))).toEqual([plain.releases[0].tag]);
    expect(plain.releases[0].tag).toMatch(/^docker-tiny-1-34-v0-sha-[0-9a-f]{7}$/);
    expect(vendored.releases[0].tag).toMatch(/^docker-tiny-1-34-v0-sha-[0-9a-f]{7}$/);
    expect(vendored.releases[0].tag).not.toBe(plain.releases[0].tag);
  });
});
