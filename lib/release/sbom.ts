import { createHash } from 'node:crypto';
import { canonicalJsonBytes, type JsonValue } from '../bytes/json.ts';
import { crdSourceUrl, type AttestationContext } from './attestation-context.ts';

/** The in-toto predicate type cosign calls `cyclonedx`. */
export const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom';

const hex = (digest: string): string => digest.replace(/^sha256:/, '');
const sha256 = (digest: string): JsonValue => [{ alg: 'SHA-256', content: hex(digest) }];
const props = (entries: Record<string, string | undefined>): JsonValue =>
  Object.entries(entries)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([name, value]) => ({ name: `cluster-stacks:${name}`, value }));

/** A UUID derived from the release digest (RFC 4122 layout, name-based): the same release, the same serial number. */
function serialNumber(digest: string): string {
  const b = createHash('sha256').update(`cluster-stacks-sbom:${digest}`).digest();
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The SBOM of a release as CycloneDX 1.6 JSON: the release artifact
 * (metadata.component, with its manifest digest and source commit), its
 * files, every chart (the cluster-class chart, the addon wrapper charts and
 * the upstream charts they install, with repository and — where the release
 * holds the archive — digest), every container image referenced (digest
 * where the reference pins one), the node images (URL, sha256) and the
 * pinned CRDs the release's objects were validated against. Canonical
 * JSON, timestamp from the manifest: the same release gives the same bytes.
 */
export function releaseSbom(ctx: AttestationContext): JsonValue {
  const inv = ctx.inventory;
  const repositoryUrl = `${ctx.registry}/${ctx.repository}`;
  const components: JsonValue[] = [];
  for (const f of inv.files) {
    components.push({ type: 'file', 'bom-ref': `file:${f.name}`, name: f.name, hashes: sha256(f.digest), properties: props({ mediaType: f.mediaType, size: String(f.size) }) });
  }
  for (const c of inv.charts) {
    const ref = `chart:${c.role}:${c.addon ?? ''}:${c.name}@${c.version}`;
    components.push({
      type: 'application',
      'bom-ref': ref,
      name: c.name,
      version: c.version,
      ...(c.digest ? { hashes: sha256(c.digest) } : {}),
      ...(c.repository.startsWith('http') || c.repository.startsWith('oci://') ? { externalReferences: [{ type: 'distribution', url: c.repository }] } : {}),
      properties: props({
        kind: 'helm-chart',
        role: c.role,
        repository: c.repository,
        addon: c.addon,
        vendored: c.vendored === undefined ? undefined : String(c.vendored),
        digest: c.digest ?? (c.role === 'dependency' ? 'unknown: not vendored; Helm fetches it from the repository at install time' : undefined),
      }),
    });
  }
  for (const i of inv.containerImages) {
    const last = i.name.split('/').pop() as string;
    components.push({
      type: 'container',
      'bom-ref': `image:${i.name}:${i.tag ?? ''}@${i.digest ?? ''}`,
      name: i.name,
      ...(i.tag ? { version: i.tag } : {}),
      ...(i.digest ? { hashes: sha256(i.digest), purl: `pkg:oci/${last}@${encodeURIComponent(i.digest)}?repository_url=${encodeURIComponent(i.name)}${i.tag ? `&tag=${encodeURIComponent(i.tag)}` : ''}` } : {}),
      properties: props({ foundIn: i.foundIn, digest: i.digest ?? 'unknown: the reference names no digest' }),
    });
  }
  for (const n of inv.nodeImages) {
    components.push({
      type: 'file',
      'bom-ref': `node-image:${n.name}`,
      name: n.name,
      hashes: sha256(n.digest),
      externalReferences: [{ type: 'distribution', url: n.url }],
      properties: props({ kind: 'node-image', url: n.url }),
    });
  }
  for (const crd of ctx.crds) {
    const url = crdSourceUrl(crd);
    components.push({
      type: 'data',
      'bom-ref': `crd:${crd.file}`,
      name: crd.file,
      ...(crd.tag ? { version: crd.tag } : {}),
      hashes: sha256(crd.digest),
      ...(url ? { externalReferences: [{ type: 'vcs', url }] } : {}),
      properties: props({ kind: 'crd', repository: crd.repository, tag: crd.tag, path: crd.path, validates: crd.validates.map((v) => `${v.apiVersion}/${v.kind}`).join(', ') }),
    });
  }
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialNumber(ctx.digest),
    version: 1,
    metadata: {
      timestamp: ctx.created,
      tools: { components: [{ type: 'application', name: ctx.tool.name, version: ctx.tool.version }] },
      component: {
        type: 'application',
        'bom-ref': 'release',
        name: inv.tag,
        version: inv.version,
        hashes: sha256(ctx.digest),
        purl: `pkg:oci/${ctx.repository.split('/').pop() as string}@${encodeURIComponent(ctx.digest)}?repository_url=${encodeURIComponent(repositoryUrl)}&tag=${encodeURIComponent(inv.tag)}`,
        properties: props({ kubernetesVersion: inv.kubernetes, stackHash: inv.stackHash, revision: ctx.revision }),
      },
    },
    components,
    dependencies: [{ ref: 'release', dependsOn: components.map((c) => (c as { 'bom-ref': string })['bom-ref']) }],
  };
}

export function releaseSbomBytes(ctx: AttestationContext): Buffer {
  return canonicalJsonBytes(releaseSbom(ctx));
}
