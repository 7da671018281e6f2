import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerOciCommands } from '../../../../cli/oci.ts';
import { StackVersion } from '../../../../constructs/stack-version.ts';
import { planRelease } from '../../../../lib/release/release.ts';
import { STACKS } from '../../../../stacks/index.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** True when run by `npm run test:registry` (vitest.registry.config.ts sets it). */
export const REGISTRY_SUITE = process.env.CLUSTER_STACKS_REGISTRY_SUITE === '1';

/**
 * Writes the real release folder of one shipped stack × minor at `version`
 * (custom mode) into `parent/<tag>/`, exactly as `cluster-stacks release`
 * renders it; returns the folder.
 */
export async function makeRelease(parent: string, options: { provider?: string; minor?: string; version?: string } = {}): Promise<string> {
  const provider = options.provider ?? 'docker';
  const minor = options.minor ?? '1-34';
  const v = StackVersion.parse(options.version ?? 'v1');
  const plan = await planRelease({
    root: ROOT,
    definitions: STACKS,
    mode: { kind: 'custom', versions: { clusterStack: v, clusterAddon: v, nodeImage: v } },
    filter: (id) => id.provider === provider && id.kubernetes.minorSlug === minor,
  });
  const entry = plan.entries[0];
  if (!entry || plan.entries.length !== 1) throw new Error(`no single bundle for ${provider} ${minor}`);
  const dir = join(parent, entry.bundle.releaseTag);
  mkdirSync(dir, { recursive: true });
  for (const f of entry.files) writeFileSync(join(dir, f.path), f.content);
  return dir;
}

/** Copies a release folder to `parent/<same name>/`. */
export function copyRelease(dir: string, parent: string): string {
  const target = join(parent, dir.split('/').pop() as string);
  cpSync(dir, target, { recursive: true });
  return target;
}

/** Rewrites one file of a release folder and SHA256SUMS with it, as a changed release would be. */
export function changeRelease(dir: string, file: string, change: (text: string) => string): void {
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
  const names = readdirSync(dir).filter((n) => n !== 'SHA256SUMS').sort();
  writeFileSync(join(dir, 'SHA256SUMS'), names.map((n) => `${createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')}  ${n}\n`).join(''));
}

/** Every file of a folder, name → bytes. */
export function readFolder(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n))]));
}

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs `cluster-stacks <argv>` with only the OCI commands registered, the
 * way cli/main.ts runs its program: errors become `error: …` on stderr and
 * exit code 1, usage errors exit code 2.
 */
export async function runOci(argv: readonly string[], options: { env?: NodeJS.ProcessEnv; isTTY?: boolean } = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  class UsageError extends Error {}
  const program = new Command('cluster-stacks').option('-q, --quiet', 'print only errors').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerOciCommands(program, { out: (s) => (out += s), err: (s) => (err += s), isTTY: options.isTTY ?? false }, {
    root: ROOT,
    quiet: () => program.opts<{ quiet?: boolean }>().quiet ?? false,
    usageError: (m) => new UsageError(m),
    // Hermetic: never the developer's ~/.docker/config.json.
    env: { CI: 'true', DOCKER_CONFIG: join(ROOT, '.cache', 'no-docker-config'), ...options.env },
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2, out, err };
    err += `error: ${(e as Error).message}\n`;
    return { code: e instanceof UsageError ? 2 : 1, out, err };
  }
}
