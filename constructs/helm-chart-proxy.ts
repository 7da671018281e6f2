import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  HelmChartProxy as HelmChartProxyV1Alpha1,
  HelmChartProxySpecReconcileStrategy,
  type HelmChartProxySpecOptions,
} from '../imports/caaph-helmchartproxies-addons.cluster.x-k8s.io.ts';
import { HelmChartProxyObject } from './api-objects.ts';
import { expressionsIn, renderValuesDocument, type ClusterAddon, type OverwriteValue } from './cluster-addon.ts';
import { Expr } from './expression.ts';
import { assertDnsLabel, assertDnsSubdomain, assertLabelValue, clusterStackName, type ClusterStackIdentity } from './names.ts';

/**
 * Cluster API Add-on Provider for Helm (CAAPH) v0.6.4: one HelmChartProxy
 * per addon, so a management cluster without the Cluster Stack Operator
 * installs the same charts with the same values on every Cluster that
 * carries the ClusterClass's selector label.
 *
 * What CAAPH does with a HelmChartProxy (kubernetes-sigs/cluster-api-addon-provider-helm
 * v0.6.4; paths in that module):
 * - selects Clusters by `clusterSelector` in the proxy's own namespace only
 *   (controllers/helmchartproxy/helmchartproxy_controller.go:286), so the
 *   proxies must be applied to the namespace of the Clusters;
 * - renders `valuesTemplate` per Cluster with Go's text/template, named
 *   `<chartName>-<cluster name>`, with Masterminds sprig v3.3.0's
 *   TxtFuncMap (internal/value_substitutions.go:84-86, go.mod:8), on the data
 *   map `{Cluster, ControlPlane, InfraCluster}` (value_substitutions.go:36-71):
 *   `.Cluster` is the Cluster read as cluster.x-k8s.io/v1beta2 (Cluster API
 *   v1.13.0, value_substitutions.go:28) and converted with
 *   runtime.DefaultUnstructuredConverter, i.e. a map with the JSON field names;
 *   `.ControlPlane` and `.InfraCluster` are the referenced objects as
 *   unstructured maps, present only when the Cluster references them;
 * - installs the release only once the Cluster's control plane is initialized
 *   (controllers/helmreleaseproxy/helmreleaseproxy_controller.go:222), with
 *   the rendered text as a values file (internal/helm_client.go:257);
 * - keeps one HelmReleaseProxy per proxy × selected Cluster; a Cluster that
 *   is no longer selected loses its HelmReleaseProxy, and with
 *   `reconcileStrategy: Continuous` deleting a HelmReleaseProxy uninstalls
 *   the release (helmchartproxy_controller.go:205-210,
 *   helmreleaseproxy_controller.go:384-420), as does a change of chartName,
 *   repoURL, releaseName or namespace (a reinstall:
 *   helmchartproxy_controller_phases.go:86, 291-316);
 * - with `InstallOnce` a HelmReleaseProxy installs or upgrades its release
 *   until that succeeded once (`helm upgrade` when a release of that name
 *   exists: internal/helm_client.go:99-125) and never uninstalls it
 *   (helmreleaseproxy_controller.go:311-317, 384-387); the proxy keeps the
 *   HelmReleaseProxies of Clusters it no longer selects
 *   (helmchartproxy_controller.go:205-211) until the proxy is deleted; the
 *   strategy is immutable (api/v1alpha1/helmchartproxy_webhook.go:102).
 *
 * The proxies of a bundle are therefore per ClusterClass (stack version
 * included) and `InstallOnce`: moving a Cluster to another class (next
 * stack version or next Kubernetes minor) moves its label to the new class's
 * proxies, whose new HelmReleaseProxies upgrade the existing releases in
 * place (same chart, repository, release name and namespace), while the old
 * class's HelmReleaseProxies stay idle until the old class's proxies are
 * removed, and go then without uninstalling anything. A
 * released class never changes (versions are by content), so `InstallOnce`
 * loses no update. With per-minor `Continuous` proxies, the earlier design,
 * moving to the next minor uninstalled every core addon, the CNI included
 * (shown by test/mgmt/caaph.mgmt.test.ts).
 *
 * The Cluster Stack Operator renders overwrite.yaml the same way (text/template,
 * `.Cluster` as an unstructured map with JSON field names), only with
 * slim-sprig and the Cluster as cluster.x-k8s.io/v1beta1. So the valuesTemplate
 * is rendered from the same expression objects as overwrite.yaml, and
 * {@link assertSameDataInCaaph} refuses expressions that read a path whose
 * form differs between the two API versions.
 */

