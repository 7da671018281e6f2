import type { HardeningObjects } from '../bundle-objects.ts';
import { evaluateEnabledIf } from '../go-condition.ts';
import { arrayAt, at, isObject, mergePatch, stringAt, type Json, type JsonObject } from '../json.ts';
import { bootstrapNodes, COMPONENTS, EXTRA_ARGS, extraArgs, fileContent, kubeletView, label, nodeFiles, parseDocuments, variableDefaults, type BootstrapNode, type Component } from '../objects.ts';
import { patchOperations } from '../patches.ts';
import { baseFiles, KUBEADM_FLAGS, KUBEADM_KUBELET_CONFIG, type ControlPlaneProcess, type FileState } from './kubeadm.ts';

/**
 * What a node of a bundle looks like to kube-bench with the default
 * variables: the control plane processes' flags (kubeadm's, then the
 * templates' extraArgs), the kubelet's flags and configuration (kubeadm's
 * defaults, then the kubelet patch files), kube-proxy's configuration and
 * the files with their modes (kubeadm, Cluster API and the node image, then
 * the templates' files and commands).
 */
export interface NodeState {
  /** `<kind>/<name>` of the bootstrap template. */
  readonly name: string;
  readonly controlPlane: boolean;
  /** Control plane processes; empty on workers. */
  readonly processes: Partial<Record<ControlPlaneProcess, Readonly<Record<string, string>>>>;
  readonly kubeletFlags: Readonly<Record<string, string>>;
  readonly kubeletConfig: JsonObject;
  readonly proxyConfig: JsonObject | undefined;
  readonly files: Readonly<Record<string, FileState>>;
  /** The encryption configuration's content, when the API server has one. */
  readonly encryptionConfig: string | undefined;
}

export interface BundleState {
  readonly nodes: readonly NodeState[];
  /** Patches enabled with the default variables that change a bootstrap template: the templates alone would not tell. */
  readonly problems: readonly string[];
}

const PROCESS_OF: Readonly<Record<Component, ControlPlaneProcess>> = { apiServer: 'apiserver', controllerManager: 'controllermanager', scheduler: 'scheduler', etcd: 'etcd' };

const strings = (o: JsonObject): Record<string, string> => Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'));

const MODE = /^0?([0-7]{3})$/;

/** Applies the file commands the templates run: chmod, a guarded chmod loop, install -d with an owner created before. */
function applyCommands(files: Record<string, FileState>, commands: readonly string[], phase: 'pre' | 'post', where: string): void {
  const users = new Set<string>();
  const groups = new Set<string>();
  // Before kubeadm only what kubeadm leaves alone keeps its mode: the node image's files and directories kubeadm creates with MkdirAll.
  const applies = (path: string) => phase === 'post' || files[path]?.by.startsWith('node image') === true || path === '/var/lib/etcd';
  const set = (path: string, change: Partial<FileState>) => {
    const current = files[path];
    if (current && applies(path)) files[path] = { ...current, ...change, by: `${current.by}, then ${where}` };
  };
  for (const command of commands) {
    let m: RegExpExecArray | null;
    if ((m = /^(?:getent group (\S+) >\/dev\/null \|\| )?groupadd (?:--system )?(\S+)$/.exec(command))) groups.add(m[2]);
    else if ((m = /^(?:getent passwd \S+ >\/dev\/null \|\| )?useradd .*?--gid (\S+) .*?(\S+)$/.exec(command))) {
      if (groups.has(m[1])) users.add(m[2]);
    } else if ((m = /^chmod (\S+) ((?:\/\S+ ?)+)$/.exec(command)) && MODE.test(m[1])) {
      for (const p of m[2].trim().split(' ')) set(p, { mode: MODE.exec(m[1])?.[1] ?? '' });
    } else if ((m = /^for f in ((?:\/\S+ ?)+); do \[ ! -e "\$f" \] \|\| chmod (\S+) "\$f"; done$/.exec(command)) && MODE.test(m[2])) {
      for (const p of m[1].trim().split(' ')) set(p, { mode: MODE.exec(m[2])?.[1] ?? '' });
    } else if ((m = /^install -d -m (\S+) -o (\S+) -g (\S+) (\/\S+)$/.exec(command)) && MODE.test(m[1])) {
      const owner = users.has(m[2]) && groups.has(m[3]) ? `${m[2]}:${m[3]}` : undefined;
      set(m[4], { mode: MODE.exec(m[1])?.[1] ?? '', ...(owner ? { owner } : {}) });
    }
  }
}

