import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGE_BUILDER } from '../../constructs/node-image/image-builder-contract.ts';
import { synthesize } from '../../lib/pipeline/synth.ts';
import { STACKS } from '../../stacks/index.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const checkout = process.env.IMAGE_BUILDER_DIR;
if (!checkout) {
  throw new Error(`IMAGE_BUILDER_DIR is not set: name a checkout of ${IMAGE_BUILDER.source.repository} at ${IMAGE_BUILDER.source.tag} (git clone --branch ${IMAGE_BUILDER.source.tag} https://github.com/${IMAGE_BUILDER.source.repository})`);
}
const capi = join(checkout, 'images', 'capi');

/** The packer binary scripts/e2e-tools.sh built (package.json's test:node-image builds it first). */
function packer(): string {
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'e2e-tools.sh'), 'packer'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.split('\n').find((l) => l.startsWith('packer='));
  if (!line) throw new Error('scripts/e2e-tools.sh printed no packer= line');
  return line.slice('packer='.length);
}

/** The common var files image-builder's Makefile passes to every Linux build (COMMON_NODE_VAR_FILES). */
const COMMON = ['kubernetes', 'cni', 'containerd', 'wasm-shims', 'ansible-args', 'goss-args', 'common', 'additional_components', 'ecr_credential_provider'].map((f) => `packer/config/${f}.json`);

describe(`packer validate against ${IMAGE_BUILDER.source.repository} at IMAGE_BUILDER_DIR`, () => {
  const work = mkdtempSync(join(tmpdir(), 'node-image-packer-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const bin = packer();

  it(`is the pinned ${IMAGE_BUILDER.source.tag} (${IMAGE_BUILDER.source.commit})`, () => {
    expect(execFileSync('git', ['-C', checkout, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()).toBe(IMAGE_BUILDER.source.commit);
  });

  const builds = synthesize(STACKS).filter((b) => b.model.nodeImageBuild !== undefined);
  it('has bundles with build instructions', () => expect(builds.length).toBeGreaterThan(0));

  for (const bundle of builds) {
    it(`${bundle.path}: the emitted variable file passes packer validate -syntax-only with the Makefile's var files`, () => {
      const build = bundle.model.nodeImageBuild!;
      const target = IMAGE_BUILDER.targets[build.props.target];
      const dir = join(work, bundle.path);
      mkdirSync(dir, { recursive: true });
      const vars = join(dir, 'packer-variables.json');
      writeFileSync(vars, bundle.files.find((f) => f.path === 'node-image/packer-variables.json')!.content);
      const varFiles = [...COMMON, ...target.extraVarFiles, `packer/${build.props.target}/${build.props.build}.json`];
      for (const f of varFiles) expect(existsSync(join(capi, f)), f).toBe(true);
      const args = ['validate', '-syntax-only', ...varFiles.map((f) => `-var-file=${f}`), `-var-file=${vars}`, target.template];
      const r = spawnSync(bin, args, { cwd: capi, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_PLUGIN_PATH: join(work, 'plugins') } });
      expect(r.status, `${bin} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    });
  }

  it('a variable the template does not know makes packer validate fail, so the check can fail', () => {
    const build = builds[0]!.model.nodeImageBuild!;
    const target = IMAGE_BUILDER.targets[build.props.target];
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ kubernetes_semver: 7 }));
    const varFiles = [...COMMON, ...target.extraVarFiles, `packer/${build.props.target}/${build.props.build}.json`];
    const r = spawnSync(bin, ['validate', '-syntax-only', ...varFiles.map((f) => `-var-file=${f}`), `-var-file=${bad}`, target.template], { cwd: capi, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    expect(r.status).not.toBe(0);
  });
});
