import type { BundleModel, ManifestObject } from '../../constructs/bundle-model.ts';
import { dumpYaml, type BundleFile } from '../../constructs/cluster-addon.ts';
import { sortYamlKeys } from '../../constructs/yaml-emitter.ts';
import { setOwn } from './json.ts';
import type { AddonStagesDocument } from '../../constructs/cluster-addon-config.ts';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { HELM_CHART_PROXIES_FILE } from '../../constructs/helm-chart-proxy.ts';
import { KUSTOMIZATION_FILE, kustomization } from './gitops/kustomization.ts';

/**
 * The one place a bundle becomes bytes: every file of a bundle folder is
 * rendered here from its model (constructs/bundle-model.ts). Consumers that
 * need the content read the model; writers (atomic writes, releases,
 * GitOps artifacts) take these bytes.
 */

/**
 * A copy of a model value with every object's keys in the order the files
 * write them, for consumers that show or compare objects as written
 * (docs, upgrade checks against released bundles).
 */
export function inFileOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inFileOrder);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Readonly<Record<string, unknown>>;
  const keys = Object.keys(record);
  sortYamlKeys(keys);
  // Every ClusterClass and template of every bundle a release checks goes
  // through here: a loop, not entries arrays per key.
  const copy: Record<string, unknown> = {};
  for (const k of keys) setOwn(copy, k, inFileOrder(record[k]));
  return copy;
}

/** Multi-document YAML, one object per document in the given order. */
export function renderDocuments(objects: readonly ManifestObject[]): string {
  return objects.map((o) => `---\n${dumpYaml(o)}`).join('');
}

/**
 * clusteraddon.yaml. Key order matters to humans reading the file, so the
 * header is written as is and the hooks in their fixed order.
 */
function renderClusterAddonConfig(addonStages: AddonStagesDocument): string {
  return [
    'apiVersion: clusteraddonconfig.x-k8s.io/v1alpha1',
    'clusterAddonVersion: clusteraddons.clusterstack.x-k8s.io/v1alpha1',
    dumpYaml({ addonStages }).trimEnd(),
    '',
  ].join('\n');
}

/** metadata.yaml: the stack's versions. */
export function renderMetadata(model: BundleModel): BundleFile {
  return { path: BundleFiles.metadata, content: dumpYaml(model.metadata) };
}

/**
 * The files whose bytes follow the model's manifest objects and versions:
 * the ClusterClass and its templates, metadata.yaml, the node images, the
 * HelmChartProxies. Every other file depends on neither.
 */
function renderManifestFiles(model: BundleModel): BundleFile[] {
  const { clusterClass } = model;
  const files: BundleFile[] = [
    { path: BundleFiles.clusterClass, content: renderDocuments([clusterClass.object, ...clusterClass.templates]) },
    renderMetadata(model),
  ];
  if (model.nodeImages.length > 0) files.push({ path: BundleFiles.nodeImages, content: renderDocuments(model.nodeImages) });
  if (model.helmChartProxies && model.helmChartProxies.length > 0) files.push({ path: HELM_CHART_PROXIES_FILE, content: renderDocuments(model.helmChartProxies) });
  return files;
}

const byPath = (a: BundleFile, b: BundleFile): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Every file of the bundle folder, paths relative to it, sorted by path:
 * the ClusterClass and its templates, metadata.yaml, the addons and their
 * stages, the node images and their build instructions, and the GitOps
 * files (helm-chart-proxies.yaml, kustomization.yaml) unless the model was
 * built without them (ModelOptions.gitops).
 */
export function renderBundleFiles(model: BundleModel): BundleFile[] {
  const files = renderManifestFiles(model);
  if (model.addons.length > 0) {
    files.push({ path: BundleFiles.clusterAddonConfig, content: renderClusterAddonConfig(model.addonStages) });
    for (const addon of model.addons) {
      for (const f of addon.files()) files.push({ path: `${BundleFiles.clusterAddonDir}/${addon.name}/${f.path}`, content: f.content });
    }
  }
  if (model.nodeImageBuild) files.push(...model.nodeImageBuild.files());
  if (model.helmChartProxies) files.push({ path: KUSTOMIZATION_FILE, content: dumpYaml(kustomization(files.map((f) => f.path))) });
  return files.sort(byPath);
}

/**
 * The files of `model` given the files of a model that differs from it only
 * in its manifest objects and versions (lib/pipeline/retarget.ts): those
 * files are rendered again, every other one is kept.
 */
export function renderManifestFilesOver(model: BundleModel, files: readonly BundleFile[]): BundleFile[] {
  const rendered = renderManifestFiles(model);
  return [...files.filter((f) => !OBJECT_FILES.has(f.path)), ...rendered].sort(byPath);
}

/** The files rendered from the manifest objects and versions of a model (renderManifestFiles). */
export const OBJECT_FILES: ReadonlySet<string> = new Set([BundleFiles.clusterClass, BundleFiles.metadata, BundleFiles.nodeImages, HELM_CHART_PROXIES_FILE]);
