import { NODE_IMAGE_SOURCE_ANNOTATION } from '../../constructs/cluster-stack.ts';
import type { ClusterClassPatch as TypedPatch } from '../../constructs/patch.ts';
import type { JSONSchemaProps } from '../pipeline/crd-schema.ts';
import { inFileOrder } from '../bytes/render.ts';
import type { Bundle } from '../pipeline/synth.ts';

/**
 * What the docs show, taken from the bundle model (the objects exactly as
 * they are written, and the typed patches their conditions come from), so
 * the pages describe what is shipped without reading the files back.
 */

export interface ObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export interface ClusterClassVariable {
  readonly name: string;
  readonly required: boolean;
  readonly schema: { readonly openAPIV3Schema: JSONSchemaProps };
}

export interface MatchResources {
  readonly controlPlane?: boolean;
  readonly infrastructureCluster?: boolean;
  readonly machineDeploymentClass?: { readonly names?: readonly string[] };
  readonly machinePoolClass?: { readonly names?: readonly string[] };
}

export interface JsonPatch {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
  readonly valueFrom?: { readonly variable?: string; readonly template?: string };
}

export interface PatchDefinition {
  readonly selector: { readonly apiVersion: string; readonly kind: string; readonly matchResources: MatchResources };
  readonly jsonPatches: readonly JsonPatch[];
}

export interface ClusterClassPatch {
  readonly name: string;
  readonly description?: string;
  readonly enabledIf?: string;
  readonly definitions?: readonly PatchDefinition[];
  /** Runtime-extension patches; shown by their extension names. */
  readonly external?: Readonly<Record<string, unknown>>;
}

export interface MachineDeploymentClass {
  readonly class: string;
  readonly template: { readonly bootstrap: { readonly ref: ObjectReference }; readonly infrastructure: { readonly ref: ObjectReference } };
}

export interface ClusterClassSpec {
  readonly infrastructure: { readonly ref: ObjectReference };
  readonly controlPlane: { readonly ref: ObjectReference; readonly machineInfrastructure?: { readonly ref: ObjectReference } };
  readonly workers?: { readonly machineDeployments?: readonly MachineDeploymentClass[] };
  readonly variables?: readonly ClusterClassVariable[];
  readonly patches?: readonly ClusterClassPatch[];
}

export interface AddonContent {
  /** Folder below cluster-addon/. */
  readonly folder: string;
  readonly description: string;
  readonly charts: readonly { readonly name: string; readonly repository: string; readonly version: string }[];
  /** Hook stages that apply or delete this addon, in clusteraddon.yaml order, e.g. `AfterControlPlaneInitialized`. */
  readonly stages: readonly { readonly hook: string; readonly action: string }[];
}

export interface NodeImageContent {
  readonly kind: string;
  readonly name: string;
  readonly url: string | undefined;
  readonly hash: { readonly algorithm: string; readonly value: string } | undefined;
}

export interface BundleContent {
  readonly bundle: Bundle;
  readonly clusterClassName: string;
  readonly clusterClass: ClusterClassSpec;
  /** The ClusterClass's patches, typed, in the order of `clusterClass.patches`. */
  readonly patches: readonly TypedPatch[];
  /** Kubernetes version as in metadata.yaml, e.g. `v1.34.7`. */
  readonly kubernetes: string;
  readonly versions: { readonly clusterStack: string; readonly clusterAddon: string; readonly nodeImage: string };
  readonly addons: readonly AddonContent[];
  readonly nodeImages: readonly NodeImageContent[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The parts of a synthesized bundle the docs show, from its model. */
export function readBundleContent(bundle: Bundle): BundleContent {
  const { model } = bundle;
  const spec = model.clusterClass.object.spec;
  if (!isRecord(spec)) throw new Error(`${bundle.path}: the ClusterClass has no spec`);
  return {
    bundle,
    clusterClassName: model.clusterClassName,
    // The object as the ClusterClass binding wrote it, which this interface
    // describes, keys in the order the file shows them.
    clusterClass: inFileOrder(spec) as unknown as ClusterClassSpec,
    patches: model.clusterClass.patches,
    kubernetes: model.identity.kubernetes.toVersionTag(),
    versions: {
      clusterStack: model.versions.clusterStack.toString(),
      clusterAddon: model.versions.clusterAddon.toString(),
      nodeImage: model.versions.nodeImage.toString(),
    },
    addons: [...model.addons].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((addon) => ({
      folder: addon.name,
      description: addon.description,
      charts: [{ name: addon.chart.name, repository: addon.chart.repository, version: addon.chart.version }],
      stages: Object.entries(model.addonStages).flatMap(([hook, entries]) => (entries ?? []).filter((e) => e.name === addon.name).map((e) => ({ hook, action: e.action }))),
    })),
    nodeImages: model.nodeImages.map(nodeImageContent),
  };
}

/** Reads a nested field without trusting the shape. */
function dig(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function nodeImageContent(doc: Readonly<Record<string, unknown>>): NodeImageContent {
  // ORC Image: spec.resource.content.download.{url,hash}; a build recipe
  // (hetzner/scs's ConfigMap) names its source in an annotation. Other kinds show their name only.
  const download = dig(doc, 'spec', 'resource', 'content', 'download');
  const url = dig(download, 'url') ?? dig(doc, 'metadata', 'annotations', NODE_IMAGE_SOURCE_ANNOTATION);
  const algorithm = dig(download, 'hash', 'algorithm');
  const value = dig(download, 'hash', 'value');
  return {
    kind: String(doc.kind),
    name: String(dig(doc, 'metadata', 'name')),
    url: typeof url === 'string' ? url : undefined,
    hash: typeof algorithm === 'string' && typeof value === 'string' ? { algorithm, value } : undefined,
  };
}
