import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import yaml from 'js-yaml';
import { isObject, type JsonObject } from '../../e2e/support/yaml.ts';

/**
 * The API server's REST interface over one kept-alive TLS connection pool.
 * The tests read, poll and write through it: a kubectl process per call cost
 * a process start, a TLS handshake, discovery and (for apply) the group's
 * OpenAPI document, about 0.2 s of CPU each, which on two cores was a fifth
 * of the suite. The requests are the ones kubectl and a GitOps controller
 * send (server-side apply, create, merge patch), so the API server, its
 * admission webhooks and its field validation see the same thing.
 */
export class ApiClient {
  private readonly agent: Agent;
  private readonly server: URL;
  /** `name.group` as the tests write it → the collection path and plural of that resource. */
  private readonly resources = new Map<string, Promise<ResourceInfo>>();
  /** `apiVersion/Kind` → the same, for objects written as they are. */
  private readonly kinds = new Map<string, Promise<ResourceInfo>>();

  public constructor(kubeconfig: string) {
    const config = yaml.load(readFileSync(kubeconfig, 'utf8')) as KubeConfig;
    const context = config.contexts?.find((c) => c.name === config['current-context'])?.context;
    const cluster = config.clusters?.find((c) => c.name === context?.cluster)?.cluster;
    const user = config.users?.find((u) => u.name === context?.user)?.user;
    const b64 = (v: string | undefined, what: string): Buffer => {
      if (!v) throw new Error(`${kubeconfig}: no ${what}`);
      return Buffer.from(v, 'base64');
    };
    if (!cluster?.server) throw new Error(`${kubeconfig}: no server`);
    this.server = new URL(cluster.server);
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: b64(cluster['certificate-authority-data'], 'certificate-authority-data'),
      cert: b64(user?.['client-certificate-data'], 'client-certificate-data'),
      key: b64(user?.['client-key-data'], 'client-key-data'),
    });
  }

  /** One request; the parsed JSON body and the status code. */
  public request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; body: JsonObject }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.server.hostname,
          port: this.server.port,
          method,
          path,
          agent: this.agent,
          timeout: 60_000,
          headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = { message: text };
            }
            resolve({ status: res.statusCode ?? 0, body: isObject(parsed) ? parsed : { value: parsed as never } });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer after 60 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The request's body when it succeeded; otherwise an error with the API server's message. */
  public async ok(method: string, path: string, body?: string, contentType?: string): Promise<JsonObject> {
    const r = await this.request(method, path, body, contentType);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: ${r.status} ${String(r.body.message ?? JSON.stringify(r.body))}`);
    return r.body;
  }

  /** The collection path of a resource in a namespace (`clusters.cluster.x-k8s.io`, `configmaps`, or a kind in lower case with its group). */
  public async collection(resource: string, namespace: string): Promise<string> {
    let info = this.resources.get(resource);
    if (!info) {
      info = this.discover(resource);
      this.resources.set(resource, info);
      info.catch(() => this.resources.delete(resource));
    }
    const { groupVersionPath, plural, namespaced } = await info;
    return namespaced ? `${groupVersionPath}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `${groupVersionPath}/${plural}`;
  }

  /** The collection path of an object's kind in its own apiVersion (`cluster.x-k8s.io/v1beta1`, `v1`). */
  public async collectionOf(apiVersion: string, kind: string, namespace: string): Promise<string> {
    const key = `${apiVersion}/${kind}`;
    let info = this.kinds.get(key);
    if (!info) {
      info = this.discoverKind(apiVersion, kind);
      this.kinds.set(key, info);
      info.catch(() => this.kinds.delete(key));
    }
    const { groupVersionPath, plural, namespaced } = await info;
    return namespaced ? `${groupVersionPath}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `${groupVersionPath}/${plural}`;
  }

  private async discoverKind(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const groupVersionPath = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const list = await this.ok('GET', groupVersionPath);
    const found = (Array.isArray(list.resources) ? list.resources : []).filter(isObject).find((r) => typeof r.name === 'string' && !r.name.includes('/') && r.kind === kind);
    if (!found) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
    return { groupVersionPath, plural: String(found.name), namespaced: found.namespaced === true };
  }

  /** The resource in the group's preferred version, else in the first other version that serves it (a group can span CRDs of different versions). */
  private async discover(resource: string): Promise<ResourceInfo> {
    const dot = resource.indexOf('.');
    const name = dot < 0 ? resource : resource.slice(0, dot);
    const group = dot < 0 ? '' : resource.slice(dot + 1);
    let paths = ['/api/v1'];
    if (group !== '') {
      const g = await this.ok('GET', `/apis/${group}`);
      const preferred = isObject(g.preferredVersion) ? g.preferredVersion.groupVersion : undefined;
      const all = (Array.isArray(g.versions) ? g.versions : []).filter(isObject).map((v) => v.groupVersion);
      paths = [preferred, ...all].filter((v): v is string => typeof v === 'string').map((v) => `/apis/${v}`);
    }
    for (const groupVersionPath of new Set(paths)) {
      const list = await this.ok('GET', groupVersionPath);
      const found = (Array.isArray(list.resources) ? list.resources : [])
        .filter(isObject)
        .find((r) => typeof r.name === 'string' && !r.name.includes('/') && (r.name === name || r.singularName === name || String(r.kind).toLowerCase() === name));
      if (found) return { groupVersionPath, plural: String(found.name), namespaced: found.namespaced === true };
    }
    throw new Error(`the API server has no resource ${resource}`);
  }

  public close(): void {
    this.agent.destroy();
  }
}

interface ResourceInfo {
  readonly groupVersionPath: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

interface KubeConfig {
  readonly 'current-context'?: string;
  readonly contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  readonly clusters?: { name: string; cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
  readonly users?: { name: string; user?: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
}
