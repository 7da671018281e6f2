import { describe, expect, it } from 'vitest';
import { registerStack } from '../../../lib/scaffold/registry-edit.ts';
import { parseStackName, ScaffoldInputError } from '../../../lib/scaffold/stack-name.ts';
import { SKELETON_CHARTS } from '../../../lib/scaffold/templates.ts';
import { versions as dockerScsVersions } from '../../../stacks/docker/scs/versions.ts';

const acme = parseStackName('acme/scs');

const SHIPPED = `import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { dockerScs } from './docker/scs/stack.ts';
import { openstackScs } from './openstack/scs/stack.ts';

/** Every shipped stack. */
export const STACKS: readonly ClusterStackDefinition<StackVersionsRow>[] = [
  dockerScs as ClusterStackDefinition<StackVersionsRow>,
  openstackScs as ClusterStackDefinition<StackVersionsRow>,
];
`;

describe('registerStack', () => {
  it('adds the import after the stack imports and the entry last, in the style of the others', () => {
    expect(registerStack(SHIPPED, acme)).toBe(`import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { dockerScs } from './docker/scs/stack.ts';
import { openstackScs } from './openstack/scs/stack.ts';
import { acmeScs } from './acme/scs/stack.ts';

/** Every shipped stack. */
export const STACKS: readonly ClusterStackDefinition<StackVersionsRow>[] = [
  dockerScs as ClusterStackDefinition<StackVersionsRow>,
  openstackScs as ClusterStackDefinition<StackVersionsRow>,
  acmeScs as ClusterStackDefinition<StackVersionsRow>,
];
`);
  });

  it('adds the missing comma after a last entry without one, and keeps comments', () => {
    const source = "import { a } from './a/b/stack.ts';\nexport const STACKS = [\n  aB, // the first [one]\n  cD\n];\n";
    expect(registerStack(source, acme)).toBe("import { a } from './a/b/stack.ts';\nimport { acmeScs } from './acme/scs/stack.ts';\nexport const STACKS = [\n  aB, // the first [one]\n  cD,\n  acmeScs,\n];\n");
  });

  it('handles one-line and empty arrays', () => {
    expect(registerStack("import x from 'y';\nexport const STACKS = [aB, cD];\n", acme)).toBe("import x from 'y';\nimport { acmeScs } from './acme/scs/stack.ts';\nexport const STACKS = [aB, cD, acmeScs];\n");
    expect(registerStack('export const STACKS: Foo[] = [];\n', acme)).toBe("import { acmeScs } from './acme/scs/stack.ts';\nexport const STACKS: Foo[] = [\n  acmeScs,\n];\n");
  });

  it('keeps a type assertion with generics that contain commas', () => {
    const source = 'export const STACKS = [\n  aB as Def<Row, Other>,\n];\n';
    expect(registerStack(source, acme)).toContain('  aB as Def<Row, Other>,\n  acmeScs as Def<Row, Other>,\n];');
  });

  it('is idempotent by refusing: applying it twice fails instead of duplicating', () => {
    const once = registerStack(SHIPPED, acme);
    expect(() => registerStack(once, acme)).toThrow(ScaffoldInputError);
    expect(() => registerStack(once, acme)).toThrow("acme/scs is already registered: stacks/index.ts imports './acme/scs/stack.ts'");
  });

  it('fails when the identifier is taken by something else', () => {
    expect(() => registerStack("import { acmeScs } from './elsewhere.ts';\nexport const STACKS = [acmeScs];\n", acme)).toThrow("acme/scs is already registered: stacks/index.ts already uses the name 'acmeScs'");
  });

  it('fails when there is no STACKS array', () => {
    expect(() => registerStack('export const OTHER = [];\n', acme)).toThrow("stacks/index.ts: found no 'export const STACKS … = [' to register the stack in");
  });
});

describe('parseStackName', () => {
  it('derives the identifier and the versions type', () => {
    expect(parseStackName('acme/scs2')).toEqual({ provider: 'acme', stack: 'scs2', path: 'acme/scs2', identifier: 'acmeScs2', versionsType: 'AcmeScs2Versions' });
  });

  it.each([
    ['Acme/scs', "'Acme/scs': provider name 'Acme' is not valid; expected lower-case letters and digits, starting with a letter"],
    ['acme/s_cs', "'acme/s_cs': stack name 's_cs' is not valid; expected lower-case letters and digits, starting with a letter"],
    ['acme/2scs', "'acme/2scs': stack name '2scs' is not valid; expected lower-case letters and digits, starting with a letter"],
    ['acme/scs/x', "'acme/scs/x' is not <provider>/<stack>; expected e.g. acme/scs"],
  ])('fails when the name is %s', (name, message) => {
    expect(() => parseStackName(name)).toThrow(message);
  });
});

describe('skeleton chart versions', () => {
  it('are what docker/scs ships for the newest Kubernetes minor (bump them together)', () => {
    const newest = dockerScsVersions[dockerScsVersions.length - 1];
    expect(SKELETON_CHARTS).toEqual({ cilium: newest.cilium, kubeletCsrApprover: newest.kubeletCsrApprover, metricsServer: newest.metricsServer });
  });
});
