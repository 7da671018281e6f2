import { describe, expect, it } from 'vitest';
import type { ClusterStackVersions } from '../../../constructs/metadata.ts';
import { clusterStackName } from '../../../constructs/names.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { bundleHashes, hashFiles } from '../../../lib/release/content-hash.ts';
import { currentHashes } from '../../../lib/release/release.ts';
import { synthesize } from '../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../stacks/index.ts';

/**
 * The commands synthesize a bundle once, at its real versions, and hash it
 * by the placeholder rule (bundleHashes); the hashes are defined on a
 * synthesis at placeholder versions (currentHashes). The two must agree for
 * every shipped bundle at any version, or a release would record hashes its
 * own reader refuses.
 */
describe('content hashes from one synthesis at real versions', () => {
  const reference = currentHashes(STACKS);
  const at = (v: string): ClusterStackVersions => ({ clusterStack: StackVersion.parse(v), clusterAddon: StackVersion.parse(v), nodeImage: StackVersion.parse(v) });

  for (const version of ['v1', 'v17', 'v0-sha.0123456789ab']) {
    it(`equal the placeholder synthesis's for every shipped bundle at ${version}`, () => {
      const bundles = synthesize(STACKS, { versionsFor: () => at(version) });
      expect(bundles.length).toBe(reference.size);
      for (const b of bundles) expect(bundleHashes(b), b.path).toEqual(reference.get(clusterStackName(b.identity)));
    });
  }

  it('differ when the ClusterClass content differs by more than its name', () => {
    const [b] = synthesize(STACKS, { versionsFor: () => at('v3') });
    const changed = { ...b, files: b.files.map((f) => (f.path === 'cluster-class.yaml' ? { ...f, content: `${f.content}# one more line\n` } : f)) };
    expect(bundleHashes(changed).clusterClass).not.toBe(reference.get(clusterStackName(b.identity))?.clusterClass);
  });

  it('differ when the ClusterClass names the version outside its name (hashing the versioned name as is)', () => {
    const [b] = synthesize(STACKS, { versionsFor: () => at('v3') });
    // The same bundle claiming another version: its class name is not rewritten back.
    expect(bundleHashes({ ...b, versions: at('v4') }).clusterClass).not.toBe(reference.get(clusterStackName(b.identity))?.clusterClass);
  });
});

describe('hashFiles with a rename', () => {
  const renamed = (content: string, from: string, to: string) => content.split(from).join(to);
  const cases: readonly { readonly what: string; readonly content: string; readonly from: string; readonly to: string }[] = [
    { what: 'occurrences at the start, the end and side by side', content: 'c-v1\nname: c-v1c-v1\n  x: "c-v1"\nc-v1', from: 'c-v1', to: 'c-v0-sha.0000000' },
    { what: 'a shorter name, multi-byte text around it', content: 'ä — c-v0-sha.1a2b3c4 ✓ c-v0-sha.1a2b3c4…', from: 'c-v0-sha.1a2b3c4', to: 'c-v3' },
    { what: 'no occurrence', content: 'kind: ClusterClass\n', from: 'c-v1', to: 'c-v2' },
    { what: 'an occurrence overlapping the next', content: 'aaaa', from: 'aa', to: 'b' },
  ];
  it.each(cases)('hashes $what as the renamed bytes', ({ content, from, to }) => {
    const files = [
      { path: 'metadata.yaml', content: `name: ${from}\n` },
      { path: 'cluster-class.yaml', content },
    ];
    const expected = hashFiles(files.map((f) => (f.path === 'cluster-class.yaml' ? { ...f, content: renamed(f.content, from, to) } : f)));
    expect(hashFiles(files, { path: 'cluster-class.yaml', from, to })).toBe(expected);
    // Only the named file is read renamed.
    expect(hashFiles(files, { path: 'cluster-class.yaml', from, to })).not.toBe(hashFiles(files.map((f) => ({ ...f, content: renamed(f.content, from, to) }))));
  });
});