/** Where the generated proxies are written in a bundle (beside cluster-class.yaml). */
export const HELM_CHART_PROXIES_FILE = 'helm-chart-proxies.yaml';

/** The label whose value, a ClusterClass name, selects that class's HelmChartProxies. */
export const CLUSTER_CLASS_LABEL = 'cluster-stacks.x-k8s.io/cluster-class';

/** Where an addon's release goes on the workload cluster unless told otherwise. */
export const DEFAULT_RELEASE_NAMESPACE = 'kube-system';

/**
 * Helm options for core addons (CNI, CCM, CSI, metrics-server):
 * - `wait: false`: core addons depend on each other (no pod is Ready before
 *   the CNI, workers stay tainted until the CCM runs, metrics-server needs
 *   approved kubelet certificates and schedulable workers). Waiting would mark
 *   releases failed while the cluster is still coming up, and CAAPH does not
 *   retry an unchanged failed release. The Cluster Stack Operator does not
 *   wait either: it applies `helm template` output.
 * - `timeout: 5m0s`: bounds hooks (charts' Jobs) per operation; CAAPH's
 *   default is 10 minutes.
 * - `install.createNamespace: true`: for releases outside kube-system
 *   (CAAPH's default too, written out so the intent is visible).
 */
export const CORE_ADDON_HELM_OPTIONS: HelmChartProxySpecOptions = {
  wait: false,
  timeout: '5m0s',
  install: { createNamespace: true },
};

/** Helm's limit for release names (it appends suffixes to them for some objects). */
const MAX_RELEASE_NAME_LENGTH = 53;

export { HelmChartProxySpecReconcileStrategy as ReconcileStrategy };

export interface HelmChartProxyProps {
  /** `metadata.name`; CAAPH also uses it as a label value, so at most 63 characters. */
  readonly name: string;
  /** The addon whose chart, version, values and overwrite values the proxy carries. */
  readonly addon: ClusterAddon;
  /** `spec.clusterSelector.matchLabels`: the labels a Cluster must carry to get the addon. */
  readonly clusterSelector: Readonly<Record<string, string>>;
  /**
   * `spec.namespace`: where the release is installed on the workload cluster.
   * @default 'kube-system'
   */
  readonly releaseNamespace?: string;
  /**
   * `spec.releaseName`. Different addons in one namespace need different names.
   * @default - the upstream chart's name, e.g. `cilium`
   */
  readonly releaseName?: string;
  /**
   * `spec.reconcileStrategy`. `InstallOnce` never uninstalls; `Continuous`
   * uninstalls the release when a Cluster stops carrying the selector label.
   * @default ReconcileStrategy.INSTALL_ONCE
   */
  readonly reconcileStrategy?: HelmChartProxySpecReconcileStrategy;
  /**
   * `spec.options`.
   * @default CORE_ADDON_HELM_OPTIONS
   */
  readonly options?: HelmChartProxySpecOptions;
}

/**
 * A CAAPH HelmChartProxy (addons.cluster.x-k8s.io/v1alpha1) for one addon:
 * the upstream chart pinned to the addon's version, and `valuesTemplate` =
 * the addon's values with its overwrite values merged in (see
 * {@link renderValuesTemplate}).
 */
export class HelmChartProxy extends Construct {
  public readonly resource: HelmChartProxyV1Alpha1;
  public readonly addon: ClusterAddon;

  public constructor(scope: Construct, id: string, props: HelmChartProxyProps) {
    super(scope, id);
    const where = `${this.node.path}: addon '${props.addon.name}'`;
    // Named after the ClusterClass, whose pre-release and development versions carry a '.'.
    assertDnsSubdomain(props.name, `${where}: HelmChartProxy 'name'`);
    // CAAPH labels its HelmReleaseProxies with the name: at most 63 characters.
    assertLabelValue(props.name, `${where}: HelmChartProxy 'name'`);
    const releaseNamespace = props.releaseNamespace ?? DEFAULT_RELEASE_NAMESPACE;
    assertDnsLabel(releaseNamespace, `${where}: 'releaseNamespace'`);
    const releaseName = props.releaseName ?? props.addon.chart.name;
    assertDnsLabel(releaseName, `${where}: 'releaseName'`);
    if (releaseName.length > MAX_RELEASE_NAME_LENGTH) {
      throw new Error(`${where}: 'releaseName' '${releaseName}' is longer than ${MAX_RELEASE_NAME_LENGTH} characters (Helm's limit)`);
    }
    if (Object.keys(props.clusterSelector).length === 0) {
      throw new Error(`${where}: 'clusterSelector' is empty; an empty selector would install the addon on every Cluster in the namespace`);
    }
    this.addon = props.addon;
    const valuesTemplate = renderValuesTemplate(props.addon, where);
    this.resource = new HelmChartProxyObject(this, 'Resource', props.name, {
      clusterSelector: { matchLabels: { ...props.clusterSelector } },
      repoUrl: props.addon.chart.repository,
      chartName: props.addon.chart.name,
      version: props.addon.chart.version,
      releaseName,
      namespace: releaseNamespace,
      ...(valuesTemplate === undefined ? {} : { valuesTemplate }),
      reconcileStrategy: props.reconcileStrategy ?? HelmChartProxySpecReconcileStrategy.INSTALL_ONCE,
      options: props.options ?? CORE_ADDON_HELM_OPTIONS,
    });
  }
}

