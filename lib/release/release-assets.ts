import type { BundleFile } from '../../constructs/cluster-addon.ts';
import { dumpYaml } from '../../constructs/cluster-addon.ts';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { escapeGoTemplate } from '../../constructs/go-template.ts';
import { clusterStackName } from '../../constructs/names.ts';
import type { TreeFile } from '../bytes/atomic-write.ts';
import { renderSha256Sums } from '../bytes/sha256-sums.ts';
import type { BundleBytes } from '../pipeline/synth.ts';
import { combinedHash, type ComponentHashes } from './content-hash.ts';
import { createTgzAsync, type Compression } from '../bytes/tgz.ts';
import type { AllowedBreaking } from './upgrade-paths.ts';
import { vendorChart, type ChartSource, type VendoredChart } from './vendor.ts';
import yaml from 'js-yaml';

/** File names of a release, as the Cluster Stack Operator looks for them (pkg/release). */
export function releaseAssetNames(bundle: BundleBytes): { clusterClassChart: string; clusterAddonArchive: string; nodeImageArchive: string; chartName: string } {
  const name = clusterStackName(bundle.identity);
  return {
    chartName: `${name}-cluster-class`,
    // The operator matches `<name>-cluster-class-<version in dotted form>` and `.tgz`.
    clusterClassChart: `${name}-cluster-class-${bundle.versions.clusterStack.toString()}.tgz`,
    clusterAddonArchive: `${name}-cluster-addon-${bundle.versions.clusterAddon.toString()}.tgz`,
    // csctl's node image archive, matched by `node-image` and `.tgz`.
    nodeImageArchive: `${name}-node-image-${bundle.versions.nodeImage.toString()}.tgz`,
  };
}

/**
 * The cluster-class Helm chart: the ClusterClass and its templates as the
 * chart's only template. The operator runs `helm template` on it, so every
 * `{{` in the content (enabledIf, valueFrom.template, cloud-init jinja) is
 * escaped here, at the output boundary, and comes out verbatim.
 */
export async function clusterClassChart(bundle: BundleBytes, compression?: Compression): Promise<Buffer> {
  const { chartName } = releaseAssetNames(bundle);
  const clusterClass = requireFile(bundle, BundleFiles.clusterClass);
  const chartYaml = dumpYaml({
    apiVersion: 'v2',
    name: chartName,
    description: `Cluster API ClusterClass ${bundle.clusterClassName} and the templates it references`,
    type: 'application',
    version: bundle.versions.clusterStack.toString(),
  });
  return createTgzAsync([
    { path: `${chartName}/Chart.yaml`, content: chartYaml },
    { path: `${chartName}/templates/cluster-class.yaml`, content: escapeGoTemplate(clusterClass.content) },
  ], compression);
}

/**
 * The dependencies of each addon chart: from the model of a bundle
 * synthesized now, else read from the bundle's Chart.yaml files (the bytes
 * of an earlier commit).
 */
function addonDependencies(bundle: BundleBytes): { addon: string; dependency: { name: string; repository: string; version: string } }[] {
  if (bundle.model) return [...bundle.model.addons].sort((a, b) => (a.name < b.name ? -1 : 1)).map((a) => ({ addon: a.name, dependency: { name: a.chart.name, repository: a.chart.repository, version: a.chart.version } }));
  const prefix = `${BundleFiles.clusterAddonDir}/`;
  return bundle.files
    .filter((f) => f.path.startsWith(prefix) && f.path.endsWith('/Chart.yaml') && f.path.split('/').length === 3)
    .flatMap((f) => {
      const chart = yaml.load(f.content) as { dependencies?: { name: string; repository: string; version: string }[] };
      return (chart.dependencies ?? []).map((dependency) => ({ addon: f.path.split('/')[1], dependency }));
    });
}

/** Vendored dependency archives, keyed by their path in the addon archive (`<addon>/charts/<name>-<version>.tgz`). */
async function vendorCharts(bundle: BundleBytes, source: ChartSource): Promise<Map<string, VendoredChart>> {
  const out = new Map<string, VendoredChart>();
  for (const { addon, dependency } of addonDependencies(bundle)) {
    const chart = await vendorChart(dependency, source, `bundle ${bundle.path} addon '${addon}' dependency ${dependency.name} ${dependency.version}`);
    out.set(`${addon}/charts/${chart.fileName}`, chart);
  }
  return out;
}

