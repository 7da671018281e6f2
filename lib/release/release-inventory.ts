import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { unescapeGoTemplate } from '../../constructs/go-template.ts';
import { sha256Digest } from '../registry/digest.ts';
import type { ReleaseArtifact } from '../registry/release-artifact.ts';
import { readTgz } from '../bytes/tgz.ts';
import { loadYamlDocuments } from '../bytes/yaml-documents.ts';

/**
 * What a release folder is made of, read from the folder itself (the thing
 * that gets signed), for the SBOM and the provenance statement: its files,
 * its charts and their dependencies, the container images and node images
 * it references, and the Kubernetes objects whose CRDs validated it.
 */
export interface ReleaseInventory {
  readonly tag: string;
  /** The stack version, e.g. v3. */
  readonly version: string;
  /** metadata.yaml versions.kubernetes, e.g. v1.34.7. */
  readonly kubernetes: string;
  /** hashes.json `clusterStack`: the content hash the version was decided by. */
  readonly stackHash: string;
  readonly files: readonly ReleaseFile[];
  /** The cluster-class chart and the addon wrapper charts, then their dependencies. */
  readonly charts: readonly ChartComponent[];
  readonly containerImages: readonly ContainerImage[];
  readonly nodeImages: readonly NodeImage[];
  /** apiVersion/kind of every object the release carries (cluster-class templates, node images). */
  readonly objectKinds: readonly { readonly apiVersion: string; readonly kind: string }[];
}

