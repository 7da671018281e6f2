import type { HardeningObjects } from './bundle-objects.ts';
import { arrayAt, at, isObject, mergePatch, objectAt, ptr, stringAt, toJson, type Json, type JsonObject, type JsonPath } from './json.ts';
import { isFileAdd, startsWith, type PatchOperation } from './patches.ts';
import { KUBEADM_MANAGED_DIRS, KUBELET_PATCH_FILE } from './baseline.ts';
import { loadYamlDocuments } from '../bytes/yaml-documents.ts';

/** Where the checks look, as JSON paths into the v1beta1 templates. */
export type Component = 'apiServer' | 'controllerManager' | 'scheduler' | 'etcd';
export const COMPONENTS: readonly Component[] = ['apiServer', 'controllerManager', 'scheduler', 'etcd'];
export const KCS: JsonPath = ['spec', 'template', 'spec', 'kubeadmConfigSpec'];
const CLUSTER_CONFIGURATION: JsonPath = [...KCS, 'clusterConfiguration'];
export const EXTRA_ARGS: Readonly<Record<Component, JsonPath>> = {
  apiServer: [...CLUSTER_CONFIGURATION, 'apiServer', 'extraArgs'],
  controllerManager: [...CLUSTER_CONFIGURATION, 'controllerManager', 'extraArgs'],
  scheduler: [...CLUSTER_CONFIGURATION, 'scheduler', 'extraArgs'],
  etcd: [...CLUSTER_CONFIGURATION, 'etcd', 'local', 'extraArgs'],
};
export type PodComponent = Exclude<Component, 'etcd'>;
export const EXTRA_VOLUMES: Readonly<Record<PodComponent, JsonPath>> = {
  apiServer: [...CLUSTER_CONFIGURATION, 'apiServer', 'extraVolumes'],
  controllerManager: [...CLUSTER_CONFIGURATION, 'controllerManager', 'extraVolumes'],
  scheduler: [...CLUSTER_CONFIGURATION, 'scheduler', 'extraVolumes'],
};
export const CP_FILES: JsonPath = [...KCS, 'files'];
export const WORKER_SPEC: JsonPath = ['spec', 'template', 'spec'];
export const WORKER_FILES: JsonPath = [...WORKER_SPEC, 'files'];
export const ROLLOUT_BEFORE: JsonPath = ['spec', 'template', 'spec', 'rolloutBefore'];

/** `<kind>/<name>` of an object. */
export function label(object: JsonObject): string {
  return `${stringAt(object, ['kind']) ?? '?'}/${stringAt(object, ['metadata', 'name']) ?? '?'}`;
}

/** `<kind>/<name> <JSON pointer>`: how every message names a place. */
export function loc(object: JsonObject, path: JsonPath): string {
  return `${label(object)} ${ptr(path)}`;
}

/** A bootstrap configuration: the control plane (init and join) or one worker template (join). */
export interface BootstrapNode {
  readonly object: JsonObject;
  readonly base: JsonPath;
  readonly configs: readonly ('initConfiguration' | 'joinConfiguration')[];
  readonly filesPath: JsonPath;
  /** The worker classes using this template; undefined for the control plane. */
  readonly classes: readonly string[] | undefined;
}

export function bootstrapNodes(o: HardeningObjects): BootstrapNode[] {
  return [
    { object: o.controlPlane, base: KCS, configs: ['initConfiguration', 'joinConfiguration'], filesPath: CP_FILES, classes: undefined },
    ...o.workers.map((w) => ({ object: w.template, base: WORKER_SPEC, configs: ['joinConfiguration'] as const, filesPath: WORKER_FILES, classes: w.classes })),
  ];
}

export interface FileEntry {
  readonly entry: JsonObject;
  readonly filePath: string;
  /** JSON path of the entry in its object. */
  readonly path: JsonPath;
  /** `<kind>/<name> <pointer to the entry>`. */
  readonly where: string;
}

