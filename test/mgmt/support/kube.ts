import { dumpDocuments, isObject, type Json, type JsonObject } from '../../e2e/support/yaml.ts';
import { describeRun, run, type RunResult } from '../../e2e/support/run.ts';
import { ApiClient } from './api.ts';

/**
 * One cluster, reached two ways: what a user or a GitOps tool does (apply,
 * create, patch through the webhooks, delete) with kubectl, built at the
 * management cluster's Kubernetes version; the reads the tests poll with, the
 * stand-in status writes and namespaces over the REST API directly
 * (support/api.ts), which costs the API server and the two cores far less
 * than a kubectl process per poll.
 */
export class Kube {
  private apiClient: ApiClient | undefined;

  public constructor(
    private readonly kubectl: string,
    public readonly kubeconfig: string,
  ) {}

  private get api(): ApiClient {
    this.apiClient ??= new ApiClient(this.kubeconfig);
    return this.apiClient;
  }

  public run(args: readonly string[], input?: string): Promise<RunResult> {
    return run(this.kubectl, args, { env: { KUBECONFIG: this.kubeconfig }, timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
  }

  /** Runs kubectl and returns its stdout; throws with its output when it fails. */
  public async ok(args: readonly string[], input?: string): Promise<string> {
    const r = await this.run(args, input);
    if (r.code !== 0) throw new Error(`kubectl failed:\n${describeRun(r, 6000)}`);
    return r.stdout;
  }

  public async createNamespace(name: string): Promise<void> {
    await this.api.ok('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  }

  /** Server-side apply of objects (into `namespace` when they name none). */
  public apply(objects: readonly JsonObject[], namespace: string, fieldManager = 'mgmt-test'): Promise<RunResult> {
    return this.run(['apply', '--server-side', `--field-manager=${fieldManager}`, '-n', namespace, '-f', '-'], dumpDocuments(objects));
  }

  public async applyOk(objects: readonly JsonObject[], namespace: string, fieldManager?: string): Promise<void> {
    const r = await this.apply(objects, namespace, fieldManager);
    if (r.code !== 0) throw new Error(`kubectl apply failed:\n${describeRun(r, 6000)}`);
  }

  public async get(resource: string, name: string, namespace: string): Promise<JsonObject | undefined> {
    const path = `${await this.api.collection(resource, namespace)}/${encodeURIComponent(name)}`;
    const r = await this.api.request('GET', path);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${String(r.body.message ?? '')}`);
    return r.body;
  }

  public async mustGet(resource: string, name: string, namespace: string): Promise<JsonObject> {
    const o = await this.get(resource, name, namespace);
    if (!o) throw new Error(`${resource} ${namespace}/${name} does not exist`);
    return o;
  }

  public async list(resource: string, namespace: string, selector?: string): Promise<JsonObject[]> {
    const path = `${await this.api.collection(resource, namespace)}${selector ? `?labelSelector=${encodeURIComponent(selector)}` : ''}`;
    const list = await this.api.ok('GET', path);
    return (Array.isArray(list.items) ? list.items : []).filter(isObject);
  }

  /** A merge patch of an object's status subresource. */
  public async patchStatus(resource: string, name: string, namespace: string, status: Json): Promise<void> {
    const path = `${await this.api.collection(resource, namespace)}/${encodeURIComponent(name)}/status`;
    await this.api.ok('PATCH', path, JSON.stringify({ status }), 'application/merge-patch+json');
  }

  /** A merge patch of an object (through its webhooks); returns kubectl's result. */
  public patch(resource: string, name: string, namespace: string, patch: Json): Promise<RunResult> {
    return this.run(['patch', resource, name, '-n', namespace, '--type=merge', '-p', JSON.stringify(patch)]);
  }
}

/** The condition of an object's status.conditions with that type. */
export function condition(o: JsonObject | undefined, type: string): JsonObject | undefined {
  const status = o && isObject(o.status) ? o.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.filter(isObject).find((c) => c.type === type);
}

export function describeConditions(o: JsonObject | undefined): string {
  const status = o && isObject(o.status) ? o.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions
    .filter(isObject)
    .map((c) => `${String(c.type)}=${String(c.status)}${c.reason ? ` (${String(c.reason)}${c.message ? `: ${String(c.message).slice(0, 300)}` : ''})` : ''}`)
    .join('; ');
}

/**
 * Polls `probe` until it returns a value (not undefined) or the time is up;
 * the error names what was awaited, what the last poll saw and the last
 * error a poll threw.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, describeLast: () => Promise<string> | string = () => '', timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let failure = '';
  let interval = 200;
  for (;;) {
    // A probe that fails (an object replaced between two reads, as when templates rotate) is retried.
    const value = await probe().catch((e: unknown) => {
      failure = e instanceof Error ? e.message : String(e);
      return undefined;
    });
    if (value !== undefined) {
      if (process.env.MGMT_TRACE) process.stderr.write(`trace ${new Date().toISOString()} ${((Date.now() - deadline + timeoutMs) / 1000).toFixed(1)} s: ${what}\n`);
      return value;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${await describeLast()}${failure ? `; last error: ${failure}` : ''}`);
    // Quick first polls for what is already there, then at most one a second:
    // some thirty tests poll at once, several reads each.
    await new Promise((r) => setTimeout(r, interval));
    interval = Math.min(1000, interval * 1.5);
  }
}
