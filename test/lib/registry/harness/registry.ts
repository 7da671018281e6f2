import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Real registries for the tests: Debian's `docker-registry` (the CNCF
 * distribution registry 2.8) on 127.0.0.1, a free port and a temporary
 * storage folder. Every process is killed when its test file ends, when the
 * worker exits, and at the latest after WATCHDOG_MS.
 */

export const REGISTRY_BIN = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';
export const HTPASSWD_BIN = process.env.HTPASSWD_BIN ?? 'htpasswd';
/** apt packages that provide the binaries (what .ci/run installs). */
export const APT_PACKAGES = 'docker-registry apache2-utils';

/** What is missing to run the registry tests, or undefined when everything is there. */
export function missingTools(): string | undefined {
  const missing: string[] = [];
  if (!existsSync(REGISTRY_BIN)) missing.push(`${REGISTRY_BIN} (apt-get install docker-registry)`);
  if (spawnSync(HTPASSWD_BIN, ['-h'], { stdio: 'ignore' }).error) missing.push(`${HTPASSWD_BIN} (apt-get install apache2-utils)`);
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).error) missing.push('openssl (apt-get install openssl)');
  return missing.length > 0 ? missing.join(', ') : undefined;
}

const WATCHDOG_MS = 10 * 60_000;
const READY_TIMEOUT_MS = 15_000;
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export type RegistryAuth =
  | { readonly kind: 'htpasswd'; readonly username: string; readonly password: string }
  | { readonly kind: 'token'; readonly realm: string; readonly service: string; readonly issuer: string; readonly rootCertBundle: string };

export interface RegistryOptions {
  readonly auth?: RegistryAuth;
}

/** A free TCP port on 127.0.0.1 (free when asked; the registry binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export class LocalRegistry {
  /** Starts a registry; retries with another port if the chosen one was taken meanwhile. */
  public static async start(options: RegistryOptions = {}): Promise<LocalRegistry> {
    const dir = mkdtempSync(join(tmpdir(), 'cs-registry-'));
    let lastError: unknown;
    for (let i = 0; i < 3; i++) {
      const registry = new LocalRegistry(dir, await freePort(), options);
      try {
        await registry.launch();
        return registry;
      } catch (e) {
        lastError = e;
        await registry.kill();
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }

  private process: ChildProcess | undefined;
  private output = '';
  public readonly configPath: string;
  public readonly dataDir: string;

  private constructor(public readonly dir: string, public readonly port: number, private readonly options: RegistryOptions) {
    this.dataDir = join(dir, 'data');
    this.configPath = join(dir, 'config.yml');
  }

  /** `127.0.0.1:<port>`. */
  public get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The registry's stdout and stderr so far, for failure messages. */
  public get log(): string {
    return this.output;
  }

  /** Kills the process at once (SIGKILL), as a crash would; storage stays. */
  public async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
    children.delete(child);
  }

  /** Starts the process again on the same port and storage. */
  public async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** Kills the process and deletes the storage. */
  public async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeConfig(): void {
    mkdirSync(this.dataDir, { recursive: true });
    const auth = this.options.auth;
    let authYaml = '';
    if (auth?.kind === 'htpasswd') {
      const htpasswd = join(this.dir, 'htpasswd');
      // -B: bcrypt (the only scheme the registry accepts); -i: password from stdin, not argv.
      const result = spawnSync(HTPASSWD_BIN, ['-B', '-i', '-n', auth.username], { input: auth.password, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`htpasswd failed: ${result.stderr}`);
      writeFileSync(htpasswd, result.stdout);
      authYaml = `auth:\n  htpasswd:\n    realm: test-registry\n    path: ${htpasswd}\n`;
    } else if (auth?.kind === 'token') {
      authYaml = `auth:\n  token:\n    realm: ${auth.realm}\n    service: ${auth.service}\n    issuer: ${auth.issuer}\n    rootcertbundle: ${auth.rootCertBundle}\n`;
    }
    writeFileSync(
      this.configPath,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${this.dataDir}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${this.port}`,
        // A fixed secret: upload sessions survive a restart, as with a real deployment's configured secret.
        '  secret: cluster-stacks-test-secret',
        authYaml,
      ].join('\n'),
    );
  }

  private async launch(): Promise<void> {
    this.writeConfig();
    const child = spawn(REGISTRY_BIN, ['serve', this.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    this.process = child;
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString('utf8')));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), WATCHDOG_MS);
    watchdog.unref();
    child.once('exit', () => {
      clearTimeout(watchdog);
      children.delete(child);
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}) on port ${this.port}:\n${this.output}`);
      try {
        const response = await fetch(`http://${this.host}/v2/`, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        return; // 200 or 401: it answers
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`docker-registry did not answer on ${this.host} within ${READY_TIMEOUT_MS / 1000}s:\n${this.output}`);
  }
}