export function nodeFiles(node: BootstrapNode): FileEntry[] {
  return arrayAt(node.object, node.filesPath).flatMap((entry, i) =>
    isObject(entry) ? [{ entry, filePath: stringAt(entry, ['path']) ?? '', path: [...node.filesPath, i], where: loc(node.object, [...node.filesPath, i]) }] : [],
  );
}

/** Files a patch operation adds to this node (with `add …/files/-`). */
export function patchFilesFor(node: BootstrapNode, ops: readonly PatchOperation[]): { op: PatchOperation; entry: JsonObject | undefined }[] {
  const kind = stringAt(node.object, ['kind']);
  return ops
    .filter((op) => op.selectorKind === kind && isFileAdd(op, node.filesPath))
    .filter((op) => (node.classes === undefined ? op.controlPlane : node.classes.some((c) => op.workerClasses.includes(c))))
    .map((op) => ({ op, entry: isObject(op.value) ? op.value : undefined }));
}

export function fileContent(entry: JsonObject): string | undefined {
  return stringAt(entry, ['content']);
}

/** Parses YAML (or JSON) documents; a problem message instead when it does not parse. */
export function parseDocuments(content: string, where: string): { docs: Json[] } | { problem: string } {
  try {
    return { docs: loadYamlDocuments(content, where).map((d, i) => toJson(d, `${where}#${i}`)) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

export function parseDocument(content: string, where: string): { doc: Json } | { problem: string } {
  const parsed = parseDocuments(content, where);
  if ('problem' in parsed) return parsed;
  if (parsed.docs.length !== 1) return { problem: `${where}: expected one document, got ${parsed.docs.length}` };
  return { doc: parsed.docs[0] };
}

/** The kubelet configuration a node ends up with: every kubeadm kubelet patch file merged in file-name order, as kubeadm applies them. */
export interface KubeletView {
  readonly config: JsonObject;
  readonly sources: readonly { readonly file: FileEntry; readonly patch: Json }[];
  readonly problems: readonly string[];
}

export function kubeletView(node: BootstrapNode): KubeletView {
  const files = nodeFiles(node)
    .filter((f) => KUBELET_PATCH_FILE.test(f.filePath))
    .sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));
  let config: Json = {};
  const sources: { file: FileEntry; patch: Json }[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const where = loc(node.object, [...file.path, 'content']);
    const content = fileContent(file.entry);
    if (content === undefined) {
      problems.push(`${where}: kubelet patch without inline content`);
      continue;
    }
    if (file.filePath.includes('+json.')) {
      problems.push(`${where}: RFC 6902 kubelet patches are not evaluated by these checks`);
      continue;
    }
    const parsed = parseDocument(content, where);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    if (!isObject(parsed.doc)) {
      problems.push(`${where}: not an object`);
      continue;
    }
    config = mergePatch(config, parsed.doc);
    sources.push({ file, patch: parsed.doc });
  }
  return { config: isObject(config) ? config : {}, sources, problems };
}

/** Names where a kubelet field comes from: the last patch file that sets it, else the node's files. */
export function kubeletFieldWhere(node: BootstrapNode, view: KubeletView, field: JsonPath): string {
  const source = [...view.sources].reverse().find((s) => at(s.patch, field) !== undefined);
  return source ? `${loc(node.object, [...source.file.path, 'content'])} → ${ptr(field)}` : `${loc(node.object, node.filesPath)} (no kubelet patch sets ${ptr(field)})`;
}

/** A volume of a control plane static pod, from the template or a patch. */
export interface Volume {
  readonly hostPath: string;
  readonly mountPath: string;
  readonly readOnly: boolean | undefined;
  readonly pathType: string | undefined;
  readonly where: string;
}

function toVolume(v: Json | undefined, where: string): Volume | undefined {
  const hostPath = stringAt(v, ['hostPath']);
  const mountPath = stringAt(v, ['mountPath']);
  if (hostPath === undefined || mountPath === undefined) return undefined;
  const readOnly = at(v, ['readOnly']);
  return { hostPath, mountPath, readOnly: typeof readOnly === 'boolean' ? readOnly : undefined, pathType: stringAt(v, ['pathType']), where };
}

export function templateVolumes(o: HardeningObjects, component: PodComponent): Volume[] {
  return arrayAt(o.controlPlane, EXTRA_VOLUMES[component]).flatMap((v, i) => toVolume(v, loc(o.controlPlane, [...EXTRA_VOLUMES[component], i])) ?? []);
}

function patchVolumes(ops: readonly PatchOperation[], component: PodComponent): Volume[] {
  return ops
    .filter((op) => op.selectorKind === 'KubeadmControlPlaneTemplate' && op.op === 'add' && op.path.length === EXTRA_VOLUMES[component].length + 1 && startsWith(op.path, EXTRA_VOLUMES[component]))
    .flatMap((op) => toVolume(op.value, op.where) ?? []);
}

function under(path: string, dir: string): boolean {
  const d = dir.endsWith('/') ? dir : `${dir}/`;
  return path.startsWith(d);
}

/** The host path behind a path inside a static pod, through the volume that mounts it. */
function hostPathOf(podPath: string, volumes: readonly Volume[]): { hostPath: string; volume: Volume } | undefined {
  const volume = volumes.filter((v) => under(podPath, v.mountPath) || podPath === v.mountPath).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  return volume ? { hostPath: `${volume.hostPath.replace(/\/$/, '')}${podPath.slice(volume.mountPath.replace(/\/$/, '').length)}`, volume } : undefined;
}

export function kubeadmManaged(path: string): boolean {
  return KUBEADM_MANAGED_DIRS.some((d) => under(path, d));
}

/** A flag's file: resolved through the template's (and optionally a patch's) volumes to a files[] entry. */
export type FlagFile = { readonly entry: JsonObject; readonly where: string; readonly hostPath: string; readonly volume: Volume } | { readonly problem: string };

export function resolvePodFile(o: HardeningObjects, component: PodComponent, podPath: string, flagWhere: string, patchOps: readonly PatchOperation[] = []): FlagFile {
  const volumes = [...templateVolumes(o, component), ...patchVolumes(patchOps, component)];
  const mapped = hostPathOf(podPath, volumes);
  if (!mapped) return { problem: `${flagWhere}: ${podPath} is on no extraVolumes mount of ${component} (${loc(o.controlPlane, EXTRA_VOLUMES[component])})` };
  const file = nodeFiles(bootstrapNodes(o)[0]).find((f) => f.filePath === mapped.hostPath);
  if (file) return { entry: file.entry, where: file.where, hostPath: mapped.hostPath, volume: mapped.volume };
  const added = patchOps.find((op) => op.selectorKind === 'KubeadmControlPlaneTemplate' && isFileAdd(op, CP_FILES) && stringAt(op.value, ['path']) === mapped.hostPath);
  if (added && isObject(added.value)) return { entry: added.value, where: `${added.where}/value`, hostPath: mapped.hostPath, volume: mapped.volume };
  return { problem: `${flagWhere}: ${mapped.hostPath} has no files[] entry (${loc(o.controlPlane, CP_FILES)})` };
}

export function extraArgs(o: HardeningObjects, component: Component): JsonObject {
  return objectAt(o.controlPlane, EXTRA_ARGS[component]) ?? {};
}

/** Each ClusterClass variable's schema default, by name: what a Cluster that sets nothing gets. */
export function variableDefaults(o: HardeningObjects): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const v of arrayAt(o.clusterClass, ['spec', 'variables'])) {
    const name = stringAt(v, ['name']);
    const def = at(v, ['schema', 'openAPIV3Schema', 'default']);
    if (name !== undefined && def !== undefined) out[name] = def;
  }
  return out;
}
