import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { StackVersion } from '../../constructs/stack-version.ts';
import { KUSTOMIZATION_FILE, MANIFEST_FILES } from '../bytes/gitops/kustomization.ts';
import type { FluxFile } from './flux-artifact.ts';
import { parseReleaseTag, type ReleaseTag } from './release-tag.ts';

/** The GitOps view of a dist bundle: what goes into its Flux artifact, and its release tag. */
export interface GitopsBundle {
  /** The bundle folder, absolute. */
  readonly dir: string;
  /** `<provider>-<stack>-<major>-<minor>-<version>` (version in tag form), parsed. */
  readonly release: ReleaseTag;
  /** The ClusterClass name in cluster-class.yaml. */
  readonly clusterClassName: string;
  /** metadata.yaml versions.kubernetes, e.g. v1.34.7. */
  readonly kubernetes: string;
  /** kustomization.yaml and the manifests it lists, sorted by name, with their bytes. */
  readonly files: readonly FluxFile[];
}

const PLAIN_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Reads a bundle folder `dist/<provider>/<stack>/<major>-<minor>/` for a
 * Flux artifact: kustomization.yaml and exactly the files it lists as
 * resources (the Kubernetes manifests: cluster-class.yaml, node-images.yaml,
 * helm-chart-proxies.yaml), nothing for the Cluster Stack Operator
 * (Chart.yaml, values.yaml, metadata.yaml, clusteraddon.yaml), so a Flux
 * Kustomization can apply the artifact root.
 *
 * The release tag comes from metadata.yaml (versions.clusterStack,
 * versions.kubernetes) and the ClusterClass name
 * `<provider>-<stack>-<major>-<minor>-<version>` in cluster-class.yaml, which
 * must agree.
 *
 * Refuses, naming the folder and file: a missing folder, metadata.yaml or
 * kustomization.yaml; a kustomization.yaml with fields other than
 * apiVersion, kind and resources (patches, generators … would need files the
 * artifact does not carry), or whose resources are not plain files of the
 * folder; a manifest of the folder that kustomization.yaml does not list
 * (the artifact would silently miss it); a ClusterClass name that does not
 * match metadata.yaml.
 */
export function readGitopsBundle(dir: string): GitopsBundle {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${dir}: no such bundle folder`);
  const at = (name: string) => join(dir, name);

  const metadata = readMetadata(at('metadata.yaml'), root);
  let version: StackVersion;
  try {
    version = StackVersion.parse(metadata.clusterStack);
  } catch (e) {
    throw new Error(`${at('metadata.yaml')}: versions.clusterStack: ${(e as Error).message}`);
  }
  const k8s = /^v([0-9]+)\.([0-9]+)\.[0-9]+$/.exec(metadata.kubernetes);
  if (!k8s) throw new Error(`${at('metadata.yaml')}: versions.kubernetes is '${metadata.kubernetes}', expected v<major>.<minor>.<patch>`);
  const [major, minor] = [Number(k8s[1]), Number(k8s[2])];
  if (/^[0-9]+-[0-9]+$/.test(basename(root)) && basename(root) !== `${major}-${minor}`) {
    throw new Error(`${at('metadata.yaml')}: versions.kubernetes is ${metadata.kubernetes}, but the folder is ${basename(root)}`);
  }

  const kustomizationPath = at(KUSTOMIZATION_FILE);
  if (!existsSync(join(root, KUSTOMIZATION_FILE))) throw new Error(`${dir}: no ${KUSTOMIZATION_FILE}; a GitOps bundle is a dist/<provider>/<stack>/<major>-<minor>/ folder written by 'npm run synth'`);
  const resources = readResources(kustomizationPath, join(root, KUSTOMIZATION_FILE));
  for (const name of [KUSTOMIZATION_FILE, ...resources]) {
    const path = join(root, name);
    if (!existsSync(path)) throw new Error(`${kustomizationPath}: resource ${name} is not in the folder`);
    const st = lstatSync(path);
    if (!st.isFile()) throw new Error(`${at(name)}: ${name === KUSTOMIZATION_FILE ? 'must' : `a resource of ${KUSTOMIZATION_FILE} must`} be a regular file (found a ${st.isDirectory() ? 'folder' : st.isSymbolicLink() ? 'symbolic link' : 'special file'})`);
  }
  const unlisted = MANIFEST_FILES.filter((f) => existsSync(join(root, f)) && !resources.includes(f));
  if (unlisted.length > 0) throw new Error(`${kustomizationPath}: does not list ${unlisted.join(', ')}, which the folder holds; it is stale (run 'npm run synth')`);

  const clusterClassName = readClusterClassName(at('cluster-class.yaml'), join(root, 'cluster-class.yaml'), resources);
  const suffix = `-${major}-${minor}-${version.toString()}`;
  const prefix = clusterClassName.endsWith(suffix) ? clusterClassName.slice(0, -suffix.length) : '';
  if (!/^[a-z][a-z0-9]*-[a-z][a-z0-9]*$/.test(prefix)) {
    throw new Error(`${at('cluster-class.yaml')}: ClusterClass '${clusterClassName}' is not <provider>-<stack>${suffix} as metadata.yaml (clusterStack ${metadata.clusterStack}, kubernetes ${metadata.kubernetes}) says`);
  }
  const tag = `${prefix}-${major}-${minor}-${version.toTag()}`;
  const release = parseReleaseTag(tag);
  if (!release) throw new Error(`${dir}: '${tag}' is not a release tag`);

  const names = [KUSTOMIZATION_FILE, ...resources].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files = names.map((name) => ({ name, content: readFileSync(join(root, name)) }));
  return { dir: root, release, clusterClassName, kubernetes: metadata.kubernetes, files };
}

function loadYaml(path: string, shown: string): unknown {
  try {
    return yaml.load(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${shown}: not valid YAML: ${(e as Error).message}`);
  }
}

