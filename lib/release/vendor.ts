import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import type { HelmChartDependency } from '../../constructs/cluster-addon.ts';
import { createTgz, readTgz } from '../bytes/tgz.ts';
import { assertMayConnect } from '../process/offline-start.ts';
import { sha256Digest } from '../registry/digest.ts';

/** Where vendored charts come from. */
export type ChartSource =
  /** The dependency's own Helm repository (its index.yaml and the digest it states). */
  | { readonly kind: 'repository' }
  /**
   * A local folder for air-gapped clouds: `<name>-<version>.tgz` files, or
   * chart folders `<name>/` (packaged here, reproducibly).
   */
  | { readonly kind: 'folder'; readonly path: string };

/** A dependency chart archive to put into `charts/`, and its digest. */
export interface VendoredChart {
  readonly fileName: string;
  readonly content: Buffer;
  /** sha256 of the archive, `sha256:<hex>`. */
  readonly digest: string;
  /** Where it came from, for the record. */
  readonly origin: string;
}

interface RepositoryIndex {
  readonly entries?: Record<string, readonly { readonly version?: string; readonly urls?: readonly string[]; readonly digest?: string }[]>;
}

/** A chart archive or repository index larger than this is refused (Helm's own limit for a decompressed chart is 100 MiB). */
const MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024;

async function download(url: string, what: string): Promise<Buffer> {
  assertMayConnect(url);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new Error(`${what}: cannot download ${url}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new Error(`${what}: ${url} answered HTTP ${response.status}`);
  const tooBig = () => new Error(`${what}: ${url} is larger than ${MAX_DOWNLOAD_BYTES / 1024 / 1024} MiB; refusing to download it`);
  if (Number(response.headers.get('content-length') ?? 0) > MAX_DOWNLOAD_BYTES) {
    await response.body?.cancel();
    throw tooBig();
  }
  // Counted while reading: a missing or false Content-Length must not let a server fill the memory.
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_DOWNLOAD_BYTES) {
      await reader.cancel();
      throw tooBig();
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** Fetches a chart from its Helm repository and checks it against the digest the index states. */
async function fromRepository(dep: HelmChartDependency, where: string): Promise<VendoredChart> {
  if (dep.repository.startsWith('oci://')) throw new Error(`${where}: vendoring from OCI repositories (${dep.repository}) is not supported; use a local chart folder`);
  const base = dep.repository.endsWith('/') ? dep.repository : `${dep.repository}/`;
  const indexUrl = new URL('index.yaml', base).toString();
  const indexText = (await download(indexUrl, where)).toString('utf8');
  let index: RepositoryIndex;
  try {
    // Every scalar as a string: a digest of digits or a version like 1.10
    // must not turn into a number.
    index = yaml.load(indexText, { schema: yaml.FAILSAFE_SCHEMA }) as RepositoryIndex;
  } catch (e) {
    throw new Error(`${where}: ${indexUrl} is not a Helm repository index: ${(e as Error).message}`);
  }
  const entry = index?.entries?.[dep.name]?.find((e) => e.version === dep.version);
  if (!entry || !entry.urls || entry.urls.length === 0) throw new Error(`${where}: ${indexUrl} has no chart ${dep.name} ${dep.version}`);
  const url = new URL(entry.urls[0], base).toString();
  const content = await download(url, where);
  const digest = sha256Digest(content);
  if (entry.digest && `sha256:${entry.digest}` !== digest) {
    throw new Error(`${where}: ${url} has digest ${digest}, but the repository index states sha256:${entry.digest}`);
  }
  return { fileName: `${dep.name}-${dep.version}.tgz`, content, digest, origin: url };
}

/** Takes a chart from a local folder: an archive as is, or a chart folder packaged reproducibly. */
async function fromFolder(dep: HelmChartDependency, folder: string, where: string): Promise<VendoredChart> {
  const fileName = `${dep.name}-${dep.version}.tgz`;
  const archive = join(folder, fileName);
  if (existsSync(archive)) {
    if (statSync(archive).size > MAX_DOWNLOAD_BYTES) throw new Error(`${archive}: larger than ${MAX_DOWNLOAD_BYTES / 1024 / 1024} MiB; refusing to read it`);
    const content = readFileSync(archive);
    const files = await readTgz(content, archive);
    const chartYaml = files.get(`${dep.name}/Chart.yaml`);
    if (!chartYaml) throw new Error(`${archive}: holds no ${dep.name}/Chart.yaml`);
    assertChart(chartYaml.toString('utf8'), dep, archive);
    return { fileName, content, digest: sha256Digest(content), origin: archive };
  }
  const dir = join(folder, dep.name);
  if (!existsSync(join(dir, 'Chart.yaml'))) throw new Error(`${where}: ${folder} has neither ${fileName} nor a chart folder ${dep.name}/`);
  assertChart(readFileSync(join(dir, 'Chart.yaml'), 'utf8'), dep, join(dir, 'Chart.yaml'));
  const entries: { path: string; content: Buffer }[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else entries.push({ path: `${dep.name}/${relative(dir, p)}`, content: readFileSync(p) });
    }
  };
  walk(dir);
  const content = createTgz(entries);
  return { fileName, content, digest: sha256Digest(content), origin: dir };
}

function assertChart(text: string, dep: HelmChartDependency, where: string): void {
  const chart = yaml.load(text) as { name?: unknown; version?: unknown } | null;
  if (chart?.name !== dep.name || chart?.version !== dep.version) {
    throw new Error(`${where}: is chart ${String(chart?.name)} ${String(chart?.version)}, expected ${dep.name} ${dep.version}`);
  }
}

/** The archive of one addon dependency, from the given source. */
export function vendorChart(dep: HelmChartDependency, source: ChartSource, where: string): Promise<VendoredChart> {
  return source.kind === 'repository' ? fromRepository(dep, where) : fromFolder(dep, source.path, where);
}
