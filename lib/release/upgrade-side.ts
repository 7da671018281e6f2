import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, sep } from 'node:path';
import yaml from 'js-yaml';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { GitopsFiles } from '../bytes/gitops/bundle-files.ts';
import { inFileOrder } from '../bytes/render.ts';
import type { Bundle } from '../pipeline/synth.ts';
import { readReleaseTree } from './release-reader.ts';
import { loadYamlDocuments } from '../bytes/yaml-documents.ts';
import { childProcess } from '../process/child-process.ts';

/**
 * One end of an upgrade path: what a running cluster is on (the old side) or
 * moves to (the new side), read from a bundle's files wherever they come
 * from — a synthesis, dist/ in git, a release folder. Only what the
 * upgrade rules look at is kept.
 */
export interface UpgradeSide {
  /** `<provider>/<stack>/<major>-<minor>` */
  readonly bundle: string;
  readonly provider: string;
  readonly stack: string;
  /** Kubernetes minor slug, e.g. `1-34`. */
  readonly minor: string;
  /** e.g. `v3` */
  readonly stackVersion: string;
  readonly addonVersion: string;
  /** metadata.yaml versions.kubernetes, e.g. `v1.34.7`. */
  readonly kubernetes: string;
  /** Where this side was read from, for messages (a commit, a folder, "working tree"). */
  readonly source: string;
  /**
   * The ClusterClass, its keys in the order the side holds them (the
   * model's or the file's): for the upgrade checks, which compare values.
   * Undefined when cluster-class.yaml holds none.
   */
  readonly clusterClass: KubeObject | undefined;
  /** The ClusterClass and its templates, in file order (made on first use for a synthesized side). */
  readonly objects: readonly KubeObject[];
  /** clusteraddon.yaml addonStages: hook → stages. */
  readonly addonStages: Readonly<Record<string, readonly AddonStage[]>>;
  /** Addon folder name → its files (path below the folder → content). */
  readonly addonFolders: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export interface AddonStage {
  readonly name: string;
  readonly action: string;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly [k: string]: unknown };
  readonly spec?: Record<string, unknown>;
  readonly [k: string]: unknown;
}

/** `<stack version>` label of a side: `docker/scs/1-34 v3`. */
export function sideLabel(side: UpgradeSide): string {
  return `${side.bundle} ${side.stackVersion}`;
}

/** The ClusterClass object of a side, its keys in any order (UpgradeSide.clusterClass). */
export function clusterClassOf(side: UpgradeSide): KubeObject {
  return side.clusterClass ?? noClusterClass(side);
}

/** The ClusterClass object of a side in file order, for what shows or compares its text. */
export function clusterClassInFileOrder(side: UpgradeSide): KubeObject {
  return side.objects.find((o) => o.kind === 'ClusterClass') ?? noClusterClass(side);
}

function noClusterClass(side: UpgradeSide): never {
  throw new Error(`${sideLabel(side)} (${side.source}): cluster-class.yaml holds no ClusterClass`);
}

/** Addon folder name → its files (path below the folder → content), from a bundle's files. */
function addonFoldersOf(files: Iterable<readonly [string, string]>): Map<string, Map<string, string>> {
  const prefix = `${BundleFiles.clusterAddonDir}/`;
  const addonFolders = new Map<string, Map<string, string>>();
  for (const [path, content] of files) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) continue;
    const folder = rest.slice(0, slash);
    const inner = addonFolders.get(folder) ?? new Map<string, string>();
    inner.set(rest.slice(slash + 1), content);
    addonFolders.set(folder, inner);
  }
  return addonFolders;
}

/**
 * A side from a bundle synthesized now: its model and, for the addons, its
 * files, which releases compare byte for byte. The objects in the key order
 * the files write, as the released sides read them back, are copied only
 * when asked for: the checks compare the ClusterClass's values, and a
 * release of 500 bundles spent some 100 ms of CPU copying every class and
 * template for them (CPU profiles).
 */
export function sideFromBundle(bundle: Bundle, source: string): UpgradeSide {
  const { model } = bundle;
  const [provider, stack, minor] = bundle.path.split('/');
  let objects: KubeObject[] | undefined;
  return {
    bundle: bundle.path,
    provider,
    stack,
    minor,
    stackVersion: model.versions.clusterStack.toString(),
    addonVersion: model.versions.clusterAddon.toString(),
    kubernetes: model.identity.kubernetes.toVersionTag(),
    source,
    clusterClass: model.clusterClass.object as KubeObject,
    get objects(): KubeObject[] {
      return (objects ??= [model.clusterClass.object, ...model.clusterClass.templates].map((o) => inFileOrder(o) as KubeObject));
    },
    addonStages: Object.fromEntries(Object.entries(model.addonStages).map(([hook, entries]) => [hook, entries ?? []])),
    addonFolders: addonFoldersOf(bundle.files.map((f) => [f.path, f.content] as const)),
  };
}

