import { Lazy, type JsonPatch } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  HelmChartProxy as HelmChartProxyV1Alpha1,
  toJson_HelmChartProxyProps,
  type HelmChartProxySpec,
} from '../imports/caaph-helmchartproxies-addons.cluster.x-k8s.io.ts';
import { ClusterClassV1Beta1, toJson_ClusterClassV1Beta1Props, type ClusterClassV1Beta1Spec } from '../imports/capi-clusterclasses-cluster.x-k8s.io.ts';
import {
  KubeadmConfigTemplateV1Beta1,
  toJson_KubeadmConfigTemplateV1Beta1Props,
  type KubeadmConfigTemplateV1Beta1SpecTemplateSpec,
} from '../imports/capi-kubeadmconfigtemplates-bootstrap.cluster.x-k8s.io.ts';
import {
  KubeadmControlPlaneTemplateV1Beta1,
  toJson_KubeadmControlPlaneTemplateV1Beta1Props,
  type KubeadmControlPlaneTemplateV1Beta1SpecTemplateSpec,
} from '../imports/capi-kubeadmcontrolplanetemplates-controlplane.cluster.x-k8s.io.ts';
import { plainObjectJson } from './plain-manifest.ts';

/*
 * The API objects (generated bindings) that the ClusterClass, kubeadm
 * template and HelmChartProxy constructs create, with a toJson() that gives
 * what the binding's own gives, without cdk8s's resolution walk, whenever
 * their metadata and spec are plain data and no JSON patch was added
 * (constructs/plain-manifest.ts); otherwise it is the binding's own.
 * Each is `{ group/version/kind, metadata: { name }, spec }`, as the
 * binding's toJson() maps it. test/constructs/plain-manifest.test.ts holds
 * every shipped object equal to the binding's own rendering.
 */

/** A ClusterClass whose spec the ClusterClass construct renders at synthesis. */
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
    const plain = this.patched ? undefined : plainObjectJson(this.metadata, this.renderSpec);
    return plain ? { ...ClusterClassV1Beta1.GVK, ...toJson_ClusterClassV1Beta1Props(plain as Parameters<typeof toJson_ClusterClassV1Beta1Props>[0]) } : (super.toJson() as Record<string, unknown>);
  }
}

/** A KubeadmControlPlaneTemplate whose machine spec the construct renders at synthesis. */
export class KubeadmControlPlaneTemplateObject extends KubeadmControlPlaneTemplateV1Beta1 {
  private patched = false;

  public constructor(scope: Construct, id: string, name: string, private readonly renderSpec: () => KubeadmControlPlaneTemplateV1Beta1SpecTemplateSpec) {
    super(scope, id, { metadata: { name }, spec: { template: { spec: Lazy.any({ produce: renderSpec }) } } });
  }

  public override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  public override toJson(): Record<string, unknown> {
    const plain = this.patched ? undefined : plainObjectJson(this.metadata, () => ({ template: { spec: this.renderSpec() } }));
    return plain
      ? { ...KubeadmControlPlaneTemplateV1Beta1.GVK, ...toJson_KubeadmControlPlaneTemplateV1Beta1Props(plain as Parameters<typeof toJson_KubeadmControlPlaneTemplateV1Beta1Props>[0]) }
      : (super.toJson() as Record<string, unknown>);
  }
}

/** A KubeadmConfigTemplate whose machine spec the construct renders at synthesis. */
export class KubeadmConfigTemplateObject extends KubeadmConfigTemplateV1Beta1 {
  private patched = false;

  public constructor(scope: Construct, id: string, name: string, private readonly renderSpec: () => KubeadmConfigTemplateV1Beta1SpecTemplateSpec) {
    super(scope, id, { metadata: { name }, spec: { template: { spec: Lazy.any({ produce: renderSpec }) } } });
  }

  public override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  public override toJson(): Record<string, unknown> {
    const plain = this.patched ? undefined : plainObjectJson(this.metadata, () => ({ template: { spec: this.renderSpec() } }));
    return plain
      ? { ...KubeadmConfigTemplateV1Beta1.GVK, ...toJson_KubeadmConfigTemplateV1Beta1Props(plain as Parameters<typeof toJson_KubeadmConfigTemplateV1Beta1Props>[0]) }
      : (super.toJson() as Record<string, unknown>);
  }
}

/** A HelmChartProxy, its spec given whole. */
export class HelmChartProxyObject extends HelmChartProxyV1Alpha1 {
  private patched = false;

  public constructor(scope: Construct, id: string, name: string, private readonly spec: HelmChartProxySpec) {
    super(scope, id, { metadata: { name }, spec });
  }

  public override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  public override toJson(): Record<string, unknown> {
    const plain = this.patched ? undefined : plainObjectJson(this.metadata, () => this.spec);
    return plain ? { ...HelmChartProxyV1Alpha1.GVK, ...toJson_HelmChartProxyProps(plain as Parameters<typeof toJson_HelmChartProxyProps>[0]) } : (super.toJson() as Record<string, unknown>);
  }
}
