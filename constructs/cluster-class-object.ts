import { Lazy, type JsonPatch } from 'cdk8s';
import type { Construct } from 'constructs';
import { ClusterClassV1Beta1, toJson_ClusterClassV1Beta1Props, type ClusterClassV1Beta1Spec } from '../imports/capi-clusterclasses-cluster.x-k8s.io.ts';
import { NOT_PLAIN, sanitizedPlain } from './plain-manifest.ts';

/**
 * The ClusterClass API object (the generated binding) whose spec the
 * ClusterClass construct renders when the object is synthesized.
 *
 * toJson() gives what the binding's own toJson() gives, without cdk8s's
 * resolution walk over the spec when the spec and metadata are plain data
 * and no JSON patch was added (constructs/plain-manifest.ts); otherwise it
 * is the binding's own.
 */
export class ClusterClassObject extends ClusterClassV1Beta1 {
  private patched = false;

  public constructor(scope: Construct, id: string, name: string, private readonly renderSpec: () => ClusterClassV1Beta1Spec) {
    super(scope, id, { metadata: { name }, spec: Lazy.any({ produce: renderSpec }) });
  }

  public override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  public override toJson(): Record<string, unknown> {
    if (!this.patched) {
      let metadata: unknown;
      let spec: unknown;
      try {
        metadata = sanitizedPlain(this.metadata.toJson());
        spec = sanitizedPlain(this.renderSpec());
      } catch {
        // The binding's own path reports the failure, naming the construct.
        spec = NOT_PLAIN;
      }
      if (metadata !== NOT_PLAIN && spec !== NOT_PLAIN) {
        // The binding's toJson() over what ApiObject.toJson() would have given it.
        return { ...ClusterClassV1Beta1.GVK, ...toJson_ClusterClassV1Beta1Props({ metadata, spec } as Parameters<typeof toJson_ClusterClassV1Beta1Props>[0]) };
      }
    }
    return super.toJson() as Record<string, unknown>;
  }
}