export interface ReleaseFile {
  readonly name: string;
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface ChartComponent {
  readonly name: string;
  readonly version: string;
  /** Where the chart comes from: a Helm repository URL, or `release:<file>` for charts inside the release. */
  readonly repository: string;
  /** sha256 of the chart archive, when the release holds it (the cluster-class chart, vendored dependencies). */
  readonly digest?: string;
  /** `cluster-class`, `addon` (a wrapper chart of the addon archive) or `dependency` (the upstream chart an addon installs). */
  readonly role: 'cluster-class' | 'addon' | 'dependency';
  /** For a dependency: whether its archive is vendored into the release. */
  readonly vendored?: boolean;
  /** For addons and dependencies: the addon (folder of the addon archive). */
  readonly addon?: string;
}

export interface ContainerImage {
  /** `registry/path` as referenced, e.g. quay.io/cilium/cilium or kindest/node. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
  /** Where the reference was found, e.g. `cni/charts/cilium-1.18.6.tgz values.yaml image`. */
  readonly foundIn: string;
}

export interface NodeImage {
  readonly name: string;
  readonly url: string;
  /** `sha256:<hex>`. */
  readonly digest: string;
}

interface HelmChartYaml {
  name?: unknown;
  version?: unknown;
  appVersion?: unknown;
  dependencies?: { name?: unknown; version?: unknown; repository?: unknown }[];
}

/**
 * CAPD runs `kindest/node:<Kubernetes version>` when a DockerMachineTemplate
 * names no customImage: the node image of the docker provider is implicit,
 * and the SBOM must still name it.
 */
const CAPD_DEFAULT_NODE_IMAGE = 'kindest/node';

export async function readReleaseInventory(artifact: ReleaseArtifact): Promise<ReleaseInventory> {
  const dir = artifact.dir;
  const metadata = yaml.load(readFileSync(join(dir, 'metadata.yaml'), 'utf8')) as { versions: { clusterStack: string; kubernetes: string } };
  const hashes = JSON.parse(readFileSync(join(dir, 'hashes.json'), 'utf8')) as { clusterStack: string };
  const kubernetes = metadata.versions.kubernetes;
  const files = artifact.layers.map((l) => ({ name: l.name, mediaType: l.mediaType, digest: l.digest, size: l.size }));
  const charts: ChartComponent[] = [];
  const images: ContainerImage[] = [];
  const objectKinds: { apiVersion: string; kind: string }[] = [];
  const objects = (text: string, where: string) => {
    for (const doc of loadYamlDocuments(text, where)) {
      const o = doc as { apiVersion?: unknown; kind?: unknown } | null;
      if (typeof o?.apiVersion !== 'string' || typeof o.kind !== 'string') continue;
      objectKinds.push({ apiVersion: o.apiVersion, kind: o.kind });
      images.push(...imagesInObject(o as Record<string, unknown>, kubernetes, where));
    }
  };

  const classChartName = artifact.clusterClassChart.split('/').pop() as string;
  const classChartBytes = readFileSync(artifact.clusterClassChart);
  const classChart = await readTgz(classChartBytes, classChartName);
  for (const [path, content] of [...classChart].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const parts = path.split('/');
    if (parts.length === 2 && parts[1] === 'Chart.yaml') {
      const chart = yaml.load(content.toString('utf8')) as HelmChartYaml;
      charts.push({ name: String(chart.name), version: String(chart.version), repository: `release:${classChartName}`, digest: sha256Digest(classChartBytes), role: 'cluster-class' });
    } else if (parts[1] === 'templates' && /\.ya?ml$/.test(path)) {
      // The chart's template is the ClusterClass with every `{{` escaped for Helm (release-assets.ts).
      objects(unescapeGoTemplate(content.toString('utf8')), `${classChartName} ${path}`);
    }
  }

  const addonFile = files.find((f) => f.mediaType === 'application/vnd.scs.cluster-addon.layer.v1.tar+gzip');
  if (addonFile) {
    const addonArchive = await readTgz(readFileSync(join(dir, addonFile.name)), addonFile.name);
    const addons = [...new Set([...addonArchive.keys()].map((p) => p.split('/')[0] as string))].sort();
    for (const addon of addons) {
      const chartYaml = addonArchive.get(`${addon}/Chart.yaml`);
      if (!chartYaml) continue;
      const chart = yaml.load(chartYaml.toString('utf8')) as HelmChartYaml;
      charts.push({ name: String(chart.name), version: String(chart.version), repository: `release:${addonFile.name}`, role: 'addon', addon });
      const values = addonArchive.get(`${addon}/values.yaml`);
      if (values) images.push(...imagesInValues(yaml.load(values.toString('utf8')), undefined, `${addonFile.name} ${addon}/values.yaml`));
      for (const dep of chart.dependencies ?? []) {
        const name = String(dep.name);
        const version = String(dep.version);
        const vendoredPath = `${addon}/charts/${name}-${version}.tgz`;
        const vendored = addonArchive.get(vendoredPath);
        charts.push({
          name,
          version,
          repository: String(dep.repository ?? ''),
          role: 'dependency',
          vendored: vendored !== undefined,
          addon,
          ...(vendored ? { digest: sha256Digest(vendored) } : {}),
        });
        if (vendored) {
          const depFiles = await readTgz(vendored, `${addonFile.name} ${vendoredPath}`);
          const depChart = depFiles.get(`${name}/Chart.yaml`);
          const appVersion = depChart ? (yaml.load(depChart.toString('utf8')) as HelmChartYaml).appVersion : undefined;
          const depValues = depFiles.get(`${name}/values.yaml`);
          if (depValues) images.push(...imagesInValues(yaml.load(depValues.toString('utf8')), typeof appVersion === 'string' ? appVersion : undefined, `${addonFile.name} ${vendoredPath} values.yaml`));
        }
      }
    }
  }

  const nodeImages: NodeImage[] = [];
  if (files.some((f) => f.name === 'node-images.yaml')) {
    const text = readFileSync(join(dir, 'node-images.yaml'), 'utf8');
    objects(text, 'node-images.yaml');
    for (const doc of loadYamlDocuments(text, 'node-images.yaml')) {
      const image = doc as { metadata?: { name?: unknown }; spec?: { resource?: { content?: { download?: { url?: unknown; hash?: { algorithm?: unknown; value?: unknown } } } } } } | null;
      const download = image?.spec?.resource?.content?.download;
      if (typeof download?.url !== 'string' || download.hash?.algorithm !== 'sha256' || typeof download.hash.value !== 'string') continue;
      nodeImages.push({ name: String(image?.metadata?.name ?? ''), url: download.url, digest: `sha256:${download.hash.value}` });
    }
  }

  return {
    tag: artifact.release.tag,
    version: metadata.versions.clusterStack,
    kubernetes,
    stackHash: hashes.clusterStack,
    files,
    charts,
    containerImages: dedupeImages(images),
    nodeImages,
    objectKinds: [...new Map(objectKinds.map((k) => [`${k.apiVersion} ${k.kind}`, k])).values()].sort((a, b) => (`${a.apiVersion} ${a.kind}` < `${b.apiVersion} ${b.kind}` ? -1 : 1)),
  };
}

/** Image references in a Kubernetes object: `image`/`*Image` strings, and CAPD's implicit default. */
function imagesInObject(object: Record<string, unknown>, kubernetes: string, where: string): ContainerImage[] {
  const found = imagesInValues(object, undefined, `${where} ${String(object.kind)}`);
  if (object.kind === 'DockerMachineTemplate') {
    const spec = (object.spec as { template?: { spec?: { customImage?: unknown } } } | undefined)?.template?.spec;
    if (typeof spec?.customImage !== 'string' || spec.customImage === '') {
      found.push({ name: CAPD_DEFAULT_NODE_IMAGE, tag: kubernetes, foundIn: `${where} DockerMachineTemplate (CAPD's default when customImage is empty)` });
    }
  }
  return found;
}

const IMAGE_REF = /^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;

/**
 * Container images in Helm values or an object: a string under a key named
 * `image` or ending in `Image`, or an object there with `repository` (and
 * optional `registry`, `tag`, `digest`) — the conventions of the charts in
 * use (Cilium, the OpenStack charts, metrics-server). A tag left empty is
 * the chart's appVersion, as those charts' templates default it.
 */
export function imagesInValues(values: unknown, appVersion: string | undefined, where: string): ContainerImage[] {
  const out: ContainerImage[] = [];
  const walk = (value: unknown, path: string, key: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`, key));
      return;
    }
    const imageKey = key === 'image' || /Image$/.test(key);
    if (typeof value === 'string' && imageKey) {
      const m = IMAGE_REF.exec(value);
      if (m && /[/:@]/.test(value)) {
        out.push({ name: m[1] as string, ...(m[2] ? { tag: m[2] } : {}), ...(m[3] ? { digest: m[3] } : {}), foundIn: `${where} ${path}` });
      }
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    if (imageKey && typeof o.repository === 'string' && o.repository !== '') {
      const name = typeof o.registry === 'string' && o.registry !== '' ? `${o.registry}/${o.repository}` : o.repository;
      const tag = typeof o.tag === 'string' && o.tag !== '' ? o.tag : appVersion;
      const digest = typeof o.digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(o.digest) ? o.digest : undefined;
      out.push({ name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), foundIn: `${where} ${path}` });
    }
    for (const [k, v] of Object.entries(o)) walk(v, path === '' ? k : `${path}.${k}`, k);
  };
  walk(values, '', '');
  return out;
}

function dedupeImages(images: readonly ContainerImage[]): ContainerImage[] {
  const byRef = new Map<string, ContainerImage>();
  for (const i of images) {
    const ref = `${i.name}:${i.tag ?? ''}@${i.digest ?? ''}`;
    if (!byRef.has(ref)) byRef.set(ref, i);
  }
  return [...byRef.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i);
}