/** A label a Cluster carries to be selected. */
export interface ClusterSelectorLabel {
  readonly key: string;
  readonly value: string;
}

/**
 * `cluster-stacks.x-k8s.io/cluster-class: <ClusterClass name>`: the label that
 * selects one ClusterClass's proxies. A Cluster carries the name of the class
 * in `spec.topology.class`, and changes both together; a single key means a
 * Cluster can never be selected by the proxies of two classes at once.
 */
export function clusterClassSelectorLabel(clusterClassName: string): ClusterSelectorLabel {
  // Pre-release and development versions put a '.' in the name (v3-rc.1, v0-sha.<hash>).
  assertDnsSubdomain(clusterClassName, 'cluster class selector label value');
  assertLabelValue(clusterClassName, 'cluster class selector label value');
  return { key: CLUSTER_CLASS_LABEL, value: clusterClassName };
}

/** What {@link helmChartProxies} needs from a stack; a ClusterStack has it. */
export interface HelmChartProxySource {
  readonly identity: ClusterStackIdentity;
  /** The ClusterClass the proxies belong to (`<provider>-<stack>-<major>-<minor>-<version>`). */
  readonly clusterClassName: string;
  readonly addons: readonly ClusterAddon[];
}

export interface HelmChartProxiesOptions {
  /**
   * Release namespace per addon name, for addons that do not belong in kube-system.
   * @default - every addon in kube-system
   */
  readonly releaseNamespaces?: Readonly<Record<string, string>>;
  /**
   * `Continuous` makes CAAPH uninstall every release of a Cluster that moves
   * to another class: only for Clusters that never move.
   * @default ReconcileStrategy.INSTALL_ONCE
   */
  readonly reconcileStrategy?: HelmChartProxySpecReconcileStrategy;
}

/**
 * One HelmChartProxy per addon of the stack, named `<ClusterClass name>-<addon>`,
 * in the stack's order, all selecting {@link clusterClassSelectorLabel}. Built in
 * a chart of their own: they are not part of the ClusterStack's tree (whose
 * bundle holds only what the ClusterClass references and node images).
 */
export function helmChartProxies(source: HelmChartProxySource, options: HelmChartProxiesOptions = {}): HelmChartProxyV1Alpha1[] {
  const stackName = clusterStackName(source.identity);
  const namespaces = options.releaseNamespaces ?? {};
  const names = new Set(source.addons.map((a) => a.name));
  for (const addon of Object.keys(namespaces)) {
    if (!names.has(addon)) {
      throw new Error(`${stackName}: 'releaseNamespaces' names addon '${addon}', which the stack does not ship; expected one of ${[...names].join(', ')}`);
    }
  }
  const label = clusterClassSelectorLabel(source.clusterClassName);
  const chart = new Chart(new App({ outdir: '/nonexistent' }), stackName, { disableResourceNameHashes: true });
  return source.addons.map(
    (addon) =>
      new HelmChartProxy(chart, addon.name, {
        name: `${source.clusterClassName}-${addon.name}`,
        addon,
        clusterSelector: { [label.key]: label.value },
        releaseNamespace: namespaces[addon.name],
        reconcileStrategy: options.reconcileStrategy,
      }).resource,
  );
}

// ---------------------------------------------------------------------------
// valuesTemplate

type Values = { readonly [key: string]: unknown };

function isPlainObject(value: unknown): value is Values {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Expr);
}

/**
 * Helm's merge of a values file over chart values, as the operator gets it
 * from `values.yaml` and then `-f overwrite`: maps merge key by key, anything
 * else (lists, scalars, null, expressions) replaces. An expression over a
 * map is refused: Helm would merge the map it renders to with the static
 * one, which a single template cannot express.
 */
