import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { isObject, parseObjects, type JsonObject } from '../../e2e/support/yaml.ts';

/**
 * A bundle as a GitOps tool sees it: a folder whose kustomization.yaml lists
 * the manifests. The shipped ones are the folders of dist/; older versions of
 * the same bundle come from the project's git history (the commits that
 * changed its metadata.yaml), written to a scratch folder unchanged.
 */
export interface Bundle {
  /** `<provider>/<stack>/<major>-<minor>` below dist/. */
  readonly path: string;
  readonly provider: string;
  readonly stack: string;
  /** `1-34` */
  readonly minor: string;
  /** `v3`: metadata.yaml's versions.clusterStack. */
  readonly stackVersion: string;
  /** `v1.34.7`: metadata.yaml's versions.kubernetes. */
  readonly kubernetes: string;
  /** The commit it was read from, `HEAD` for dist/ as checked out (the working tree). */
  readonly revision: string;
  /** The folder to apply (`kubectl apply -k`). */
  readonly dir: string;
  readonly clusterClassName: string;
  /** What kustomization.yaml lists (cluster-class.yaml alone in bundles from before it existed). */
  readonly resources: readonly string[];
  /** The ClusterClass and its templates (cluster-class.yaml). */
  readonly classObjects: readonly JsonObject[];
  /** helm-chart-proxies.yaml, empty when the bundle has none. */
  readonly proxies: readonly JsonObject[];
}

const KUSTOMIZATION = 'kustomization.yaml';

function readMetadata(text: string, where: string): { clusterStack: string; kubernetes: string } {
  const m = yaml.load(text) as { versions?: { clusterStack?: unknown; kubernetes?: unknown } } | null;
  const clusterStack = m?.versions?.clusterStack;
  const kubernetes = m?.versions?.kubernetes;
  if (typeof clusterStack !== 'string' || typeof kubernetes !== 'string') throw new Error(`${where}: no versions.clusterStack / versions.kubernetes`);
  return { clusterStack, kubernetes: kubernetes.startsWith('v') ? kubernetes : `v${kubernetes}` };
}

function bundleFrom(path: string, revision: string, dir: string, read: (file: string) => string | undefined): Bundle {
  const where = `${revision}:dist/${path}`;
  const [provider, stack, minor] = path.split('/') as [string, string, string];
  const metadata = readMetadata(read('metadata.yaml') ?? '', `${where}/metadata.yaml`);
  const kustomization = read(KUSTOMIZATION);
  const resources = kustomization === undefined ? ['cluster-class.yaml'] : ((yaml.load(kustomization) as { resources?: string[] }).resources ?? []);
  const classText = read('cluster-class.yaml');
  if (classText === undefined) throw new Error(`${where}: no cluster-class.yaml`);
  const classObjects = parseObjects(classText, `${where}/cluster-class.yaml`);
  const cc = classObjects.find((o) => o.kind === 'ClusterClass');
  const name = cc && isObject(cc.metadata) ? cc.metadata.name : undefined;
  if (typeof name !== 'string') throw new Error(`${where}/cluster-class.yaml: no ClusterClass`);
  const proxiesText = resources.includes('helm-chart-proxies.yaml') ? read('helm-chart-proxies.yaml') : undefined;
  return {
    path,
    provider,
    stack,
    minor,
    stackVersion: metadata.clusterStack,
    kubernetes: metadata.kubernetes,
    revision,
    dir,
    clusterClassName: name,
    resources,
    classObjects,
    proxies: proxiesText ? parseObjects(proxiesText, `${where}/helm-chart-proxies.yaml`) : [],
  };
}

/** Every bundle folder of dist/ (one with a kustomization.yaml), sorted by path. */
export function shippedBundles(root: string): Bundle[] {
  const dist = join(root, 'dist');
  const out: Bundle[] = [];
  for (const provider of readdirSync(dist).sort()) {
    if (!existsSync(join(dist, provider)) || provider.includes('.')) continue;
    for (const stack of readdirSync(join(dist, provider)).sort()) {
      for (const minor of readdirSync(join(dist, provider, stack)).sort()) {
        const dir = join(dist, provider, stack, minor);
        if (!existsSync(join(dir, KUSTOMIZATION))) continue;
        const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
        out.push(bundleFrom(`${provider}/${stack}/${minor}`, 'HEAD', dir, read));
      }
    }
  }
  return out;
}

function git(root: string, args: readonly string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The earlier versions of a shipped bundle in the git history, oldest first:
 * for each clusterStack version other than the current one, the newest
 * commit that has it. Each is written to `<scratch>/<path>@<version>/` (the
 * files its kustomization.yaml lists, and a kustomization.yaml listing
 * cluster-class.yaml where the bundle had none yet).
 */
export function historicBundles(root: string, current: Bundle, scratch: string): Bundle[] {
  const metadataPath = `dist/${current.path}/metadata.yaml`;
  const revisions = git(root, ['log', '--format=%H', '--', metadataPath]).split('\n').filter(Boolean);
  const newestPerVersion = new Map<string, string>();
  for (const rev of revisions) {
    const version = readMetadata(git(root, ['show', `${rev}:${metadataPath}`]), `${rev}:${metadataPath}`).clusterStack;
    if (version !== current.stackVersion && !newestPerVersion.has(version)) newestPerVersion.set(version, rev);
  }
  const out: Bundle[] = [];
  for (const [version, rev] of newestPerVersion) {
    const dir = join(scratch, `${current.path.replace(/\//g, '-')}@${version}`);
    mkdirSync(dir, { recursive: true });
    const read = (f: string): string | undefined => {
      try {
        return git(root, ['show', `${rev}:dist/${current.path}/${f}`]);
      } catch {
        return undefined;
      }
    };
    const bundle = bundleFrom(current.path, rev, dir, read);
    for (const f of bundle.resources) writeFileSync(join(dir, f), read(f) ?? '');
    writeFileSync(join(dir, KUSTOMIZATION), read(KUSTOMIZATION) ?? yaml.dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: bundle.resources }));
    out.push(bundle);
  }
  return out.sort((a, b) => Number(a.stackVersion.slice(1)) - Number(b.stackVersion.slice(1)));
}

/** The template of a ClusterClass role, e.g. the control plane's machine template. */
export function classTemplateName(bundle: Bundle, role: 'controlPlane' | 'controlPlaneMachine' | 'worker' | 'workerBootstrap' | 'infrastructureCluster'): string {
  const cc = bundle.classObjects.find((o) => o.kind === 'ClusterClass');
  const spec = cc && isObject(cc.spec) ? cc.spec : {};
  const ref = (o: unknown): string => {
    const name = isObject(o) && isObject(o.ref) ? o.ref.name : undefined;
    if (typeof name !== 'string') throw new Error(`${bundle.clusterClassName}: no template for ${role}`);
    return name;
  };
  const cp = isObject(spec.controlPlane) ? spec.controlPlane : {};
  const workers = isObject(spec.workers) && Array.isArray(spec.workers.machineDeployments) ? spec.workers.machineDeployments : [];
  const md = workers.filter(isObject).find((w) => w.class === 'default-worker');
  const mdTemplate = md && isObject(md.template) ? md.template : {};
  switch (role) {
    case 'controlPlane':
      return ref(cp);
    case 'controlPlaneMachine':
      return ref(cp.machineInfrastructure);
    case 'worker':
      return ref(mdTemplate.infrastructure);
    case 'workerBootstrap':
      return ref(mdTemplate.bootstrap);
    case 'infrastructureCluster':
      return ref(spec.infrastructure);
  }
}
