import { App } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterStack } from '../../constructs/cluster-stack.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { MAX_NAME_LENGTH } from '../../constructs/names.ts';
import { StackVersion } from '../../constructs/stack-version.ts';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KUBERNETES = KubernetesVersion.parse('1.34.7');
const ROLES = ['cluster', 'control-plane', 'default-worker'] as const;

/** Names as people and programs get them wrong: anything at all, near misses, and good names of every length. */
const anyName = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.stringMatching(/^[a-zA-Z0-9._ -]{0,70}$/),
  fc.stringMatching(/^[a-z][a-z0-9]{0,60}$/),
  fc.constantFrom('', '-', 'a-b', 'A', 'a.b', 'a_b', 'ａ', 'scs\n', ' scs', 'builtin', '1scs'),
);
const version = fc.oneof(
  fc.nat({ max: 1_000 }).map((major) => StackVersion.stable(major)),
  fc.record({ major: fc.nat({ max: 1_000 }), channel: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), id: fc.stringMatching(/^[a-z0-9]{1,12}$/) })
    .map(({ major, channel, id }) => StackVersion.prerelease(major, channel, id)),
);

function expectValidName(name: string): void {
  const label = name.replace(/\./g, '-');
  expect(label.length, name).toBeLessThanOrEqual(MAX_NAME_LENGTH);
  expect(label, name).toMatch(DNS_1123_LABEL);
}

describe('ClusterStack with arbitrary provider and stack names', () => {
  it('accepts a name only when every name it builds is a DNS-1123 label, and otherwise names the offending value', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(anyName, anyName, version, (provider, stack, v) => {
        let built: ClusterStack;
        try {
          built = new ClusterStack(new App({ outdir: '/nonexistent' }), 'stack', {
            provider,
            stack,
            kubernetesVersion: KUBERNETES,
            versions: { clusterStack: v, clusterAddon: v, nodeImage: v },
          });
        } catch (e) {
          refused++;
          const message = (e as Error).message;
          // A bad part is quoted; a name too long for a label quotes the whole name, which holds both parts.
          const named = message.includes(`'${provider}'`) || message.includes(`'${stack}'`) || message.includes(`'${provider}-${stack}-1-34-${v.toString().replace(/\./g, '-')}'`);
          expect(named, message).toBe(true);
          return;
        }
        accepted++;
        expect(provider).toMatch(/^[a-z][a-z0-9]*$/);
        expect(stack).toMatch(/^[a-z][a-z0-9]*$/);
        expect(built.name).toBe(`${provider}-${stack}-1-34`);
        for (const name of [built.name, built.clusterClassName, built.releaseTag]) expectValidName(name);
        for (const role of ROLES) {
          // A template name may be too long even when the class name fits; then it is refused, naming it.
          let template: string;
          try {
            template = built.templateName(role);
          } catch (e) {
            expect((e as Error).message).toContain(`'${`${built.clusterClassName}-${role}`.replace(/\./g, '-')}'`);
            continue;
          }
          expectValidName(template);
        }
      }),
      // A fixed seed: the counts below must not depend on the draw.
      { numRuns: 1_000, seed: 20261122 },
    );
    // Both branches are exercised, so the property is not vacuous.
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});
