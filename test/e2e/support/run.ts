import { spawn } from 'node:child_process';

/** What a tool did: its exit code and everything it printed. */
export interface RunResult {
  readonly command: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Added to (and overriding) the inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to the tool's stdin, which is closed afterwards. */
  readonly input?: string;
  /** Killed after this many milliseconds. @default 300_000 */
  readonly timeoutMs?: number;
}

/** Runs a binary (no shell) and collects its output; never throws for a non-zero exit. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = [file, ...args].map(shellQuote).join(' ') + (options.cwd ? `   (in ${options.cwd})` : '');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 300_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new Error(`${command}: cannot run: ${e.message}`)));
    child.on('close', (code, signal) => {
      resolve({ command, code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined); // a tool that does not read stdin closes it early
    child.stdin.end(options.input ?? '');
  });
}

/** The whole story of a run, for assertion messages. */
export function describeRun(r: RunResult, maxChars = 12_000): string {
  const clip = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars)}\n… (${s.length - maxChars} more characters)` : s);
  const status = r.signal ? `killed by ${r.signal}` : `exit code ${String(r.code)}`;
  return `$ ${r.command}\n${status}\n--- stderr ---\n${clip(r.stderr.trimEnd())}\n--- stdout ---\n${clip(r.stdout.trimEnd())}\n--------------`;
}

/** Throws, with the tool's own output, unless it exited with 0. */
export function assertSuccess(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} failed:\n${describeRun(r)}`);
  return r;
}

/** Throws, with the tool's own output, unless it failed. */
export function assertFailure(r: RunResult, what: string): RunResult {
  if (r.code === 0) throw new Error(`${what} was expected to fail but succeeded:\n${describeRun(r)}`);
  return r;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `fn` over `items` with at most `limit` at once (the machine has two
 * cores; the tools are single-threaded enough that two at once pays off).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
