import { spawn, type ChildProcess } from 'node:child_process';
import { isObject, type JsonObject } from '../../e2e/support/yaml.ts';

export interface WatchEvent {
  readonly type: string;
  readonly object: JsonObject;
}

/**
 * `kubectl get --watch --output-watch-events -o json`: every ADDED, MODIFIED
 * and DELETED event of a resource in one namespace, in order, as the API
 * server sends them (the first events are the objects that exist already).
 */
export class Watch {
  public readonly events: WatchEvent[] = [];
  private readonly child: ChildProcess;
  private buffer = '';
  private stderr = '';

  public constructor(kubectl: string, kubeconfig: string, resource: string, namespace: string, selector?: string) {
    this.child = spawn(kubectl, ['get', resource, '-n', namespace, '--watch', '--output-watch-events', '-o', 'json', ...(selector ? ['-l', selector] : [])], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (c: Buffer) => this.consume(c.toString('utf8')));
    this.child.stderr?.on('data', (c: Buffer) => {
      this.stderr += c.toString('utf8');
    });
  }

  /** Splits the stream into top-level JSON values (kubectl pretty-prints each event). */
  private consume(text: string): void {
    this.buffer += text;
    let depth = 0;
    let inString = false;
    let escaped = false;
    let start = -1;
    let consumed = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{') {
        if (depth === 0) start = i;
        depth++;
      } else if (ch === '}') {
        depth--;
        if (depth === 0 && start >= 0) {
          const value = JSON.parse(this.buffer.slice(start, i + 1)) as unknown;
          if (isObject(value) && typeof value.type === 'string' && isObject(value.object)) this.events.push({ type: value.type, object: value.object });
          consumed = i + 1;
          start = -1;
        }
      }
    }
    this.buffer = this.buffer.slice(consumed);
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.kill('SIGTERM');
    await exited;
  }

  /** kubectl's error output, for messages when the watch saw nothing. */
  public get errors(): string {
    return this.stderr;
  }
}
