import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { readTgz } from '../bytes/tgz.ts';
import { canonicalJsonBytes, type JsonValue } from '../bytes/json.ts';
import { bufferBlob, type BlobSource } from './client.ts';
import { sha256Digest } from './digest.ts';
import { Annotations, MediaTypes } from './media-types.ts';
import { descriptorJson, EPOCH } from './release-artifact.ts';
import { assertTag } from './reference.ts';

/** A packaged Helm chart as Helm's OCI layout: config = Chart.yaml as JSON, one chart layer. */
export interface HelmChartArtifact {
  readonly name: string;
  readonly version: string;
  /** The OCI tag: the chart version with '+' as '_' (what `helm push` does). */
  readonly tag: string;
  readonly config: BlobSource;
  readonly chart: BlobSource;
  readonly manifest: Buffer;
  readonly digest: string;
}

/**
 * Builds the manifest `helm push` would write for a chart archive, so that
 * `helm pull oci://<registry>/<repository>/<name> --version <version>` works:
 * config media type application/vnd.cncf.helm.config.v1+json holding the
 * Chart.yaml metadata as JSON, one layer application/vnd.cncf.helm.chart.content.v1.tar+gzip
 * (the archive unchanged), and Helm's manifest annotations. Deterministic
 * like the release manifest: canonical JSON, `created` from the caller.
 */
export async function readHelmChartArtifact(path: string, created: string = EPOCH): Promise<HelmChartArtifact> {
  const archive = readFileSync(path);
  const files = await readTgz(archive, path);
  const chartFiles = [...files.keys()].filter((p) => /^[^/]+\/Chart\.yaml$/.test(p));
  if (chartFiles.length !== 1) throw new Error(`${path}: expected one <chart>/Chart.yaml in the archive, found ${chartFiles.length === 0 ? 'none' : chartFiles.join(', ')}`);
  const chartYaml = chartFiles[0] as string;
  let metadata: unknown;
  try {
    metadata = yaml.load((files.get(chartYaml) as Buffer).toString('utf8'));
  } catch (e) {
    throw new Error(`${path}: ${chartYaml} is not valid YAML: ${(e as Error).message}`);
  }
  const meta = metadata as { name?: unknown; version?: unknown; description?: unknown } | null;
  if (typeof meta?.name !== 'string' || typeof meta.version !== 'string') throw new Error(`${path}: ${chartYaml} needs 'name' and 'version'`);
  if (meta.name !== chartYaml.split('/')[0]) throw new Error(`${path}: chart '${meta.name}' is in folder '${chartYaml.split('/')[0]}'; Helm needs them equal`);
  const tag = meta.version.replace(/\+/g, '_');
  assertTag(tag);
  // Through JSON once: YAML may hold values JSON has no form for (dates become strings).
  const config = canonicalJsonBytes(JSON.parse(JSON.stringify(metadata)) as JsonValue);
  const configBlob = bufferBlob(config);
  const chartBlob = bufferBlob(archive);
  const manifest = canonicalJsonBytes({
    schemaVersion: 2,
    mediaType: MediaTypes.imageManifest,
    config: descriptorJson({ mediaType: MediaTypes.helmConfig, digest: configBlob.digest, size: configBlob.size }),
    layers: [descriptorJson({ mediaType: MediaTypes.helmChartContent, digest: chartBlob.digest, size: chartBlob.size })],
    annotations: {
      [Annotations.title]: meta.name,
      [Annotations.version]: meta.version,
      [Annotations.created]: created,
      ...(typeof meta.description === 'string' ? { [Annotations.description]: meta.description } : {}),
    },
  });
  return { name: meta.name, version: meta.version, tag, config: configBlob, chart: chartBlob, manifest, digest: sha256Digest(manifest) };
}