/**
 * A side from a bundle's files as dist/ holds them (`cluster-class.yaml`,
 * `clusteraddon.yaml`, `metadata.yaml`, `cluster-addon/<addon>/…`).
 */
function sideFromBundleFiles(bundle: string, files: ReadonlyMap<string, string>, source: string): UpgradeSide {
  const need = (path: string): string => {
    const content = files.get(path);
    if (content === undefined) throw new Error(`${source}: ${bundle}/${path} is missing`);
    return content;
  };
  const [provider, stack, minor] = bundle.split('/');
  if (!provider || !stack || !minor) throw new Error(`${source}: '${bundle}' is not <provider>/<stack>/<major>-<minor>`);
  const metadata = parseYaml(need(BundleFiles.metadata), `${source}: ${bundle}/${BundleFiles.metadata}`) as {
    versions?: { clusterStack?: unknown; kubernetes?: unknown; components?: { clusterAddon?: unknown } };
  } | null;
  const v = metadata?.versions;
  if (typeof v?.clusterStack !== 'string' || typeof v.kubernetes !== 'string' || typeof v.components?.clusterAddon !== 'string') {
    throw new Error(`${source}: ${bundle}/${BundleFiles.metadata}: versions.clusterStack, versions.kubernetes and versions.components.clusterAddon must be strings`);
  }
  const objects = loadYamlDocuments(need(BundleFiles.clusterClass), `${source}: ${bundle}/${BundleFiles.clusterClass}`).filter((o): o is KubeObject => o !== null && typeof o === 'object' && typeof (o as KubeObject).kind === 'string');
  const config = parseYaml(need(BundleFiles.clusterAddonConfig), `${source}: ${bundle}/${BundleFiles.clusterAddonConfig}`) as { addonStages?: Record<string, AddonStage[] | null> } | null;
  const addonStages: Record<string, AddonStage[]> = {};
  for (const [hook, stages] of Object.entries(config?.addonStages ?? {})) {
    addonStages[hook] = (stages ?? []).map((s, i) => {
      if (!s || typeof s.name !== 'string') throw new Error(`${source}: ${bundle}/${BundleFiles.clusterAddonConfig}: addonStages.${hook}[${i}] has no name`);
      return { name: s.name, action: typeof s.action === 'string' ? s.action : '' };
    });
  }
  return {
    bundle,
    provider,
    stack,
    minor,
    stackVersion: v.clusterStack,
    addonVersion: v.components.clusterAddon,
    kubernetes: v.kubernetes,
    source,
    clusterClass: objects.find((o) => o.kind === 'ClusterClass'),
    objects,
    addonStages,
    addonFolders: addonFoldersOf(files),
  };
}

/**
 * A side from a release folder (ours, or one pulled from a registry), read
 * back into the dist/ layout; `read` verifies it unless a test passes the
 * reader of hand-edited fixtures.
 */
export async function sideFromReleaseFolder(dir: string, read: (dir: string) => Promise<Map<string, string>> = readReleaseTree): Promise<UpgradeSide> {
  const tag = basename(dir);
  const m = /^([a-z][a-z0-9]*)-([a-z][a-z0-9]*)-([0-9]+)-([0-9]+)-(v.*)$/.exec(tag);
  if (!m) throw new Error(`${dir}: folder name '${tag}' is not a release tag <provider>-<stack>-<major>-<minor>-<version>`);
  return sideFromBundleFiles(`${m[1]}/${m[2]}/${m[3]}-${m[4]}`, await read(dir), dir);
}

/**
 * A bundle folder on disk (a dist/ bundle). When `synthesized` rendered
 * exactly the folder's bytes, the side comes from its model instead of
 * parsing them back (test/lib/release/upgrade.test.ts holds the two equal).
 */
export function sideFromFolder(bundle: string, dir: string, source = dir, synthesized?: Bundle): UpgradeSide {
  const files = new Map<string, string>();
  // Paths relative to `dir` are built as the walk goes down: no join() or
  // relative() of each file, nor a stat of each entry (a release's upgrade
  // check reads every bundle of dist/ this way).
  const walk = (d: string, below: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = `${d}${sep}${e.name}`;
      // A link is followed, as statSync does.
      if (e.isDirectory() || (e.isSymbolicLink() && statSync(p).isDirectory())) walk(p, `${below}${e.name}/`);
      else files.set(`${below}${e.name}`, readFileSync(p, 'utf8'));
    }
  };
  walk(dir, '');
  return synthesized !== undefined && holdsExactly(files, synthesized) ? sideFromBundle(synthesized, source) : sideFromBundleFiles(bundle, files, source);
}