function readMetadata(shown: string, root: string): { clusterStack: string; kubernetes: string } {
  const path = join(root, 'metadata.yaml');
  if (!existsSync(path)) throw new Error(`${shown}: missing; a bundle folder has metadata.yaml (versions.clusterStack, versions.kubernetes)`);
  const versions = (loadYaml(path, shown) as { versions?: { clusterStack?: unknown; kubernetes?: unknown } } | null)?.versions;
  if (typeof versions?.clusterStack !== 'string' || typeof versions.kubernetes !== 'string') throw new Error(`${shown}: expected versions.clusterStack and versions.kubernetes strings`);
  return { clusterStack: versions.clusterStack, kubernetes: versions.kubernetes };
}

/** The resources of a kustomization.yaml that only lists files of its own folder. */
function readResources(shown: string, path: string): string[] {
  const doc = loadYaml(path, shown);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${shown}: not a Kustomization`);
  const k = doc as Record<string, unknown>;
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') throw new Error(`${shown}: expected apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization`);
  const other = Object.keys(k).filter((key) => !['apiVersion', 'kind', 'resources'].includes(key));
  if (other.length > 0) throw new Error(`${shown}: has ${other.join(', ')}; only resources (files of the bundle folder) can be carried in a Flux artifact`);
  const resources = k.resources;
  if (!Array.isArray(resources) || resources.length === 0 || resources.some((r) => typeof r !== 'string')) throw new Error(`${shown}: resources must be a non-empty list of file names`);
  const names = resources as string[];
  for (const r of names) {
    if (!PLAIN_NAME.test(r) || r === '.' || r === '..' || r === KUSTOMIZATION_FILE) throw new Error(`${shown}: resource '${r}' is not a file of the bundle folder`);
  }
  const dup = names.find((r, i) => names.indexOf(r) !== i);
  if (dup) throw new Error(`${shown}: resource ${dup} is listed twice`);
  return names;
}

function readClusterClassName(shown: string, path: string, resources: readonly string[]): string {
  if (!resources.includes('cluster-class.yaml') || !existsSync(path)) throw new Error(`${shown}: missing or not listed in ${KUSTOMIZATION_FILE}; a bundle's artifact carries its ClusterClass`);
  let docs: unknown[];
  try {
    docs = yaml.loadAll(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${shown}: not valid YAML: ${(e as Error).message}`);
  }
  const classes = docs.filter((d): d is { kind: string; metadata?: { name?: unknown } } => d !== null && typeof d === 'object' && (d as { kind?: unknown }).kind === 'ClusterClass');
  if (classes.length !== 1) throw new Error(`${shown}: expected one ClusterClass, found ${classes.length}`);
  const name = classes[0]?.metadata?.name;
  if (typeof name !== 'string') throw new Error(`${shown}: the ClusterClass has no metadata.name`);
  return name;
}