function mergeValues(base: Values, over: Readonly<Record<string, OverwriteValue>>, where: string, path: string): Values {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const at = `${path}.${key}`;
    const current = out[key];
    if (isPlainObject(value) && isPlainObject(current)) {
      out[key] = mergeValues(current, value as Readonly<Record<string, OverwriteValue>>, where, at);
    } else if (value instanceof Expr && isPlainObject(current)) {
      throw new Error(
        `${where}: overwrite value ${at} is an expression over a map in values (${JSON.stringify(Object.keys(current))}); ` +
          'Helm merges the rendered map into it, a valuesTemplate would replace it: set the expression on the leaves instead',
      );
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * The values tree a `valuesTemplate` renders, expressions still in place:
 * the addon's values with its overwrite values merged in as Helm merges
 * `-f overwrite` over them.
 */
export function valuesTemplateValues(addon: ClusterAddon, where = `addon '${addon.name}'`): Values {
  return mergeValues(addon.values, addon.overwrite ?? {}, where, '');
}

/**
 * The addon's `valuesTemplate`: its values (values.yaml, without the
 * wrapper chart's nesting under the chart name, since CAAPH installs the
 * upstream chart itself) with its overwrite values merged in as Helm merges
 * `-f overwrite` over them. Expressions become `{{ … | toJson }}`, rendered
 * from the same expression objects and with the same preludes as
 * overwrite.yaml; literal text is escaped so CAAPH does not take it for a
 * template. Undefined when the addon has no values at all.
 */
export function renderValuesTemplate(addon: ClusterAddon, where = `addon '${addon.name}'`): string | undefined {
  const merged = valuesTemplateValues(addon, where);
  if (Object.keys(merged).length === 0) return undefined;
  const template = renderValuesDocument(merged);
  assertSameDataInCaaph(expressionsIn(merged), where);
  return template;
}

/**
 * Data paths whose form is the same in the Cluster the operator reads
 * (cluster.x-k8s.io/v1beta1) and the one CAAPH v0.6.4 reads
 * (cluster.x-k8s.io/v1beta2, sigs.k8s.io/cluster-api v1.13.0
 * api/core/v1beta2/cluster_types.go): metadata is ObjectMeta in both;
 * `spec.controlPlaneEndpoint.{host,port}` (lines 492, 1609, 1615),
 * `spec.clusterNetwork.serviceDomain` (488, 1404), `spec.topology.version`
 * (508, 567) and `spec.topology.variables[].{name,value}` (586) keep their
 * names. Not listed on purpose: `spec.topology.class` (v1beta2:
 * `spec.topology.classRef.name`), `spec.controlPlaneRef`/`infrastructureRef`
 * (v1beta2: apiGroup instead of apiVersion), `status` (conditions changed),
 * and anything under `.ControlPlane`/`.InfraCluster` (CAAPH reads them at the
 * v1beta2 contract version, the operator at the version the Cluster names).
 */
export const CAAPH_SAME_DATA_PATHS: readonly string[] = [
  'Cluster.metadata.name',
  'Cluster.metadata.namespace',
  'Cluster.metadata.labels',
  'Cluster.metadata.annotations',
  'Cluster.spec.controlPlaneEndpoint.host',
  'Cluster.spec.controlPlaneEndpoint.port',
  'Cluster.spec.clusterNetwork.serviceDomain',
  'Cluster.spec.topology',
  'Cluster.spec.topology.version',
  'Cluster.spec.topology.variables',
];

/**
 * Throws when an expression reads an object path (`.Cluster.…`,
 * `.ControlPlane.…`, `.InfraCluster.…`, from its dependencies) that is not
 * in {@link CAAPH_SAME_DATA_PATHS}: the same expression would render
 * different values (or fail) under CAAPH than under the operator. A path
 * that is the same in both API versions can be added to the list after
 * checking both.
 */
export function assertSameDataInCaaph(expressions: readonly Expr<unknown>[], where: string): void {
  const allowed = new Set(CAAPH_SAME_DATA_PATHS);
  for (const path of expressions.flatMap((e) => [...e.dependencies.objects])) {
    if (!allowed.has(path)) {
      throw new Error(
        `${where}: the overwrite values read .${path}, which is not known to have the same form in the Cluster API v1beta1 objects ` +
          `the Cluster Stack Operator reads and the v1beta2 objects CAAPH v0.6.4 reads; expected one of ${CAAPH_SAME_DATA_PATHS.map((p) => `.${p}`).join(', ')}`,
      );
    }
  }
}
