import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { crdRoot } from '../../../lib/pipeline/crd-root.ts';
import { copyProject, treeDigest } from './project-copy.ts';

// The modules under test are loaded from the copy, so that the scaffolder,
// the stacks it registers and the synthesis that checks them are one project.
type NewModule = typeof import('../../../cli/commands/new.ts');
type CliNewModule = typeof import('../../../cli/new.ts');
type IndexModule = typeof import('../../../stacks/index.ts');
type SynthModule = typeof import('../../../lib/pipeline/synth.ts');
type ValidateModule = typeof import('../../../lib/pipeline/validate.ts');
type ReleaseModule = typeof import('../../../lib/release/release.ts');
type RecordModule = typeof import('../../../lib/release/version-record.ts');
type NamesModule = typeof import('../../../constructs/names.ts');
type Definition = ClusterStackDefinition<StackVersionsRow>;

const MINORS = ['1-32', '1-33', '1-34'];

let copy: string;
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(copy, path)).href)) as T;

/** `tsc --noEmit -p .` in the copy; its diagnostics, one per line. */
function typeCheck(): string[] {
  const tsc = spawnSync(process.execPath, [join(copy, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.'], { cwd: copy, encoding: 'utf8' });
  return tsc.stdout.split('\n').filter((l) => / error TS\d+:/.test(l));
}

/** The CLI of the copy, as a child process. */
function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(copy, 'bin', 'cluster-stacks.cjs'), ...args], { cwd: copy, encoding: 'utf8', env: { ...process.env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let newModule: NewModule;
let typeErrorsBefore: string[];
let typeErrorsAfter: string[];
let result: Awaited<ReturnType<NewModule['newCommand']>>;
let fromResult: Awaited<ReturnType<NewModule['newCommand']>>;
let fromHetzner: Awaited<ReturnType<NewModule['newCommand']>>;
let distAfterNew: Map<string, string>;

beforeAll(async () => {
  // The copy lives in the temp folder, away from the project's crds/.
  process.env.CLUSTER_STACK_CRDS = crdRoot();
  copy = copyProject();
  typeErrorsBefore = typeCheck();
  newModule = await load<NewModule>('cli/commands/new.ts');
  const { STACKS } = await load<IndexModule>('stacks/index.ts');
  result = await newModule.newCommand({ root: copy, definitions: STACKS, name: 'acme/scs' });
  fromResult = await newModule.newCommand({ root: copy, definitions: STACKS, name: 'acme/mini', from: 'docker/scs' });
  distAfterNew = treeDigest(join(copy, 'dist', 'acme'));
  typeErrorsAfter = typeCheck();
  // Two type checks and two scaffolds, each synthesizing and validating the whole project.
}, 600_000);

afterAll(() => {
  if (copy) rmSync(dirname(copy), { recursive: true, force: true });
});

describe('new acme/scs', () => {
  it('creates stack.ts, versions.ts, addons.ts, README.md and a v1 record per Kubernetes minor', () => {
    const stack = join(copy, 'stacks', 'acme', 'scs');
    for (const f of ['stack.ts', 'versions.ts', 'addons.ts', 'README.md', ...MINORS.map((m) => `version-record/${m}.json`)]) {
      expect(existsSync(join(stack, f)), `stacks/acme/scs/${f}`).toBe(true);
    }
    expect(result.records).toEqual(MINORS.map((m) => `stacks/acme/scs/version-record/${m}.json`));
    expect(result.bundles.map((b) => [b.path, b.clusterClass, b.version])).toEqual(MINORS.map((m) => [`acme/scs/${m}`, `acme-scs-${m}-v1`, 'v1']));
  });

  it('writes a ClusterClass on CAPD placeholder templates, with TODOs and the way to import other bindings', () => {
    const source = readFileSync(join(copy, 'stacks', 'acme', 'scs', 'stack.ts'), 'utf8');
    expect(source).toContain("from '../../../imports/capd-dockerclustertemplates-infrastructure.cluster.x-k8s.io.ts'");
    expect(source).toContain('TODO(acme)');
    expect(source).toContain('cdk8s.yaml');
    expect(source).toContain('npm run import');
    expect(source).toContain("provider: 'acme',");
    expect(source).toContain("stack: 'scs',");
    const readme = readFileSync(join(copy, 'stacks', 'acme', 'scs', 'README.md'), 'utf8');
    expect(readme).toMatch(/^# acme\/scs\n/);
    expect(readme).toContain('npm run import');
  });

  it('takes every Kubernetes minor from stacks/kubernetes-versions.ts', () => {
    const versions = readFileSync(join(copy, 'stacks', 'acme', 'scs', 'versions.ts'), 'utf8');
    expect(versions).toContain('export interface AcmeScsVersions extends StackVersionsRow');
    for (const m of ['1.32', '1.33', '1.34']) expect(versions).toContain(`kubernetes: KUBERNETES_VERSIONS['${m}']`);
  });

  it('registers the stack in stacks/index.ts: one import, one entry last in STACKS', () => {
    const index = readFileSync(join(copy, 'stacks', 'index.ts'), 'utf8');
    expect(index.match(/import \{ acmeScs \} from '\.\/acme\/scs\/stack\.ts';/g)).toHaveLength(1);
    expect(index).toMatch(/\n {2}acmeScs,\n {2}acmeMini,\n\];/);
    expect(result.registeredIn).toBe('stacks/index.ts');
  });

  it('type-checks: `tsc --noEmit -p .` reports no error the scaffolded stacks added', () => {
    expect(typeErrorsAfter.filter((e) => e.startsWith('stacks/'))).toEqual([]);
    expect(typeErrorsAfter).toEqual(typeErrorsBefore);
  });

  it('synthesizes and validates against the CRDs: synthesize + validateBundles find no problem', async () => {
    const { synthesize } = await load<SynthModule>('lib/pipeline/synth.ts');
    const { validateBundles } = await load<ValidateModule>('lib/pipeline/validate.ts');
    const { acmeScs } = await load<{ acmeScs: Definition }>('stacks/acme/scs/stack.ts');
    const { acmeMini } = await load<{ acmeMini: Definition }>('stacks/acme/mini/stack.ts');
    const bundles = synthesize([acmeScs, acmeMini]);
    expect(bundles.map((b) => b.path)).toEqual([...MINORS.map((m) => `acme/scs/${m}`), ...MINORS.map((m) => `acme/mini/${m}`)]);
    expect(validateBundles(bundles)).toEqual([]);
    const classDoc = yaml.loadAll(bundles[2].files.find((f) => f.path === 'cluster-class.yaml')?.content ?? '')[0] as { kind: string; metadata: { name: string }; spec: { workers: { machineDeployments: { class: string }[] } } };
    expect(classDoc.kind).toBe('ClusterClass');
    expect(classDoc.spec.workers.machineDeployments.map((w) => w.class)).toEqual(['default-worker']);
  });

  it('leaves dist/ and the version records fresh, as the dist/ test demands', async () => {
    const { bundleTree, synthesize } = await load<SynthModule>('lib/pipeline/synth.ts');
    const { currentHashes } = await load<ReleaseModule>('lib/release/release.ts');
    const { readRecord } = await load<RecordModule>('lib/release/version-record.ts');
    const { clusterStackName } = await load<NamesModule>('constructs/names.ts');
    // stacks/index.ts is cached as this test first loaded it; the new stacks are loaded directly.
    const { acmeScs } = await load<{ acmeScs: Definition }>('stacks/acme/scs/stack.ts');
    const { acmeMini } = await load<{ acmeMini: Definition }>('stacks/acme/mini/stack.ts');
    const ours = [acmeScs, acmeMini];
    const hashes = currentHashes(ours);
    const bundles = synthesize(ours, {
      versionsFor: (id) => {
        const record = readRecord(copy, id);
        if (!record) throw new Error(`${id.provider}/${id.stack} ${id.kubernetes.minorVersion} has no version record`);
        expect(record.hashes, `${id.provider}/${id.stack} record`).toEqual(hashes.get(clusterStackName(id)));
        return record.versions;
      },
    });
    for (const f of bundleTree(bundles)) expect(readFileSync(join(copy, 'dist', f.path), 'utf8'), `dist/${f.path}`).toBe(f.content);
  });

  it('`synth` of the whole project passes and rewrites the new bundles byte for byte', () => {
    const r = cli('synth');
    expect(r.err).not.toMatch(/acme\//);
    expect(r.code).toBe(0);
    for (const m of MINORS) expect(r.out).toContain(`acme/scs/${m}`);
    expect(treeDigest(join(copy, 'dist', 'acme'))).toEqual(distAfterNew);
  });

  it('passes the project\'s own freshness and schema tests at once (dist/, records, docs/, every object against its CRD)', () => {
    const r = spawnSync(process.execPath, [join(copy, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/dist.test.ts', 'test/lib/docs/docs-tree.test.ts', 'test/stacks/schema.test.ts'], {
      cwd: copy,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/Tests\s+\d+ passed/);
  });

  it('says what happened and what comes next', () => {
    const text = result.summary.join('\n');
    expect(text).toContain('registered acmeScs in stacks/index.ts');
    expect(text).toContain('npm run synth');
    expect(text).toContain('npm run release');
  });
});

describe('new acme/mini --from docker/scs', () => {
  it('copies the stack with its features, renamed, without the version records of the source', () => {
    const source = readFileSync(join(copy, 'stacks', 'acme', 'mini', 'stack.ts'), 'utf8');
    expect(source).toContain('export const acmeMini = defineClusterStack({');
    expect(source).toContain("provider: 'acme',\n  stack: 'mini',");
    expect(source).not.toMatch(/\bdockerScs\b/);
    expect(existsSync(join(copy, 'stacks', 'acme', 'mini', 'features', 'custom-image.ts'))).toBe(true);
    expect(readFileSync(join(copy, 'stacks', 'acme', 'mini', 'versions.ts'), 'utf8')).toContain('export interface AcmeMiniVersions');
    expect(fromResult.bundles.map((b) => b.clusterClass)).toEqual(MINORS.map((m) => `acme-mini-${m}-v1`));
  });

  it('keeps the source\'s ClusterClass content: the same variables as docker/scs', () => {
    const variables = (path: string) => {
      const doc = yaml.loadAll(readFileSync(join(copy, 'dist', path, 'cluster-class.yaml'), 'utf8'))[0] as { spec: { variables: { name: string }[] } };
      return doc.spec.variables.map((v) => v.name);
    };
    expect(variables('acme/mini/1-34')).toEqual(variables('docker/scs/1-34'));
  });
});

describe('new hetzner/lab --from hetzner/scs', () => {
  const dist = (path: string, file: string) => readFileSync(join(copy, 'dist', path, file), 'utf8');

  // A second stack of an existing provider, from a stack with provider
  // bindings, node images and per-cluster addon values; after the tests above,
  // which compare the whole project with what `new acme/…` left.
  beforeAll(async () => {
    const { STACKS } = await load<IndexModule>('stacks/index.ts');
    fromHetzner = await newModule.newCommand({ root: copy, definitions: STACKS, name: 'hetzner/lab', from: 'hetzner/scs' });
  }, 300_000);

  it('copies the CAPH stack with its features, addons and node images, renamed', () => {
    const source = readFileSync(join(copy, 'stacks', 'hetzner', 'lab', 'stack.ts'), 'utf8');
    expect(source).toContain('export const hetznerLab = defineClusterStack({');
    expect(source).toContain("provider: 'hetzner',\n  stack: 'lab',");
    expect(source).not.toMatch(/\bhetznerScs\b/);
    for (const f of ['features/location.ts', 'features/private-network.ts', 'features/access.ts', 'features/machines.ts', 'node-images.ts', 'paths.ts', 'addons.ts']) {
      expect(existsSync(join(copy, 'stacks', 'hetzner', 'lab', f)), f).toBe(true);
    }
    expect(readFileSync(join(copy, 'stacks', 'hetzner', 'lab', 'versions.ts'), 'utf8')).toContain('export interface HetznerLabVersions');
    expect(existsSync(join(copy, 'stacks', 'hetzner', 'lab', 'version-record', '1-34.json'))).toBe(true);
    expect(fromHetzner.bundles.map((b) => b.clusterClass)).toEqual(MINORS.map((m) => `hetzner-lab-${m}-v1`));
  });

  it('synthesizes the same ClusterClass content, addons and node images as hetzner/scs, under the new name', () => {
    const rename = (text: string) => text.replaceAll('hetzner-scs-', 'hetzner-lab-');
    for (const file of ['cluster-class.yaml', 'node-images.yaml', 'cluster-addon/ccm/overwrite.yaml', 'cluster-addon/csi/overwrite.yaml']) {
      expect(dist('hetzner/lab/1-34', file), file).toBe(rename(dist('hetzner/scs/1-34', file)));
    }
  });
});

describe('new: bad input', () => {
  async function rejected(name: string, from?: string): Promise<{ message: string; input: boolean; unchanged: boolean }> {
    const before = treeDigest(copy);
    const { STACKS } = await load<IndexModule>('stacks/index.ts');
    try {
      await newModule.newCommand({ root: copy, definitions: STACKS, name, ...(from ? { from } : {}) });
    } catch (e) {
      return { message: (e as Error).message, input: e instanceof newModule.ScaffoldInputError, unchanged: JSON.stringify([...treeDigest(copy)]) === JSON.stringify([...before]) };
    }
    throw new Error(`new ${name} did not fail`);
  }

  it('fails when the provider has an upper-case letter (Acme/scs), writing nothing', async () => {
    const r = await rejected('Acme/scs');
    expect(r).toEqual({ input: true, unchanged: true, message: "'Acme/scs': provider name 'Acme' is not valid; expected lower-case letters and digits, starting with a letter" });
  });

  it('fails when the provider has a dash (ac-me/scs), saying why, writing nothing', async () => {
    const r = await rejected('ac-me/scs');
    expect(r.input && r.unchanged).toBe(true);
    expect(r.message).toBe("'ac-me/scs': provider name 'ac-me' is not valid ('-' is not allowed: the Cluster Stack Operator splits release names on it); expected lower-case letters and digits, starting with a letter");
  });

  it('fails when there is no stack name (acme), writing nothing', async () => {
    const r = await rejected('acme');
    expect(r).toEqual({ input: true, unchanged: true, message: "'acme' is not <provider>/<stack>; expected e.g. acme/scs" });
  });

  it('fails when the stack exists (docker/scs, and acme/scs a second time), writing nothing', async () => {
    expect(await rejected('docker/scs')).toEqual({ input: true, unchanged: true, message: 'docker/scs exists already (it is registered in stacks/index.ts); choose another stack name' });
    // The registry this test loaded predates acme/scs; the index file itself says so.
    expect(await rejected('acme/scs')).toEqual({ input: true, unchanged: true, message: "acme/scs is already registered: stacks/index.ts imports './acme/scs/stack.ts'" });
  });

  it('fails when names would make template names longer than 63 characters, writing nothing', async () => {
    const r = await rejected('averyveryverylongprovider/stackname');
    expect(r.input && r.unchanged).toBe(true);
    expect(r.message).toContain('is too long: template names such as averyveryverylongprovider-stackname-1-34-v0-sha-abcdef0-default-worker (70 characters) must stay within 63');
  });

  it('fails when --from names no stack, writing nothing', async () => {
    expect(await rejected('acme/other', 'nope/x')).toEqual({ input: true, unchanged: true, message: "--from 'nope/x': stacks/nope/x/stack.ts does not exist" });
  });

  it('fails when a folder of that name exists but is not registered, writing nothing', async () => {
    const orphan = join(copy, 'stacks', 'acme', 'orphan');
    mkdirSync(orphan);
    writeFileSync(join(orphan, 'notes.txt'), 'left over\n');
    try {
      expect(await rejected('acme/orphan')).toEqual({ input: true, unchanged: true, message: 'acme/orphan exists already: stacks/acme/orphan/ is there; remove it or choose another stack name' });
    } finally {
      rmSync(orphan, { recursive: true, force: true });
    }
  });

  it('exits with code 2 and one error line through the CLI command, writing nothing', async () => {
    const { registerNewCommand } = await load<CliNewModule>('cli/new.ts');
    const { STACKS } = await load<IndexModule>('stacks/index.ts');
    let out = '';
    let err = '';
    const program = new Command('cluster-stacks').exitOverride().configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });
    registerNewCommand(program, { root: copy, definitions: STACKS, out: (s) => { out += s; } });
    const before = treeDigest(copy);
    let exitCode: number | undefined;
    try {
      await program.parseAsync(['new', 'ac-me/scs'], { from: 'user' });
    } catch (e) {
      exitCode = (e as { exitCode?: number }).exitCode;
    }
    expect(exitCode).toBe(2);
    expect(err.trimEnd().split('\n')).toEqual(["error: 'ac-me/scs': provider name 'ac-me' is not valid ('-' is not allowed: the Cluster Stack Operator splits release names on it); expected lower-case letters and digits, starting with a letter"]);
    expect(out).toBe('');
    expect(treeDigest(copy)).toEqual(before);
  });
});
