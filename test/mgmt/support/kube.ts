import { isObject, type Json, type JsonObject } from '../../e2e/support/yaml.ts';
import { describeRun, run, type RunResult } from '../../e2e/support/run.ts';
import { ApiClient } from './api.ts';

/** What the API server answered to a write: accepted, or refused with its message. */
export interface WriteResult {
  readonly ok: boolean;
  /** `PATCH Cluster ns/c1 (server-side apply)` */
  readonly request: string;
  readonly status: number;
  /** The API server's message (a webhook's refusal, a validation error); empty when accepted. */
  readonly message: string;
}

export function describeWrite(r: WriteResult): string {
  return `${r.request}: ${r.status}${r.message ? ` ${r.message}` : ''}`;
}

export interface ApplyOptions {
  /** @default 'mgmt-test' */
  readonly fieldManager?: string;
  /** The API server runs admission and validation but stores nothing (`dryRun=All`). @default false */
  readonly dryRun?: boolean;
}

/**
 * One cluster, reached over its REST API (support/api.ts) with the requests
 * kubectl and a GitOps controller send: server-side apply with strict field
 * validation, create, merge patch through the admission webhooks, status
 * writes for the stand-ins, reads for the polls. kubectl itself is kept for
 * what only it does: building a bundle folder with kustomize
 * (`kubectl apply -k`) and watches.
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

  /** The path of an object and the object placed in `namespace` when it names none. */
  private async locate(o: JsonObject, namespace: string): Promise<{ collection: string; name: string; object: JsonObject; id: string }> {
    const meta = isObject(o.metadata) ? o.metadata : {};
    const ns = typeof meta.namespace === 'string' ? meta.namespace : namespace;
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') throw new Error(`an object without apiVersion or kind: ${JSON.stringify(o).slice(0, 200)}`);
    const collection = await this.api.collectionOf(o.apiVersion, o.kind, ns);
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespaced = collection.includes('/namespaces/');
    return { collection, name, object: namespaced ? { ...o, metadata: { ...meta, namespace: ns } } : o, id: `${o.kind} ${namespaced ? `${ns}/` : ''}${name}` };
  }

  /**
   * Server-side apply of objects, one after the other (into `namespace` when
   * they name none), with strict field validation, as `kubectl apply
   * --server-side` and GitOps controllers send it; stops at the first refusal.
   */
  public async apply(objects: readonly JsonObject[], namespace: string, options: ApplyOptions = {}): Promise<WriteResult> {
    const query = `?fieldManager=${encodeURIComponent(options.fieldManager ?? 'mgmt-test')}&fieldValidation=Strict${options.dryRun ? '&dryRun=All' : ''}`;
    let last: WriteResult = { ok: true, request: 'server-side apply of nothing', status: 200, message: '' };
    for (const o of objects) {
      const { collection, name, object, id } = await this.locate(o, namespace);
      const r = await this.api.request('PATCH', `${collection}/${encodeURIComponent(name)}${query}`, JSON.stringify(object), 'application/apply-patch+yaml');
      last = result(`PATCH ${id} (server-side apply${options.dryRun ? ', dry run' : ''})`, r);
      if (!last.ok) return last;
    }
    return last;
  }

  public async applyOk(objects: readonly JsonObject[], namespace: string, options?: ApplyOptions): Promise<void> {
    const r = await this.apply(objects, namespace, options);
    if (!r.ok) throw new Error(`server-side apply refused: ${describeWrite(r)}`);
  }

  /** Creates an object (through the admission webhooks, strict field validation), as `kubectl create` does. */
  public async create(o: JsonObject, namespace: string): Promise<WriteResult> {
    const { collection, object, id } = await this.locate(o, namespace);
    return result(`POST ${id}`, await this.api.request('POST', `${collection}?fieldValidation=Strict`, JSON.stringify(object)));
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

  /** A merge patch of an object (through its admission webhooks), as `kubectl patch --type=merge` sends it. */
  public async patch(resource: string, name: string, namespace: string, patch: Json): Promise<WriteResult> {
    const path = `${await this.api.collection(resource, namespace)}/${encodeURIComponent(name)}`;
    return result(`PATCH ${resource} ${namespace}/${name} (merge patch)`, await this.api.request('PATCH', path, JSON.stringify(patch), 'application/merge-patch+json'));
  }

  /** Deletes objects without waiting for their finalizers (`kubectl delete --wait=false`). */
  public async delete(resource: string, names: readonly string[], namespace: string): Promise<void> {
    const collection = await this.api.collection(resource, namespace);
    for (const name of names) await this.api.ok('DELETE', `${collection}/${encodeURIComponent(name)}`);
  }
}

function result(request: string, r: { status: number; body: JsonObject }): WriteResult {
  const ok = r.status >= 200 && r.status <= 299;
  return { ok, request, status: r.status, message: ok ? '' : String(r.body.message ?? JSON.stringify(r.body)) };
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
