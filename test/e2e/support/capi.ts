import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import type { E2eContext } from './types.ts';
import { freshDir } from './files.ts';
import { run, type RunResult } from './run.ts';
import { at, dumpDocuments, isObject, parseObjects, type JsonObject } from './yaml.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The CRD folders of crds/ the objects of a bundle may need: Cluster API
 * core and kubeadm at the version the plans run (capi-v1.10.9), and every
 * other folder cdk8s.yaml imports bindings from (the providers' folders,
 * whichever provider). {@link neededCrdFiles} then picks the files whose
 * kinds the objects use, so a new provider needs no edit here.
 */
export function crdDirs(ctx: E2eContext): string[] {
  const config = yaml.load(readFileSync(join(PROJECT_ROOT, 'cdk8s.yaml'), 'utf8')) as { imports?: string[] };
  const folders = (config.imports ?? []).map((spec) => {
    const m = /:=crds\/([^/]+)\//.exec(spec);
    if (!m) throw new Error(`cdk8s.yaml: import '${spec}' does not name a folder of crds/`);
    return m[1] as string;
  });
  const providers = [...new Set(folders)].filter((f) => !f.startsWith('capi-')).sort();
  return ['capi-v1.10.9', ...providers].map((d) => join(ctx.crds, d));
}

/**
 * The CRD files (of `dirs`) that define the kinds a plan reads or writes:
 * the kinds of the dist/ objects, what the topology controller creates from
 * their templates (`XTemplate` → `X`), Cluster and MachineDeployment.
 */
export function neededCrdFiles(dirs: readonly string[], objects: readonly JsonObject[]): string[] {
  const kinds = new Set<string>(['Cluster', 'MachineDeployment']);
  for (const o of objects) {
    const kind = String(o.kind);
    kinds.add(kind);
    if (kind.endsWith('Template')) kinds.add(kind.slice(0, -'Template'.length));
  }
  const files: string[] = [];
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
      const path = join(dir, f);
      const crds = parseObjects(readFileSync(path, 'utf8'), path).filter((d) => d.kind === 'CustomResourceDefinition');
      if (crds.some((c) => kinds.has(String(at(c, 'spec', 'names', 'kind'))))) files.push(path);
    }
  }
  return files;
}

export interface PlanResult {
  readonly run: RunResult;
  /** The objects clusterctl would create (created/*.yaml). */
  readonly created: JsonObject[];
  /** The Cluster after Cluster API's defaulting webhook and the topology controller (modified/Cluster_*.modified.yaml). */
  readonly cluster: JsonObject | undefined;
  readonly dir: string;
}

/**
 * `clusterctl alpha topology plan` (Cluster API v1.10.9) without a management
 * cluster: the ClusterClass and its templates from dist/, the CRDs, one
 * Cluster. clusterctl runs Cluster API's ClusterClass and Cluster defaulting
 * and validation webhooks, the ClusterClass reconciler and the topology
 * reconciler (variables, patches) against an in-memory client and writes the
 * objects it would create.
 */
export async function topologyPlan(ctx: E2eContext, label: string, inputs: readonly string[], cluster: JsonObject): Promise<PlanResult> {
  const dir = freshDir(join(ctx.work, 'capi'), label);
  const clusterFile = join(dir, 'cluster.yaml');
  writeFileSync(clusterFile, dumpDocuments([cluster]));
  const out = join(dir, 'out');
  mkdirSync(out);
  const args = ['alpha', 'topology', 'plan', ...inputs.flatMap((f) => ['-f', f]), '-f', clusterFile, '-o', out];
  const r = await run(ctx.tools.clusterctl, args, {
    cwd: dir,
    env: {
      CLUSTERCTL_DISABLE_VERSIONCHECK: 'true',
      // No management cluster: a kubeconfig that does not exist, a private home for clusterctl's config.
      KUBECONFIG: join(dir, 'no-kubeconfig'),
      HOME: join(dir, 'home'),
      XDG_CONFIG_HOME: join(dir, 'home', '.config'),
    },
  });
  const read = (sub: string, keep: (f: string) => boolean): JsonObject[] => {
    let files: string[];
    try {
      files = readdirSync(join(out, sub)).filter(keep).sort();
    } catch {
      return [];
    }
    return files.flatMap((f) => parseObjects(readFileSync(join(out, sub, f), 'utf8'), join(out, sub, f)));
  };
  const created = r.code === 0 ? read('created', (f) => f.endsWith('.yaml')) : [];
  const cluster2 = r.code === 0 ? read('modified', (f) => f.startsWith('Cluster_') && f.endsWith('.modified.yaml'))[0] : undefined;
  return { run: r, created, cluster: cluster2, dir };
}

/** The created object of `kind` cloned from the ClusterClass template `<class>-<role>`. */
export function clonedFrom(plan: PlanResult, kind: string, templateName: string): JsonObject | undefined {
  return plan.created.find((o) => o.kind === kind && at(o, 'metadata', 'annotations', 'cluster.x-k8s.io/cloned-from-name') === templateName);
}

export function ofKind(plan: PlanResult, kind: string): JsonObject[] {
  return plan.created.filter((o) => o.kind === kind);
}

/**
 * An object as it would reach the API server: without what the dry-run client
 * adds (resourceVersion, owner references with empty uids, a null
 * creationTimestamp) and without status.
 */
export function forApiServer(o: JsonObject): JsonObject {
  const meta = isObject(o.metadata) ? { ...o.metadata } : {};
  delete meta.resourceVersion;
  delete meta.ownerReferences;
  delete meta.creationTimestamp;
  const { status: _status, ...rest } = o;
  return { ...rest, metadata: meta };
}
