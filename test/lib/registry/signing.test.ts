import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseSigning, signPublishedRelease } from '../../../cli/commands/sign-release.ts';
import { RegistryClient } from '../../../lib/registry/client.ts';
import { readReleaseArtifact } from '../../../lib/registry/release-artifact.ts';
import { verifyArtifactAttestations } from '../../../lib/signing/verify.ts';
import { generateCosignKeyPair, loadSigner, loadVerifier } from '../../../lib/signing/keys.ts';
import { changeRelease, copyRelease, makeRelease, REGISTRY_SUITE, ROOT, runOci } from './harness/fixtures.ts';
import { LocalRegistry } from './harness/registry.ts';

/**
 * publish --sign-key / pull --verify-key / verify against Debian's
 * docker-registry, with this project's code on both sides (the e2e suite
 * checks the same against the real cosign).
 */
describe.runIf(REGISTRY_SUITE)('signed publish and verified pull through a real registry', () => {
  const REPO = 'signed/releases';
  const PASSWORD = 'pw';
  let registry: LocalRegistry;
  let work: string;
  let docker: string;
  let keyFile: string;
  let pubFile: string;
  const target = () => ['--registry', registry.host, '--repository', REPO, '--plain-http'];
  const env = { COSIGN_PASSWORD: PASSWORD };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-signing-'));
    [registry, docker] = await Promise.all([LocalRegistry.start(), makeRelease(join(work, 'release'), { provider: 'docker', version: 'v1' })]);
    const pair = generateCosignKeyPair(PASSWORD);
    keyFile = join(work, 'cosign.key');
    pubFile = join(work, 'cosign.pub');
    writeFileSync(keyFile, pair.privateKeyPem);
    writeFileSync(pubFile, pair.publicKeyPem);
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('a key that cannot be loaded stops publish before anything is pushed', async () => {
    const r = await runOci(['publish', docker, ...target(), '--sign-key', keyFile], { env: { COSIGN_PASSWORD: 'wrong' } });
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: ${keyFile}: cannot decrypt the key: wrong password in COSIGN_PASSWORD, or a damaged key file\n`);
    const client = new RegistryClient({ registry: registry.host, plainHttp: true });
    expect(await client.resolve(REPO, 'docker-scs-1-34-v1')).toBeUndefined();
  });

  it('signs the manifest the tag already serves when only its revision differs, and states that revision', async () => {
    expect((await runOci(['publish', docker, ...target(), '--revision', 'first'])).code).toBe(0);
    const client = new RegistryClient({ registry: registry.host, plainHttp: true });
    const served = (await client.resolve(REPO, 'docker-scs-1-34-v1'))?.digest as string;
    const r = await runOci(['publish', docker, ...target(), '--revision', 'second', '--sign-key', keyFile, '-o', 'json'], { env });
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as { releases: { status: string; signature: { digest: string; signature: string; attested: string[] } }[] };
    expect(summary.releases[0]).toMatchObject({ status: 'already-published', signature: { digest: served, signature: 'signed' } });
    const attestations = await verifyArtifactAttestations(client, REPO, served, loadVerifier(pubFile, {}));
    const provenance = attestations.verified.find((a) => a.predicateType === 'https://slsa.dev/provenance/v1')?.predicate as { buildDefinition: { externalParameters: { revision: string } } };
    expect(provenance.buildDefinition.externalParameters.revision).toBe('first');

    const out = join(work, 'pulled');
    const pulled = await runOci(['pull', 'docker-scs-1-34-v1', ...target(), '--output-dir', out, '--verify-key', pubFile, '-o', 'json']);
    expect(pulled.code, pulled.err).toBe(0);
    expect((JSON.parse(pulled.out) as { signature: { digest: string } }).signature.digest).toBe(served);
  });

  it('never signs content someone else put under the tag', async () => {
    const other = copyRelease(docker, join(work, 'other'));
    changeRelease(other, 'clusteraddon.yaml', (t) => `${t}# other\n`);
    const client = new RegistryClient({ registry: registry.host, plainHttp: true });
    const signing = releaseSigning(loadSigner(keyFile, env), ROOT);
    await expect(signPublishedRelease(client, REPO, await readReleaseArtifact(other), signing)).rejects.toThrow(
      /docker-scs-1-34-v1 now holds sha256:[0-9a-f]{64}, which is not the content of .*other\/docker-scs-1-34-v1; not signing it/,
    );
  });

  it('verify refuses a tag whose signature is missing', async () => {
    const unsigned = copyRelease(docker, join(work, 'unsigned'));
    const r0 = await runOci(['publish', unsigned, '--registry', registry.host, '--repository', 'unsigned', '--plain-http']);
    expect(r0.code).toBe(0);
    const r = await runOci(['verify', 'docker-scs-1-34-v1', '--registry', registry.host, '--repository', 'unsigned', '--plain-http', '--key', pubFile]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: .*\/unsigned:docker-scs-1-34-v1 \(sha256:[0-9a-f]{64}\) is not signed: there is no .*\/unsigned:sha256-[0-9a-f]{64}\.sig; refusing it\n$/);
  });
});
