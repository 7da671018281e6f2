import type { Bundle } from '../pipeline/synth.ts';
import type { Deviation } from './deviations.ts';
import { arrayAt, at, isObject, stringAt, toJson, type Json, type JsonObject } from './json.ts';
import { loadYamlDocuments } from '../bytes/yaml-documents.ts';

/**
 * The objects of one bundle the hardening checks read, as plain JSON so a
 * test can copy and change them: the ClusterClass (variables, patches), the
 * KubeadmControlPlaneTemplate, every worker KubeadmConfigTemplate and the
 * addons.
 */
export interface HardeningObjects {
  /** `<provider>/<stack>`. */
  readonly stack: string;
  /** The baseline items the stack declares it leaves out (its definition's hardeningDeviations). */
  readonly deviations: readonly Deviation[];
  /** Kubernetes `<major>.<minor>`. */
  readonly minor: string;
  readonly clusterClass: JsonObject;
  readonly controlPlane: JsonObject;
  /** Every KubeadmConfigTemplate a worker class of the ClusterClass uses, with those classes. */
  readonly workers: readonly { readonly template: JsonObject; readonly classes: readonly string[] }[];
  /** Addon folders the bundle ships. */
  readonly addons: readonly string[];
  /** clusteraddon.yaml's stages: hook → addon names in order. */
  readonly addonStages: Readonly<Record<string, readonly string[]>>;
  /** Text files of the addons, keyed by their bundle path (`cluster-addon/<addon>/<file>`). */
  readonly addonFiles: Readonly<Record<string, string>>;
}

function load(content: string, where: string): Json[] {
  return loadYamlDocuments(content, where).map((d, i) => toJson(d, `${where}#${i}`));
}

/** Picks the objects of a synthesized bundle; throws naming the bundle when one is missing. */
export function hardeningObjects(bundle: Bundle): HardeningObjects {
  const where = bundle.path;
  const file = (path: string): string => {
    const found = bundle.files.find((f) => f.path === path);
    if (!found) throw new Error(`${where}: no ${path}`);
    return found.content;
  };
  const docs = load(file('cluster-class.yaml'), `${where}/cluster-class.yaml`).filter(isObject);
  const clusterClass = docs.find((d) => d.kind === 'ClusterClass');
  if (!clusterClass) throw new Error(`${where}/cluster-class.yaml: no ClusterClass`);
  const byRef = (ref: Json | undefined, label: string): JsonObject => {
    const kind = stringAt(ref, ['kind']);
    const name = stringAt(ref, ['name']);
    const found = docs.find((d) => d.kind === kind && stringAt(d, ['metadata', 'name']) === name);
    if (!found) throw new Error(`${where}/cluster-class.yaml: ${label} ${kind}/${name} is not in the bundle`);
    return found;
  };
  const controlPlane = byRef(at(clusterClass, ['spec', 'controlPlane', 'ref']), 'controlPlane.ref');
  const workers: { template: JsonObject; classes: string[] }[] = [];
  for (const md of arrayAt(clusterClass, ['spec', 'workers', 'machineDeployments'])) {
    const template = byRef(at(md, ['template', 'bootstrap', 'ref']), 'worker bootstrap ref');
    const cls = stringAt(md, ['class']) ?? '';
    const existing = workers.find((w) => w.template === template);
    if (existing) existing.classes.push(cls);
    else workers.push({ template, classes: [cls] });
  }
  const addonFiles: Record<string, string> = {};
  for (const f of bundle.files) if (f.path.startsWith('cluster-addon/')) addonFiles[f.path] = f.content;
  const addons = [...new Set(Object.keys(addonFiles).map((p) => p.split('/')[1]))].sort();
  const stagesDoc = load(file('clusteraddon.yaml'), `${where}/clusteraddon.yaml`)[0];
  const addonStages: Record<string, string[]> = {};
  const stages = isObject(stagesDoc) ? stagesDoc.addonStages : undefined;
  if (isObject(stages)) {
    for (const [hook, list] of Object.entries(stages)) addonStages[hook] = (Array.isArray(list) ? list : []).map((e) => stringAt(e, ['name']) ?? '');
  }
  const stack = `${bundle.identity.provider}/${bundle.identity.stack}`;
  return {
    stack,
    deviations: (bundle.hardeningDeviations ?? []).map((d) => ({ stack, ...d })),
    minor: bundle.identity.kubernetes.minorVersion,
    clusterClass,
    controlPlane,
    workers,
    addons,
    addonStages,
    addonFiles,
  };
}
