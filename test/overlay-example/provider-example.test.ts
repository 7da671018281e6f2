import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * examples/provider-overlay built the way a provider builds it: against the
 * `npm pack` output of this project, installed into its node_modules. The
 * package's own dependencies are linked from ours (no network), the package
 * itself is the unpacked tarball, so only what `files` ships is there.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const PACKAGE = 'cluster-stacks-cdk8s';

let work: string;
let provider: string;
let packed: string[];
let tarball: string;

function run(args: readonly string[], cwd = provider): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const build = (command: string) => run([TSX, 'build.ts', command]);

/** A fresh copy of the example with the packed base installed. */
function providerRepository(name: string, tarball: string): string {
  const dir = join(work, name);
  cpSync(join(ROOT, 'examples/provider-overlay'), dir, { recursive: true });
  const installed = join(dir, 'node_modules', PACKAGE);
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === '.bin' || entry === '.package-lock.json' || entry === PACKAGE) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  return dir;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'provider-overlay-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  packed = info.files.map((f) => f.path);
  tarball = join(work, info.filename);
  provider = providerRepository('provider', tarball);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the constructs, stacks with their version records and lib, not tests or dist', () => {
    expect(packed).toEqual(expect.arrayContaining(['constructs/overlay/overlay.ts', 'stacks/openstack/scs/overlay-base.ts', 'stacks/openstack/scs/version-record/1-34.json', 'lib/overlay/conformance.ts', 'package.json']));
    expect(packed.filter((p) => p.startsWith('test/') || p.startsWith('dist/') || p.startsWith('.cache/'))).toEqual([]);
  });
});

