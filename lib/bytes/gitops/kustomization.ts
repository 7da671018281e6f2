import { BundleFiles } from '../../../constructs/cluster-stack.ts';
import { HELM_CHART_PROXIES_FILE } from '../../../constructs/helm-chart-proxy.ts';

/** The kustomize file of a bundle: kustomize, Flux and Argo CD read it by this name. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * The files of a bundle that are Kubernetes manifests for the management
 * cluster, in the order they should be applied: the ClusterClass and its
 * templates, the node images, the addon proxies. Everything else in a bundle
 * (metadata.yaml, clusteraddon.yaml, the cluster-addon/ charts) is for the
 * Cluster Stack Operator and is not a Kubernetes object.
 */
export const MANIFEST_FILES: readonly string[] = [BundleFiles.clusterClass, BundleFiles.nodeImages, HELM_CHART_PROXIES_FILE];

/** kustomize's Kustomization (kustomize.config.k8s.io/v1beta1), the fields written here. */
export interface KustomizationConfig {
  readonly apiVersion: 'kustomize.config.k8s.io/v1beta1';
  readonly kind: 'Kustomization';
  readonly resources: readonly string[];
}

/**
 * The Kustomization listing those of {@link MANIFEST_FILES} that the bundle
 * has, so kustomize, Flux and Argo CD apply the folder without reading
 * Chart.yaml, values.yaml, metadata.yaml… as Kubernetes objects. No
 * namespace is set: the consumer chooses it (Flux `targetNamespace`, Argo CD
 * `destination.namespace`), and the proxies must land in the namespace of
 * the Clusters they select.
 */
export function kustomization(paths: readonly string[]): KustomizationConfig {
  const present = new Set(paths);
  if (!present.has(BundleFiles.clusterClass)) {
    throw new Error(`${KUSTOMIZATION_FILE}: the bundle has no ${BundleFiles.clusterClass}; got ${paths.join(', ') || 'no files'}`);
  }
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: MANIFEST_FILES.filter((f) => present.has(f)),
  };
}