function fileStates(node: BootstrapNode, controlPlane: boolean): Record<string, FileState> {
  const files = baseFiles(controlPlane);
  const name = label(node.object);
  const pre = arrayAt(node.object, [...node.base, 'preKubeadmCommands']).filter((c): c is string => typeof c === 'string');
  const post = arrayAt(node.object, [...node.base, 'postKubeadmCommands']).filter((c): c is string => typeof c === 'string');
  for (const f of nodeFiles(node)) {
    const mode = MODE.exec(stringAt(f.entry, ['permissions']) ?? '0644')?.[1] ?? '644';
    files[f.filePath] = { mode, owner: (stringAt(f.entry, ['owner']) ?? 'root:root').replace(/^root$/, 'root:root'), by: f.where };
  }
  applyCommands(files, pre, 'pre', `${name} preKubeadmCommands`);
  applyCommands(files, post, 'post', `${name} postKubeadmCommands`);
  return files;
}

function proxyConfig(node: BootstrapNode): JsonObject | undefined {
  for (const f of nodeFiles(node)) {
    const content = fileContent(f.entry);
    if (content === undefined || !content.includes('KubeProxyConfiguration')) continue;
    const parsed = parseDocuments(content, f.where);
    if ('docs' in parsed) for (const d of parsed.docs) if (isObject(d) && d.kind === 'KubeProxyConfiguration') return d;
  }
  return undefined;
}

export function bundleState(o: HardeningObjects, kubeadmFlags: typeof KUBEADM_FLAGS = KUBEADM_FLAGS): BundleState {
  const defaults = variableDefaults(o);
  const problems: string[] = [];
  for (const op of patchOperations(o)) {
    if (op.selectorKind !== 'KubeadmControlPlaneTemplate' && op.selectorKind !== 'KubeadmConfigTemplate') continue;
    const r = evaluateEnabledIf(op.enabledIf, defaults);
    if (!r.ok || r.enabled) problems.push(`${op.where}: patch '${op.patch}' ${r.ok ? 'is enabled with the default variables' : `cannot be evaluated (${r.error})`}, so the templates alone do not show the default node`);
  }
  const proxy = proxyConfig(bootstrapNodes(o)[0]);
  const nodes = bootstrapNodes(o).map((node): NodeState => {
    const controlPlane = node.classes === undefined;
    const processes: Partial<Record<ControlPlaneProcess, Record<string, string>>> = {};
    if (controlPlane) for (const c of COMPONENTS) processes[PROCESS_OF[c]] = { ...kubeadmFlags[PROCESS_OF[c]], ...strings(extraArgs(o, c)) };
    const kubeletFlags: Record<string, string> = {};
    for (const config of node.configs) {
      const args = at(node.object, [...node.base, config, 'nodeRegistration', 'kubeletExtraArgs']);
      if (isObject(args)) Object.assign(kubeletFlags, strings(args));
    }
    const merged = mergePatch(structuredClone(KUBEADM_KUBELET_CONFIG) as unknown as Json, kubeletView(node).config);
    const files = fileStates(node, controlPlane);
    const encryptionPath = processes.apiserver?.['encryption-provider-config'];
    const encryption = encryptionPath === undefined ? undefined : nodeFiles(node).find((f) => f.filePath === encryptionPath);
    return {
      name: label(node.object),
      controlPlane,
      processes,
      kubeletFlags,
      kubeletConfig: isObject(merged) ? merged : {},
      proxyConfig: proxy,
      files,
      encryptionConfig: encryption ? fileContent(encryption.entry) : undefined,
    };
  });
  return { nodes, problems };
}

/** Where the template sets a control plane flag, for messages. */
export function flagWhere(o: HardeningObjects, process: ControlPlaneProcess, flag: string): string {
  const component = COMPONENTS.find((c) => PROCESS_OF[c] === process);
  if (!component) return process;
  const value = at(o.controlPlane, [...EXTRA_ARGS[component], flag]);
  return value === undefined ? `kubeadm's default for ${process}` : `${label(o.controlPlane)} ${[...EXTRA_ARGS[component], flag].map((s) => `/${s}`).join('')}`;
}
