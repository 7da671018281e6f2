import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJsonBytes } from '../../lib/bytes/json.ts';
import { RegistryClient } from '../../lib/registry/client.ts';
import { MediaTypes } from '../../lib/registry/media-types.ts';
import { cosignTag } from '../../lib/signing/cosign-store.ts';
import { loadSigner } from '../../lib/signing/keys.ts';
import { changeRelease, runOci, type CliResult } from '../lib/registry/harness/fixtures.ts';
import { LocalRegistry, missingTools } from '../lib/registry/harness/registry.ts';
import { e2e, e2eEnabled } from './support/context.ts';
import { describeRun, run, type RunResult } from './support/run.ts';

/**
 * Signed releases against the real cosign (built from its Go module at the
 * version pinned in test/e2e/tools/versions.env) and Debian's docker-registry
 * on loopback: cosign accepts what `publish --sign-key` writes (signature
 * and attestations), `pull --verify-key` accepts what `cosign sign` writes,
 * and every tampering case is refused by both, with nothing written.
 * No Rekor is reachable, so cosign runs with the transparency log off.
 */
describe.skipIf(!e2eEnabled)('signed releases, checked with the real cosign', () => {
  const PASSWORD = 'correct horse battery staple';
  let registry: LocalRegistry;
  let cosign: string;
  let work: string;
  let cosignEnv: Record<string, string>;
  const repo = 'signed';

  const cli = (argv: readonly string[]): Promise<CliResult> => runOci(argv, { env: { COSIGN_PASSWORD: PASSWORD } });
  const target = (repository = repo) => ['--registry', registry.host, '--repository', repository, '--plain-http'];
  const cosignRun = (args: readonly string[]): Promise<RunResult> => run(cosign, args, { env: cosignEnv, cwd: work, timeoutMs: 120_000 });
  const cosignVerify = (ref: string, key: string) => cosignRun(['verify', '--key', key, '--insecure-ignore-tlog=true', '--allow-http-registry', ref]);
  const client = () => new RegistryClient({ registry: registry.host, plainHttp: true });
  const digestOf = async (tag: string, repository = repo) => (await client().resolve(repository, tag))?.digest as string;
  /** A release folder of the e2e scratch set, copied so tests can change it. */
  const release = (provider: string, set: 'stable' | 'vendored' = 'stable'): string => {
    const r = e2e()[set].releases.find((x) => x.provider === provider && x.tag.includes('-1-34-'));
    if (!r) throw new Error(`no ${provider} 1.34 release in the e2e set`);
    const dir = join(mkdtempSync(join(work, `${set}-`)), r.tag);
    cpSync(r.dir, dir, { recursive: true });
    return dir;
  };
  const expectOk = (r: CliResult) => expect(r.code, r.err).toBe(0);
  const expectCosignOk = (r: RunResult) => expect(r.code, describeRun(r)).toBe(0);
  /** A pull that must be refused: the message, and no folder written. */
  const expectRefusedPull = async (repository: string, tag: string, key: string, message: string | RegExp) => {
    const out = join(work, `pull-${Math.random().toString(36).slice(2)}`);
    const r = await cli(['pull', tag, ...target(repository), '--output-dir', out, '--verify-key', key]);
    expect(r.code, r.out).toBe(1);
    expect(r.err).toMatch(message);
    expect(existsSync(out), 'nothing may be written for a refused release').toBe(false);
  };

  beforeAll(async () => {
    const missing = missingTools();
    if (missing) throw new Error(`the signing e2e test needs ${missing}`);
    const built = spawnSync('bash', [join(e2e().root, 'scripts', 'e2e-tools.sh'), 'cosign'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    cosign = /^cosign=(.+)$/m.exec(built.stdout)?.[1] ?? '';
    if (built.status !== 0 || !existsSync(cosign)) throw new Error(`scripts/e2e-tools.sh cosign failed (exit ${String(built.status)}): ${built.stdout}`);
    work = mkdtempSync(join(e2e().work, 'signing-'));
    mkdirSync(join(work, 'home'));
    // Hermetic cosign: its own home (no ~/.docker, ~/.sigstore of the machine), anonymous registry access.
    cosignEnv = { COSIGN_PASSWORD: PASSWORD, HOME: join(work, 'home'), DOCKER_CONFIG: join(work, 'home', '.docker') };
    registry = await LocalRegistry.start();
    expectOk(await cli(['keygen', '--output-prefix', join(work, 'ours')]));
    expectCosignOk(await cosignRun(['generate-key-pair', '--output-key-prefix', 'theirs']));
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('keygen refuses to replace an existing key', async () => {
    const r = await cli(['keygen', '--output-prefix', join(work, 'ours')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(work, 'ours.key')} already exists; refusing to replace a key`);
  });

  it('cosign verifies the signature and both attestations of publish --sign-key, with our key and with a key cosign generated', async () => {
    const docker = release('docker');
    const openstack = release('openstack', 'vendored');
    const r = await cli(['publish', docker, openstack, ...target(), '--sign-key', join(work, 'ours.key'), '--revision', 'ab'.repeat(20)]);
    expectOk(r);
    expect(r.out).toMatch(/:docker-scs-1-34-v\d+: signed sha256:[0-9a-f]{64} \(.*\.sig\); attested https:\/\/cyclonedx\.org\/bom, https:\/\/slsa\.dev\/provenance\/v1/);
    for (const dir of [docker, openstack]) {
      const tag = dir.split('/').pop() as string;
      const digest = await digestOf(tag);
      const verified = await cosignVerify(`${registry.host}/${repo}:${tag}`, 'ours.pub');
      expectCosignOk(verified);
      expect(verified.stdout).toContain(`"docker-manifest-digest":"${digest}"`);
      for (const type of ['cyclonedx', 'slsaprovenance1']) {
        const att = await cosignRun(['verify-attestation', '--key', 'ours.pub', '--type', type, '--insecure-ignore-tlog=true', '--allow-http-registry', `${registry.host}/${repo}:${tag}`]);
        expectCosignOk(att);
        const statement = JSON.parse(Buffer.from((JSON.parse(att.stdout.trim().split('\n')[0] as string) as { payload: string }).payload, 'base64').toString()) as {
          subject: { digest: { sha256: string } }[];
          predicate: Record<string, unknown>;
        };
        expect(statement.subject[0]?.digest.sha256).toBe(digest.slice('sha256:'.length));
        const predicate = JSON.stringify(statement.predicate);
        if (type === 'slsaprovenance1') expect(predicate).toContain(`"gitCommit":"${'ab'.repeat(20)}"`);
        if (type === 'cyclonedx' && tag.startsWith('docker')) expect(predicate).toContain('"name":"kindest/node"');
        if (type === 'cyclonedx' && tag.startsWith('openstack')) {
          // The vendored release: upstream charts carry the digest of the archive inside the release.
          expect(predicate).toMatch(/"name":"openstack-cloud-controller-manager".*?"hashes":\[\{"alg":"SHA-256","content":"[0-9a-f]{64}"\}\]/);
          expect(predicate).toContain('"name":"capo-v0.14.7/infrastructure.cluster.x-k8s.io_openstackmachinetemplates.yaml"');
        }
      }
    }
    // A second publish changes nothing: same payload signed by the same key.
    const again = await cli(['publish', docker, ...target(), '--sign-key', join(work, 'ours.key'), '--revision', 'ab'.repeat(20)]);
    expectOk(again);
    expect(again.out).toContain('already signed by this key');
    expect(again.out).toContain('already attested https://cyclonedx.org/bom, https://slsa.dev/provenance/v1');

    // cosign's own encrypted key, from an environment variable.
    const moved = release('openstack');
    const withEnv = await runOci(['publish', moved, ...target(), '--repository', 'signed-env', '--sign-key', 'env://RELEASE_KEY'], {
      env: { COSIGN_PASSWORD: PASSWORD, RELEASE_KEY: readFileSync(join(work, 'theirs.key'), 'utf8') },
    });
    expectOk(withEnv);
    expect(withEnv.out + withEnv.err).not.toContain('PRIVATE KEY');
    expectCosignOk(await cosignVerify(`${registry.host}/signed-env:${moved.split('/').pop() as string}`, 'theirs.pub'));
  });

  it('pull --verify-key and verify accept a release signed by cosign sign, and refuse it with another key', async () => {
    const dir = release('docker');
    changeRelease(dir, 'clusteraddon.yaml', (t) => `${t}# signed by cosign\n`);
    const tag = dir.split('/').pop() as string;
    expectOk(await cli(['publish', dir, ...target(), '--repository', 'by-cosign']));
    const resolved = (await client().resolve('by-cosign', tag))?.digest as string;
    expectCosignOk(await cosignRun(['sign', '--key', 'theirs.key', '--tlog-upload=false', '--allow-http-registry', '-y', `${registry.host}/by-cosign@${resolved}`]));

    const out = join(work, 'pulled-by-cosign');
    const pulled = await runOci(['pull', tag, '--registry', registry.host, '--repository', 'by-cosign', '--plain-http', '--output-dir', out, '--verify-key', join(work, 'theirs.pub')]);
    expectOk(pulled);
    expect(pulled.out).toContain(`signature verified with ${join(work, 'theirs.pub')}`);
    expect(readdirSync(join(out, tag)).sort()).toEqual(readdirSync(dir).sort());

    const verified = await runOci(['verify', tag, '--registry', registry.host, '--repository', 'by-cosign', '--plain-http', '--key', join(work, 'theirs.pub')]);
    expectOk(verified);
    expect(verified.out).toContain(`verified ${registry.host}/by-cosign:${tag} (${resolved})`);
    const folder = await runOci(['verify', join(out, tag), '--registry', registry.host, '--repository', 'by-cosign', '--plain-http', '--key', join(work, 'theirs.pub')]);
    expectOk(folder);
    expect(folder.out).toContain(`all ${readdirSync(dir).length} files are the signed release`);

    const wrong = join(work, 'pull-wrong-key');
    const refused = await runOci(['pull', tag, '--registry', registry.host, '--repository', 'by-cosign', '--plain-http', '--output-dir', wrong, '--verify-key', join(work, 'ours.pub')]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`the signature at ${registry.host}/by-cosign:${cosignTag(resolved, 'sig')} does not verify with ${join(work, 'ours.pub')}: signed by another key, or the signature was replaced — refusing it`);
    expect(existsSync(wrong)).toBe(false);
  });

  describe('tampering is refused by pull, verify and cosign alike, and nothing is written', () => {
    const TAMPERED = 'tampered';
    let tag: string;
    let signedDigest: string;
    let dir: string;
    beforeAll(async () => {
      dir = release('docker');
      changeRelease(dir, 'clusteraddon.yaml', (t) => `${t}# tampering cases\n`);
      tag = dir.split('/').pop() as string;
      expectOk(await cli(['publish', dir, ...target(TAMPERED), '--sign-key', join(work, 'ours.key')]));
      signedDigest = await digestOf(tag, TAMPERED);
      expectOk(await cli(['verify', tag, ...target(TAMPERED), '--key', join(work, 'ours.pub')]));
    });

    it('a wrong key', async () => {
      await expectRefusedPull(TAMPERED, tag, join(work, 'theirs.pub'), `the signature at ${registry.host}/${TAMPERED}:${cosignTag(signedDigest, 'sig')} does not verify with ${join(work, 'theirs.pub')}`);
      expect((await cosignVerify(`${registry.host}/${TAMPERED}:${tag}`, 'theirs.pub')).code).not.toBe(0);
    });

    it('a missing signature (a release published without --sign-key)', async () => {
      const unsigned = release('openstack');
      changeRelease(unsigned, 'clusteraddon.yaml', (t) => `${t}# never signed\n`);
      const unsignedTag = unsigned.split('/').pop() as string;
      expectOk(await cli(['publish', unsigned, ...target(TAMPERED)]));
      const digest = await digestOf(unsignedTag, TAMPERED);
      await expectRefusedPull(TAMPERED, unsignedTag, join(work, 'ours.pub'), `${registry.host}/${TAMPERED}:${unsignedTag} (${digest}) is not signed: there is no ${registry.host}/${TAMPERED}:${cosignTag(digest, 'sig')}; refusing it`);
      const v = await cli(['verify', unsignedTag, ...target(TAMPERED), '--key', join(work, 'ours.pub')]);
      expect(v.code).toBe(1);
      expect(v.err).toContain('is not signed');
      expect((await cosignVerify(`${registry.host}/${TAMPERED}:${unsignedTag}`, 'ours.pub')).code).not.toBe(0);
    });

    it('a replaced signature (the .sig tag re-pushed with a signature over other bytes)', async () => {
      const sigTag = cosignTag(signedDigest, 'sig');
      const c = client();
      const original = await c.getManifest(TAMPERED, sigTag, [MediaTypes.imageManifest]);
      const manifest = JSON.parse(original.bytes.toString()) as { layers: { annotations: Record<string, string> }[] };
      const layer = manifest.layers[0] as { annotations: Record<string, string> };
      // A valid-looking ECDSA signature by our key, but over another payload.
      layer.annotations['dev.cosignproject.cosign/signature'] = loadSigner(join(work, 'ours.key'), { COSIGN_PASSWORD: PASSWORD }).sign(Buffer.from('something else')).toString('base64');
      await c.pushManifest(TAMPERED, sigTag, canonicalJsonBytes(manifest as never), MediaTypes.imageManifest);
      try {
        await expectRefusedPull(TAMPERED, tag, join(work, 'ours.pub'), 'does not verify with');
        expect((await cosignVerify(`${registry.host}/${TAMPERED}:${tag}`, 'ours.pub')).code).not.toBe(0);
      } finally {
        await c.pushManifest(TAMPERED, sigTag, original.bytes, MediaTypes.imageManifest);
      }
      expectOk(await cli(['verify', tag, ...target(TAMPERED), '--key', join(work, 'ours.pub')]));
    });

    it('a re-pushed manifest: new content under the tag, with or without the old signature copied to it', async () => {
      const c = client();
      const before = await c.getManifest(TAMPERED, tag, [MediaTypes.imageManifest]);
      // Someone replaces the release under its tag (the same folder, changed, pushed with --force).
      const changed = join(mkdtempSync(join(work, 'repushed-')), tag);
      cpSync(dir, changed, { recursive: true });
      changeRelease(changed, 'clusteraddon.yaml', (t) => `${t}# injected\n`);
      expectOk(await cli(['publish', changed, ...target(TAMPERED), '--force']));
      const now = await digestOf(tag, TAMPERED);
      expect(now).not.toBe(signedDigest);
      try {
        await expectRefusedPull(TAMPERED, tag, join(work, 'ours.pub'), `(${now}) is not signed`);
        // ... and copies the old signature to the new digest's .sig tag.
        const oldSig = await c.getManifest(TAMPERED, cosignTag(signedDigest, 'sig'), [MediaTypes.imageManifest]);
        await c.pushManifest(TAMPERED, cosignTag(now, 'sig'), oldSig.bytes, MediaTypes.imageManifest);
        await expectRefusedPull(TAMPERED, tag, join(work, 'ours.pub'), `is for ${signedDigest}, not for the manifest pulled (${now}); the content under this tag is not what was signed — refusing it`);
        const cosignResult = await cosignVerify(`${registry.host}/${TAMPERED}:${tag}`, 'ours.pub');
        expect(cosignResult.code).not.toBe(0);
        expect(cosignResult.stderr).toContain('invalid or missing digest in claim');
      } finally {
        await c.pushManifest(TAMPERED, tag, before.bytes, MediaTypes.imageManifest);
      }
      expectOk(await cli(['verify', tag, ...target(TAMPERED), '--key', join(work, 'ours.pub')]));
    });

    it('a local folder that differs from the signed release', async () => {
      const local = join(mkdtempSync(join(work, 'local-')), tag);
      cpSync(dir, local, { recursive: true });
      expectOk(await cli(['verify', local, ...target(TAMPERED), '--key', join(work, 'ours.pub')]));
      writeFileSync(join(local, 'clusteraddon.yaml'), 'changed: true\n');
      rmSync(join(local, 'hashes.json'));
      const r = await cli(['verify', local, ...target(TAMPERED), '--key', join(work, 'ours.pub')]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/not the release signed at .*: clusteraddon\.yaml has \d+ bytes, the signed release \d+; hashes\.json is missing/);
    });
  });
});