/**
 * Whether a folder's files are the bundle's bytes. The GitOps files of a
 * bundle built without them (ModelOptions.gitops) are not compared: no
 * side reads them.
 */
function holdsExactly(files: ReadonlyMap<string, string>, synthesized: Bundle): boolean {
  let compared = files.size;
  if (synthesized.model.helmChartProxies === undefined) {
    for (const path of Object.values(GitopsFiles)) if (files.has(path)) compared--;
  }
  return synthesized.files.length === compared && synthesized.files.every((f) => files.get(f.path) === f.content);
}

const GIT_MAX_BUFFER = 64 * 1024 * 1024;

/** `git -C root …`'s standard output; the release's upgrade check reads dist/ at earlier commits with it. */
export function git(root: string, args: readonly string[]): string {
  return childProcess().execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: GIT_MAX_BUFFER, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Files at a revision, read by one `git cat-file --batch` (one process, not one per file). */
function gitBlobs(root: string, specs: readonly string[]): string[] {
  if (specs.length === 0) return [];
  const out = childProcess().execFileSync('git', ['-C', root, 'cat-file', '--batch'], { input: specs.map((p) => `${p}\n`).join(''), maxBuffer: GIT_MAX_BUFFER, stdio: ['pipe', 'pipe', 'pipe'] });
  const files: string[] = [];
  let at = 0;
  for (const spec of specs) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString('utf8');
    const m = /^[0-9a-f]+ blob (\d+)$/.exec(header);
    if (!m) throw new Error(`git ${spec}: ${header}`);
    const size = Number(m[1]);
    files.push(out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1;
  }
  return files;
}

/** dist/<bundle> as committed at a revision; undefined when that revision has no such bundle. */
function sideFromGit(root: string, revision: string, bundle: string): UpgradeSide | undefined {
  const prefix = `dist/${bundle}/`;
  const listing = git(root, ['ls-tree', '-r', '--name-only', revision, '--', prefix]).split('\n').filter(Boolean);
  if (listing.length === 0) return undefined;
  const contents = gitBlobs(root, listing.map((p) => `${revision}:${p}`));
  const files = new Map(listing.map((path, i) => [path.slice(prefix.length), contents[i]]));
  const commit = git(root, ['rev-parse', '--short=12', revision]).trim();
  return sideFromBundleFiles(bundle, files, `git ${commit}:dist/${bundle}`);
}

/** The commits that changed a bundle's version record, newest first, with the stack version each recorded. */
export function recordHistory(root: string, bundle: string): { commit: string; clusterStack: string }[] {
  const [provider, stack, minor] = bundle.split('/');
  const record = `stacks/${provider}/${stack}/version-record/${minor}.json`;
  const commits = git(root, ['log', '--format=%H', '--', record]).split('\n').filter(Boolean);
  if (commits.length === 0) return [];
  const texts = gitBlobs(root, commits.map((c) => `${c}:${record}`));
  return commits.map((commit, i) => ({ commit, clusterStack: String((JSON.parse(texts[i]) as { clusterStack?: unknown }).clusterStack) }));
}

/**
 * Every released version of a bundle in the project's history: for each
 * commit that changed its version record, dist/<bundle> at that commit,
 * oldest first, one side per stack version (the last commit of each). This
 * is the reproducible fixture of the upgrade tests: git is the provenance.
 */
export function historyOf(root: string, bundle: string): UpgradeSide[] {
  const seen = new Set<string>();
  const out: UpgradeSide[] = [];
  for (const { commit, clusterStack } of recordHistory(root, bundle)) {
    if (seen.has(clusterStack)) continue;
    seen.add(clusterStack);
    const side = sideFromGit(root, commit, bundle);
    if (side) out.unshift(side);
  }
  return out;
}

/** The newest released version of a bundle other than `version`, from git. */
export function previousFromGit(root: string, bundle: string, version: string): UpgradeSide | undefined {
  const hit = recordHistory(root, bundle).find((r) => r.clusterStack !== version);
  return hit ? sideFromGit(root, hit.commit, bundle) : undefined;
}

function parseYaml(text: string, where: string): unknown {
  try {
    return yaml.load(text);
  } catch (e) {
    throw new Error(`${where}: not valid YAML: ${(e as Error).message}`);
  }
}
