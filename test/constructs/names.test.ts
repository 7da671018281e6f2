import { App } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterStack } from '../../constructs/cluster-stack.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import {
  assertDnsLabel,
  assertNamePart,
  clusterClassName,
  clusterStackName,
  MAX_NAME_LENGTH,
  releaseTag,
  templateName,
  type ClusterStackIdentity,
} from '../../constructs/names.ts';
import { StackVersion } from '../../constructs/stack-version.ts';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const k134 = KubernetesVersion.parse('1.34.7');
const openstackScs: ClusterStackIdentity = { provider: 'openstack', stack: 'scs', kubernetes: k134 };
const v1 = StackVersion.parse('v1');

function dnsMessage(what: string, name: string): string {
  return `${what} '${name}' is not a valid name; expected lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit`;
}

describe('assertDnsLabel', () => {
  it.each(['a', '0', 'a-b', 'openstack-scs-1-34-v1', 'x'.repeat(63), '1-2-3'])('accepts %j', (name) => {
    expect(() => assertDnsLabel(name, 'name')).not.toThrow();
  });

  it.each(['', '-a', 'a-', 'A', 'a_b', 'a.b', 'ä', 'a b', 'x'.repeat(64)])('fails when the name is %j', (name) => {
    expect(() => assertDnsLabel(name, 'addon name')).toThrow(dnsMessage('addon name', name));
  });

  it('allows exactly MAX_NAME_LENGTH characters', () => {
    expect(MAX_NAME_LENGTH).toBe(63);
  });
});

describe('assertNamePart', () => {
  it.each(['openstack', 'scs', 'scs2', 'docker', 'h1'])('accepts %j', (part) => {
    expect(() => assertNamePart(part, "'stack'")).not.toThrow();
  });

  it.each(['open-stack', 'scs-2', '2scs', '', 'Scs', 'scs_2', 'scs.2'])('fails when a provider or stack name is %j', (part) => {
    expect(() => assertNamePart(part, "'provider'")).toThrow(
      `'provider' '${part}' is not valid; expected lower-case letters and digits starting with a letter (no '-': the operator splits names on it)`,
    );
  });

  it('fails when a ClusterStack gets a provider or stack with a dash, naming the construct path', () => {
    const versions = { clusterStack: v1, clusterAddon: v1, nodeImage: v1 };
    expect(() => new ClusterStack(new App(), 'bad-provider', { provider: 'open-stack', stack: 'scs', kubernetesVersion: k134, versions })).toThrow(
      "bad-provider: 'provider' 'open-stack' is not valid",
    );
    expect(() => new ClusterStack(new App(), 'bad-stack', { provider: 'openstack', stack: 'scs-2', kubernetesVersion: k134, versions })).toThrow(
      "bad-stack: 'stack' 'scs-2' is not valid",
    );
  });
});

describe('cluster stack names', () => {
  it('names the stack <provider>-<stack>-<major>-<minor>', () => {
    expect(clusterStackName(openstackScs)).toBe('openstack-scs-1-34');
    expect(clusterStackName({ provider: 'docker', stack: 'scs', kubernetes: KubernetesVersion.parse('v1.32.5') })).toBe('docker-scs-1-32');
  });

  it('names the ClusterClass with the dotted version and the release tag with the dashed one', () => {
    expect(clusterClassName(openstackScs, v1)).toBe('openstack-scs-1-34-v1');
    expect(releaseTag(openstackScs, v1)).toBe('openstack-scs-1-34-v1');
    const alpha = StackVersion.parse('v1-alpha.0');
    expect(clusterClassName(openstackScs, alpha)).toBe('openstack-scs-1-34-v1-alpha.0');
    expect(releaseTag(openstackScs, alpha)).toBe('openstack-scs-1-34-v1-alpha-0');
    const dev = StackVersion.parse('v0-sha.abc123');
    expect(clusterClassName(openstackScs, dev)).toBe('openstack-scs-1-34-v0-sha.abc123');
    expect(releaseTag(openstackScs, dev)).toBe('openstack-scs-1-34-v0-sha-abc123');
  });

  it('names templates <class>-<role>', () => {
    expect(templateName('openstack-scs-1-34-v1', 'control-plane')).toBe('openstack-scs-1-34-v1-control-plane');
    expect(templateName('openstack-scs-1-34-v1-alpha.0', 'default-worker')).toBe('openstack-scs-1-34-v1-alpha.0-default-worker');
  });

  it('fails when a ClusterClass name would exceed 63 characters', () => {
    const id: ClusterStackIdentity = { provider: 'p'.repeat(40), stack: 's'.repeat(15), kubernetes: k134 };
    const name = `${'p'.repeat(40)}-${'s'.repeat(15)}-1-34-v1`;
    expect(name.length).toBe(64);
    expect(() => clusterClassName(id, v1)).toThrow(dnsMessage('ClusterClass name', name));
  });

  it('fails when a template name would exceed 63 characters', () => {
    const className = `${'p'.repeat(30)}-scs-1-34-v1`;
    const name = `${className}-control-plane-extra-long-role`;
    expect(() => templateName(className, 'control-plane-extra-long-role')).toThrow(dnsMessage('template name', name));
  });

  it('fails when a template role is not DNS-1123', () => {
    expect(() => templateName('openstack-scs-1-34-v1', 'Control_Plane')).toThrow(dnsMessage('template name', 'openstack-scs-1-34-v1-Control_Plane'));
  });
});

describe('names from arbitrary valid parts (property)', () => {
  const namePart = fc.stringMatching(/^[a-z][a-z0-9]{0,24}$/);
  const version = fc.oneof(
    fc.nat({ max: 10_000 }).map((major) => StackVersion.stable(major)),
    fc
      .record({ major: fc.nat({ max: 10_000 }), channel: fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), id: fc.stringMatching(/^[a-z0-9]{1,16}$/) })
      .map(({ major, channel, id }) => StackVersion.prerelease(major, channel, id)),
  );
  const minor = fc.integer({ min: 0, max: 99 });
  const role = fc.constantFrom('cluster', 'control-plane', 'default-worker');

  it('are DNS-1123 labels of at most 63 characters (dots replaced) or refused with a clear error', () => {
    fc.assert(
      fc.property(namePart, namePart, minor, version, role, (provider, stack, m, v, r) => {
        assertNamePart(provider, 'provider');
        assertNamePart(stack, 'stack');
        const id: ClusterStackIdentity = { provider, stack, kubernetes: KubernetesVersion.parse(`1.${m}.0`) };
        const expected = `${provider}-${stack}-1-${m}-${v.toString()}`;
        let name: string;
        try {
          name = clusterClassName(id, v);
        } catch (e) {
          // Refused only for length, with the full name in the message.
          expect(expected.length).toBeGreaterThan(MAX_NAME_LENGTH);
          expect((e as Error).message).toBe(dnsMessage('ClusterClass name', expected.replace(/\./g, '-')));
          return;
        }
        expect(name).toBe(expected);
        const label = name.replace(/\./g, '-');
        expect(label.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
        expect(label).toMatch(DNS_1123_LABEL);
        const tag = releaseTag(id, v);
        expect(tag).toBe(label);
        try {
          const template = templateName(name, r);
          expect(template.replace(/\./g, '-')).toMatch(DNS_1123_LABEL);
          expect(template.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
        } catch (e) {
          expect(`${name}-${r}`.length).toBeGreaterThan(MAX_NAME_LENGTH);
          expect((e as Error).message).toContain("template name '");
        }
      }),
      { numRuns: 500 },
    );
  });
});
