import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { ReleaseSignature } from './commands/sign-release.ts';
import type { PublishCommandOptions } from './commands/publish.ts';
import { ociCommandContext, type OciCommandHelpers, type OciCommandIo, type TargetOptions } from './oci.ts';

/**
 * The signing side of the registry commands: `publish --sign-key`,
 * `pull --verify-key`, `verify` and `keygen`. Keys are cosign's formats,
 * given as a file or `env://NAME`; the password of an encrypted key is
 * `$COSIGN_PASSWORD`. Key material never reaches the output.
 */

export const SIGN_KEY_HELP = 'sign each release with this cosign private key (file or env://VAR; password in $COSIGN_PASSWORD) and attach its SBOM and provenance as signed attestations';
export const VERIFY_KEY_HELP = 'refuse the release, before writing anything, unless it is signed by this cosign public key (file or env://VAR) for exactly the manifest pulled';

/** The `sign` hook of publishCommand for `--sign-key`; loads the key (and the pinned CRDs) before anything is pushed. */
export async function publishSigning(key: string, env: NodeJS.ProcessEnv, root: string): Promise<NonNullable<PublishCommandOptions['sign']>> {
  const [{ releaseSigning, signPublishedRelease }, { loadSigner }] = await Promise.all([import('./commands/sign-release.ts'), import('../lib/signing/keys.ts')]);
  const signing = releaseSigning(loadSigner(key, env), root);
  return (client, repository, artifact) => signPublishedRelease(client, repository, artifact, signing);
}

/** One line per signed release for the publish output. */
export function describeSignature(s: ReleaseSignature): string {
  const sig = s.signature === 'signed' ? `signed ${s.digest} (${s.signatureReference})` : `already signed by this key (${s.signatureReference})`;
  const att = [...(s.attested.length > 0 ? [`attested ${s.attested.join(', ')}`] : []), ...(s.alreadyAttested.length > 0 ? [`already attested ${s.alreadyAttested.join(', ')}`] : [])].join('; ');
  return `${sig}; ${att} (${s.attestationReference})`;
}

export function registerSigningCommands(program: Command, io: OciCommandIo, helpers: OciCommandHelpers, addTarget: (c: Command) => Command): void {
  const { env, say, target } = ociCommandContext(io, helpers);

  addTarget(program.command('verify').description('verify the cosign signature of a release tag, or that a local release folder is exactly the signed release of its tag'))
    .argument('<tag-or-release-dir>', 'a release tag (e.g. openstack-scs-1-34-v1) or a local release folder named after its tag')
    .requiredOption('--key <key>', 'cosign public key (file or env://VAR)')
    .action(async (what: string, opts: TargetOptions & { key: string }) => {
      const isDir = what.includes('/') || existsSync(what);
      const [{ verifyCommand }, { loadVerifier }] = await Promise.all([import('./commands/verify.ts'), import('../lib/signing/keys.ts')]);
      const verifier = loadVerifier(opts.key, env);
      const summary = await verifyCommand({ ...target(opts), target: isDir ? { kind: 'folder', dir: resolve(what) } : { kind: 'tag', tag: what }, verifier });
      if (opts.output === 'json') {
        io.out(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      say(`verified ${summary.reference} (${summary.digest}): signed by ${opts.key}`);
      say(`attestations signed by this key: ${summary.attestations.length > 0 ? summary.attestations.join(', ') : 'none'}${summary.otherAttestations > 0 ? ` (${summary.otherAttestations} other attestation layer(s) not verified)` : ''}`);
      if (summary.folder) say(`${summary.folder.dir}: all ${summary.folder.files} files are the signed release`);
    });

  program
    .command('keygen')
    .description("write a new ECDSA P-256 key pair in cosign's formats: <prefix>.key (encrypted with $COSIGN_PASSWORD) and <prefix>.pub")
    .addOption(new Option('--output-prefix <path>', 'path prefix of the two files').default('cosign'))
    .action(async (opts: { outputPrefix: string }) => {
      const password = env.COSIGN_PASSWORD;
      if (password === undefined) throw helpers.usageError('keygen encrypts the private key with $COSIGN_PASSWORD; set it (it may be empty, as for cosign)');
      const keyPath = resolve(`${opts.outputPrefix}.key`);
      const pubPath = resolve(`${opts.outputPrefix}.pub`);
      for (const p of [keyPath, pubPath]) if (existsSync(p)) throw new Error(`${p} already exists; refusing to replace a key`);
      const { generateCosignKeyPair } = await import('../lib/signing/keys.ts');
      const pair = generateCosignKeyPair(password);
      writeNew(keyPath, pair.privateKeyPem, 0o600);
      writeNew(pubPath, pair.publicKeyPem, 0o644);
      say(`wrote ${keyPath} (private, encrypted) and ${pubPath} (public)`);
    });
}

/** Creates a file that must not exist yet ('wx'), so a race never replaces someone's key. */
function writeNew(path: string, content: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}
