import type { KubernetesVersion } from './kubernetes-version.ts';
import type { StackVersion } from './stack-version.ts';

/** The versions of a cluster stack release and its components. */
export interface ClusterStackVersions {
  readonly clusterStack: StackVersion;
  readonly clusterAddon: StackVersion;
  readonly nodeImage: StackVersion;
}

/**
 * metadata.yaml's document, as the Cluster Stack Operator reads it
 * (`pkg/release/metadata.go`).
 */
export function metadataDocument(kubernetes: KubernetesVersion, versions: ClusterStackVersions): Readonly<Record<string, unknown>> {
  return {
    apiVersion: 'metadata.clusterstack.x-k8s.io/v1alpha1',
    versions: {
      clusterStack: versions.clusterStack.toString(),
      kubernetes: kubernetes.toVersionTag(),
      components: {
        clusterAddon: versions.clusterAddon.toString(),
        nodeImage: versions.nodeImage.toString(),
      },
    },
  };
}