/** The cluster-addon archive: one chart folder per addon at the top level, with vendored dependencies in charts/. */
export async function clusterAddonArchive(bundle: BundleBytes, vendored: ReadonlyMap<string, VendoredChart> = new Map(), compression?: Compression): Promise<Buffer> {
  const prefix = `${BundleFiles.clusterAddonDir}/`;
  const entries = bundle.files.filter((f) => f.path.startsWith(prefix)).map((f): { path: string; content: string | Buffer } => ({ path: f.path.slice(prefix.length), content: f.content }));
  for (const [path, chart] of vendored) entries.push({ path, content: chart.content });
  return createTgzAsync(entries, compression);
}

/**
 * hashes.json: csctl's fields (so csctl-based tooling can read it) plus the
 * component hashes this generator versions by, under `generator`.
 */
function renderHashes(hashes: ComponentHashes, vendored: ReadonlyMap<string, VendoredChart> = new Map(), allowedBreaking?: AllowedBreaking): string {
  return `${JSON.stringify(
    {
      clusterStack: combinedHash(hashes),
      clusterAddonDir: hashes.clusterAddon,
      nodeImageDir: hashes.nodeImage,
      generator: { clusterClass: hashes.clusterClass, clusterAddon: hashes.clusterAddon, nodeImage: hashes.nodeImage, kubernetes: hashes.kubernetes },
      // Vendored dependency archives and their digests; versions do not
      // depend on them (the chart a dependency pins is the content).
      ...(vendored.size > 0 ? { vendoredCharts: Object.fromEntries([...vendored].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, c]) => [path, c.digest])) } : {}),
      // The release notes of a version released over a breaking upgrade path.
      ...(allowedBreaking ? { allowBreaking: allowedBreaking } : {}),
    },
    null,
    2,
  )}\n`;
}

/** The archives of a release folder, with the charts vendored into its addon archive. */
export interface ReleaseArchives {
  readonly vendored: ReadonlyMap<string, VendoredChart>;
  readonly clusterClassChart: Buffer;
  readonly clusterAddonArchive: Buffer;
  readonly nodeImageArchive: Buffer | undefined;
}

/**
 * A bundle's release archives, by default compressed on zlib's thread pool,
 * so that a release can start them as soon as a bundle's bytes are final
 * and go on validating and checking upgrades meanwhile.
 */
export async function releaseArchives(bundle: BundleBytes, vendor?: ChartSource, compression?: Compression): Promise<ReleaseArchives> {
  const vendored = vendor ? await vendorCharts(bundle, vendor) : new Map<string, VendoredChart>();
  const buildPrefix = `${BundleFiles.nodeImageDir}/`;
  const buildFiles = bundle.files.filter((f) => f.path.startsWith(buildPrefix)).map((f) => ({ path: f.path.slice(buildPrefix.length), content: f.content }));
  const [classChart, addonArchive, nodeImageArchive] = await Promise.all([
    clusterClassChart(bundle, compression),
    clusterAddonArchive(bundle, vendored, compression),
    buildFiles.length > 0 ? createTgzAsync(buildFiles, compression) : undefined,
  ]);
  return { vendored, clusterClassChart: classChart, clusterAddonArchive: addonArchive, nodeImageArchive };
}

/** Every file of the release folder `release/<tag>/`, including SHA256SUMS, around the bundle's archives (releaseArchives). */
export function releaseFiles(bundle: BundleBytes, hashes: ComponentHashes, archives: ReleaseArchives, allowedBreaking?: AllowedBreaking): TreeFile[] {
  const names = releaseAssetNames(bundle);
  const assets: { path: string; content: string | Buffer }[] = [
    { path: names.clusterClassChart, content: archives.clusterClassChart },
    { path: names.clusterAddonArchive, content: archives.clusterAddonArchive },
    { path: BundleFiles.clusterAddonConfig, content: requireFile(bundle, BundleFiles.clusterAddonConfig).content },
    { path: BundleFiles.metadata, content: requireFile(bundle, BundleFiles.metadata).content },
    { path: 'hashes.json', content: renderHashes(hashes, archives.vendored, allowedBreaking) },
  ];
  const nodeImages = bundle.files.find((f) => f.path === BundleFiles.nodeImages);
  if (nodeImages) assets.push({ path: BundleFiles.nodeImages, content: nodeImages.content });
  if (archives.nodeImageArchive) assets.push({ path: names.nodeImageArchive, content: archives.nodeImageArchive });
  assets.sort((a, b) => (a.path < b.path ? -1 : 1));
  return [...assets, { path: 'SHA256SUMS', content: renderSha256Sums(assets) }];
}

function requireFile(bundle: BundleBytes, path: string): BundleFile {
  const file = bundle.files.find((f) => f.path === path);
  if (!file) throw new Error(`bundle ${bundle.path}: ${path} is missing; a release needs it`);
  return file;
}
