import type { ClusterAddon } from './cluster-addon.ts';
import type { AddonStagesDocument } from './cluster-addon-config.ts';
import type { ClusterStackVersions } from './metadata.ts';
import type { ClusterStackIdentity } from './names.ts';
import type { NodeImageBuild, NodeImageRelease } from './node-image/node-image-build.ts';
import type { ClusterClassPatch } from './patch.ts';
import type { DeclaredVariable } from './variable.ts';

/** A Kubernetes object as plain JSON, the way it is written to a manifest. */
export type ManifestObject = Readonly<Record<string, unknown>>;

/**
 * The ClusterClass of a bundle: the objects as written, and the typed parts
 * they were rendered from, for consumers that must not read the rendering
 * back (the v1beta2 conversion rewrites patches, the docs describe
 * conditions).
 */
export interface ClusterClassModel {
  /** The ClusterClass (cluster.x-k8s.io/v1beta1), its patches rendered from {@link patches}. */
  readonly object: ManifestObject;
  /** Every template it references, in ClusterClass order. */
  readonly templates: readonly ManifestObject[];
  /** The variables, with their schemas, in ClusterClass order. */
  readonly variables: readonly DeclaredVariable[];
  /**
   * The inline patches, with their typed conditions and values, in patch
   * order. Their MachineDeployment classes are the constructs of the
   * synthesis the model came from, whose templates a renamed model
   * (lib/pipeline/retarget.ts) does not rename: read names from
   * {@link object}, not through a patch.
   */
  readonly patches: readonly ClusterClassPatch[];
}

/**
 * One cluster stack × Kubernetes minor as a typed model, built once by
 * ClusterStack.toModel(). Every file of the bundle is rendered from it in
 * one place (lib/bytes/render.ts); validation, the v1beta2 output and the
 * docs read it rather than the rendered files.
 */
export interface BundleModel {
  readonly identity: ClusterStackIdentity;
  readonly versions: ClusterStackVersions;
  /** `<provider>-<stack>-<major>-<minor>`. */
  readonly name: string;
  /** `<provider>-<stack>-<major>-<minor>-<version>`. */
  readonly clusterClassName: string;
  readonly releaseTag: string;
  readonly clusterClass: ClusterClassModel;
  /** metadata.yaml's document. */
  readonly metadata: ManifestObject;
  /** The core addons, in the stack's order. */
  readonly addons: readonly ClusterAddon[];
  /** clusteraddon.yaml's hook stages (every entry names one of {@link addons}). */
  readonly addonStages: AddonStagesDocument;
  /** node-images.yaml's objects. */
  readonly nodeImages: readonly ManifestObject[];
  readonly nodeImageRelease: NodeImageRelease | undefined;
  /** The build instructions of the bundle's node image, if it ships them. */
  readonly nodeImageBuild: NodeImageBuild | undefined;
  /**
   * The addons as CAAPH HelmChartProxies (helm-chart-proxies.yaml);
   * undefined when the model was built without the GitOps files
   * ({@link ModelOptions.gitops}).
   */
  readonly helmChartProxies: readonly ManifestObject[] | undefined;
}

/** What ClusterStack.toModel builds. */
export interface ModelOptions {
  /**
   * Whether to build the GitOps layer: the HelmChartProxies and, rendered
   * from the model, helm-chart-proxies.yaml and kustomization.yaml. They
   * belong to dist/ only: no release folder holds them and no content hash
   * covers them, so a release that writes no dist/ leaves them out (about
   * 5 % of its CPU time at 500 bundles).
   * @default true
   */
  readonly gitops?: boolean;
}