describe('examples/provider-overlay against the packed base', () => {
  it('synthesizes, conforms and writes the conformance docs', () => {
    const r = build('synth');
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^mycloud\/scs 1\.34: conforms to openstack\/scs v[0-9]+$/m);
    const bundle = join(provider, 'dist/mycloud/scs/1-34');
    expect(readFileSync(join(bundle, 'cluster-class.yaml'), 'utf8')).toContain('name: billingTag');
    expect(readFileSync(join(bundle, 'node-images.yaml'), 'utf8')).toContain('https://images.mycloud.example/capi/ubuntu-2404-kube-v1.34.qcow2');
    expect(readFileSync(join(bundle, 'cluster-addon/ccm/values.yaml'), 'utf8')).toContain('lb-provider: ovn');
    expect(readFileSync(join(provider, 'docs/CONFORMANCE.md'), 'utf8')).toMatch(/- mycloud\/scs 1\.34: conforms to openstack\/scs v[0-9]+/);
    const docs = build('docs');
    expect(docs.status).toBe(0);
    expect(readFileSync(join(provider, 'docs/stacks/README.md'), 'utf8')).toMatch(/Overlay: conforms to openstack\/scs v[0-9]+\./);
  });

  it('type-checks, and misspelt base names do not compile', () => {
    writeFileSync(
      join(provider, 'types-check.ts'),
      [
        "import { defineOverlay } from 'cluster-stacks-cdk8s/constructs/overlay/overlay.ts';",
        "import { openstackScsBase } from 'cluster-stacks-cdk8s/stacks/openstack/scs/overlay-base.ts';",
        'defineOverlay({',
        "  provider: 'typo', stack: 'scs', description: 'x', base: openstackScsBase,",
        '  overrides: {',
        '    // @ts-expect-error: no variable netwrkMTU in the base',
        '    variables: { netwrkMTU: { default: 1400 } },',
        '    // @ts-expect-error: no addon cillium in the base',
        "    addons: { cillium: { chartVersion: '1.0.0' } },",
        '    // @ts-expect-error: no worker class gpu in the base',
        "    templates: [{ template: 'worker/gpu/infrastructure', path: '/spec/template/spec/flavor', value: 'x' }],",
        '  },',
        '  // @ts-expect-error: a waiver names a base component',
        "  waivers: [{ component: 'addon:cillium', reason: 'typo' }],",
        '});',
        '',
      ].join('\n'),
    );
    try {
      const r = run([TSC, '-p', 'tsconfig.json']);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(join(provider, 'types-check.ts'));
    }
  }, 240_000);

  it.each([
    {
      what: 'a removed hardening setting',
      edit: (s: string) => s.replace("templates: [{ template: 'infrastructureCluster'", "templates: [{ template: 'controlPlane', path: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/extraArgs/profiling', remove: true }, { template: 'infrastructureCluster'"),
      message: /mycloud\/scs 1\.34: base hardening setting apiServer --profiling=false is removed \(openstack\/scs\) \(waiver: hardening:apiServer\/profiling\)/,
    },
    {
      what: 'a loosened variable schema',
      edit: (s: string) => s.replace('minimum: 1280', 'minimum: 0'),
      message: /variables\.networkMTU: the schema may only be tightened, but \.minimum: 0 is lower than the base's 68/,
    },
    {
      what: 'a dropped addon',
      edit: (s: string) => s.replace('addons: {', "remove: { addons: ['metrics-server'] },\n      addons: {"),
      message: /remove\.addons: 'metrics-server' needs a waiver 'addon:metrics-server'/,
    },
  ])('fails conformance with $what, naming the base component', ({ edit, message }) => {
    const original = readFileSync(join(provider, 'stacks.ts'), 'utf8');
    const weakened = edit(original);
    expect(weakened).not.toBe(original);
    writeFileSync(join(provider, 'stacks.ts'), weakened);
    try {
      const r = build('conformance');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
    } finally {
      writeFileSync(join(provider, 'stacks.ts'), original);
    }
  });

  it('gets new versions when a base fix lands', () => {
    const first = build('release');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^mycloud\/scs\/1-34 {2}mycloud-scs-1-34-v1 {2}new/m);
    const again = build('release');
    expect(again.stdout).toMatch(/^mycloud\/scs\/1-34 {2}mycloud-scs-1-34-v1 {2}unchanged$/m);

    // The base fix, as `npm install cluster-stacks-cdk8s@<next>` would bring it: etcd tuning in the base control plane.
    const baseStack = join(provider, 'node_modules', PACKAGE, 'stacks/openstack/scs/stack.ts');
    const text = readFileSync(baseStack, 'utf8');
    expect(text).toContain("'snapshot-count': '6400'");
    writeFileSync(baseStack, text.replace("'snapshot-count': '6400'", "'snapshot-count': '10000'"));
    const fixed = build('release');
    expect(fixed.status).toBe(0);
    const minors = readdirSync(join(provider, 'dist/mycloud/scs'));
    expect(minors.length).toBeGreaterThan(0);
    for (const minor of minors) {
      expect(fixed.stdout).toMatch(new RegExp(`^mycloud/scs/${minor} {2}mycloud-scs-${minor}-v2 {2}new`, 'm'));
    }
    expect(readFileSync(join(provider, 'stacks/mycloud/scs/version-record/1-34.json'), 'utf8')).toContain('"clusterStack": "v2"');
  });

  it('update: moves a provider repository to a newer base and describes it for a pull request', () => {
    const repo = providerRepository('update', tarball);
    expect(run([TSX, 'build.ts', 'release'], repo).status).toBe(0);

    // The next base release: an etcd fix in openstack/scs, released by the base's own `release`.
    const next = join(work, 'base-next');
    mkdirSync(next);
    execFileSync('tar', ['xzf', tarball, '-C', next, '--strip-components=1']);
    symlinkSync(join(ROOT, 'node_modules'), join(next, 'node_modules'));
    const stackFile = join(next, 'stacks/openstack/scs/stack.ts');
    writeFileSync(stackFile, readFileSync(stackFile, 'utf8').replace("'snapshot-count': '6400'", "'snapshot-count': '10000'"));
    const pkgFile = join(next, 'package.json');
    writeFileSync(pkgFile, readFileSync(pkgFile, 'utf8').replace('"version": "0.1.0"', '"version": "0.2.0"'));
    const baseRelease = run([join(next, 'bin/cluster-stacks.cjs'), 'release', '--provider', 'openstack'], next);
    expect(baseRelease.stderr).toBe('');
    expect(baseRelease.status).toBe(0);

    writeFileSync(
      join(repo, 'update-test.ts'),
      [
        "import { cpSync, rmSync } from 'node:fs';",
        "import { join } from 'node:path';",
        "import { rebuildWith, updateBase } from 'cluster-stacks-cdk8s/lib/overlay/update.ts';",
        "import { STACKS } from './stacks.ts';",
        'const root = process.cwd();',
        'const source = process.argv[2];',
        "const installed = join(root, 'node_modules', 'cluster-stacks-cdk8s');",
        'const result = updateBase({',
        '  root,',
        '  definitions: STACKS,',
        '  // What `npm install cluster-stacks-cdk8s@0.2.0` does to node_modules, without the registry.',
        '  install: () => {',
        '    rmSync(installed, { recursive: true });',
        '    cpSync(source, installed, { recursive: true, filter: (p) => !/^\\/(node_modules|dist|release)(\\/|$)/.test(p.slice(source.length)) });',
        '  },',
        "  rebuild: () => rebuildWith(root, 'build.ts', ['release']),",
        '});',
        'process.stdout.write(result.summary);',
        'process.exitCode = result.ok ? 0 : 1;',
        '',
      ].join('\n'),
    );
    const r = run([TSX, 'update-test.ts', next], repo);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('## Update cluster-stacks-cdk8s 0.1.0 → 0.2.0');
    expect(r.stdout).toContain('Conformance passed');
    const base = /^\| openstack\/scs 1\.34 \| v([0-9]+) \| v([0-9]+) \| clusterClass \|$/m.exec(r.stdout);
    expect(base, r.stdout).not.toBeNull();
    expect(Number(base![2])).toBe(Number(base![1]) + 1);
    expect(r.stdout).toMatch(/^\| mycloud\/scs 1\.34 \| v1 \| v2 \| clusterClass \|$/m);
    expect(r.stdout).toMatch(/^mycloud\/scs 1\.34: conforms to openstack\/scs v[0-9]+$/m);
  });
});
