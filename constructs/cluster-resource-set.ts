import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import yaml from 'js-yaml';
import { dumpYaml, type ClusterAddon } from './cluster-addon.ts';
import { clusterSelectorLabel } from './helm-chart-proxy.ts';
import { assertDnsLabel, clusterStackName, type ClusterStackIdentity } from './names.ts';

/**
 * ClusterResourceSet mode: addons for management clusters with neither the
 * Cluster Stack Operator nor CAAPH. Cluster API's ClusterResourceSet
 * (addons.cluster.x-k8s.io/v1beta1) applies the objects held in ConfigMaps
 * to every selected Cluster; it cannot run Helm or template anything per
 * Cluster. So the charts must be rendered beforehand (`helm template`, which
 * synthesis must not run: it is pure, and `npm test` must not need the helm
 * binary) and addons whose values depend on the Cluster (overwrite values)
 * are refused.
 */

/** A ConfigMap may hold at most 1 MiB of data (Kubernetes' MaxSecretSize also applies to ConfigMaps). */
export const MAX_CONFIG_MAP_DATA_BYTES = 1024 * 1024;

/** One addon rendered offline. */
export interface RenderedAddon {
  /** The addon the manifests were rendered from; its name names the ConfigMap(s). */
  readonly addon: ClusterAddon;
  /**
   * `helm template` output for the addon's chart, version and values
   * (multi-document YAML). Render with `--namespace <ns>` and `--no-hooks`/`--skip-tests`:
   * a ClusterResourceSet applies objects as they are and runs no hooks.
   */
  readonly manifests: string;
}

/** How the ClusterResourceSet applies its resources (immutable once created). */
export type ClusterResourceSetStrategy = 'ApplyOnce' | 'Reconcile';

export interface ClusterResourceSetProps {
  /** `metadata.name` of the ClusterResourceSet; ConfigMaps are named `<name>-<addon>[-<n>]`. */
  readonly name: string;
  /** `spec.clusterSelector.matchLabels`. */
  readonly clusterSelector: Readonly<Record<string, string>>;
  /** Rendered addons, applied in this order. */
  readonly addons: readonly RenderedAddon[];
  /**
   * `spec.strategy`. `Reconcile` re-applies a ConfigMap when its content
   * changes (a new chart version reaches existing Clusters; deleted objects
   * are not removed); `ApplyOnce` applies each ConfigMap once per Cluster.
   * @default 'Reconcile'
   */
  readonly strategy?: ClusterResourceSetStrategy;
}

interface ParsedObject {
  readonly text: string;
  readonly bytes: number;
}

/** The documents of rendered manifests, each checked to be a Kubernetes object. */
function parseManifests(rendered: RenderedAddon, where: string): ParsedObject[] {
  const texts = rendered.manifests.split(/^---[ \t]*$/m).map((t) => t.replace(/^\n+|\s+$/g, '')).filter((t) => t !== '' && !/^(#.*\n?)*$/.test(t));
  if (texts.length === 0) throw new Error(`${where}: the rendered manifests hold no object`);
  return texts.map((text, i) => {
    let doc: unknown;
    try {
      doc = yaml.load(text);
    } catch (e) {
      throw new Error(`${where}: document ${i} is not valid YAML: ${(e as Error).message}`);
    }
    const o = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
    if (o === null || typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
      throw new Error(`${where}: document ${i} is not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
    }
    return { text: `${text}\n`, bytes: Buffer.byteLength(`---\n${text}\n`, 'utf8') };
  });
}

/** Packs documents in order into chunks of at most `limit` bytes. */
function chunk(objects: readonly ParsedObject[], limit: number, where: string): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const [i, o] of objects.entries()) {
    if (o.bytes > limit) throw new Error(`${where}: document ${i} alone is ${o.bytes} bytes, more than a ConfigMap holds (${limit})`);
    if (size + o.bytes > limit) {
      chunks.push(current.join(''));
      current = [];
      size = 0;
    }
    current.push(`---\n${o.text}`);
    size += o.bytes;
  }
  if (current.length > 0) chunks.push(current.join(''));
  return chunks;
}

/**
 * A ClusterResourceSet and its ConfigMaps for addons rendered offline. Each
 * addon gets one ConfigMap (data key `<addon>.yaml`), or several
 * (`<name>-<addon>-<n>`) when its manifests exceed what one ConfigMap holds.
 */
export class ClusterResourceSet extends Construct {
  public readonly resource: ApiObject;
  public readonly configMaps: readonly ApiObject[];

  public constructor(scope: Construct, id: string, props: ClusterResourceSetProps) {
    super(scope, id);
    assertDnsLabel(props.name, `${this.node.path}: ClusterResourceSet 'name'`);
    if (Object.keys(props.clusterSelector).length === 0) {
      throw new Error(`${this.node.path}: 'clusterSelector' is empty; an empty selector selects no Cluster in a ClusterResourceSet`);
    }
    if (props.addons.length === 0) throw new Error(`${this.node.path}: 'addons' is empty`);
    const seen = new Set<string>();
    const configMaps: ApiObject[] = [];
    for (const rendered of props.addons) {
      const where = `${this.node.path}: addon '${rendered.addon.name}'`;
      if (seen.has(rendered.addon.name)) throw new Error(`${where} is given twice`);
      seen.add(rendered.addon.name);
      if (rendered.addon.overwrite !== undefined) {
        throw new Error(
          `${where} has overwrite values (${Object.keys(rendered.addon.overwrite).join(', ')}), which depend on each Cluster; ` +
            'a ClusterResourceSet applies the same objects to every Cluster: use the HelmChartProxies (CAAPH) or the Cluster Stack Operator for it',
        );
      }
      const chunks = chunk(parseManifests(rendered, where), MAX_CONFIG_MAP_DATA_BYTES, where);
      for (const [i, content] of chunks.entries()) {
        const name = chunks.length === 1 ? `${props.name}-${rendered.addon.name}` : `${props.name}-${rendered.addon.name}-${i}`;
        assertDnsLabel(name, `${where}: ConfigMap name`);
        configMaps.push(
          new ApiObject(this, `${rendered.addon.name}-${i}`, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name },
            data: { [`${rendered.addon.name}.yaml`]: content },
          }),
        );
      }
    }
    this.configMaps = configMaps;
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'addons.cluster.x-k8s.io/v1beta1',
      kind: 'ClusterResourceSet',
      metadata: { name: props.name },
      spec: {
        clusterSelector: { matchLabels: { ...props.clusterSelector } },
        strategy: props.strategy ?? 'Reconcile',
        resources: configMaps.map((c) => ({ kind: 'ConfigMap', name: c.name })),
      },
    });
  }
}

/**
 * The ClusterResourceSet mode of a stack: ConfigMaps + one ClusterResourceSet
 * named `<provider>-<stack>-<major>-<minor>`, selecting the same label as the
 * stack's HelmChartProxies (a Cluster should get one of the two, not both).
 * Multi-document YAML, ConfigMaps first.
 */
export function renderClusterResourceSet(identity: ClusterStackIdentity, addons: readonly RenderedAddon[], strategy?: ClusterResourceSetStrategy): string {
  const name = clusterStackName(identity);
  const label = clusterSelectorLabel(identity);
  const chart = new Chart(new App({ outdir: '/nonexistent' }), name, { disableResourceNameHashes: true });
  const set = new ClusterResourceSet(chart, 'ClusterResourceSet', { name, clusterSelector: { [label.key]: label.value }, addons, strategy });
  return [...set.configMaps, set.resource].map((o) => `---\n${dumpYaml(o.toJson())}`).join('');
}
