import type { JsonValue } from '../bytes/json.ts';
import { crdSourceUrl, type AttestationContext } from './attestation-context.ts';

/** The in-toto predicate type cosign calls `slsaprovenance1`. */
export const SLSA_PROVENANCE_PREDICATE_TYPE = 'https://slsa.dev/provenance/v1';

/**
 * How a release is built, as a SLSA buildType: `cluster-stacks release`
 * synthesizes the stack at a source commit into the release folder, and
 * `publish` turns the folder into the OCI artifact. Versioned with the
 * meaning of the parameters below.
 */
const BUILD_TYPE = 'urn:cluster-stacks-cdk8s:release:v1';

const hex = (digest: string): string => digest.replace(/^sha256:/, '');

/**
 * SLSA v1 provenance for a release: the external parameters (release tag,
 * where it is published, source commit), the resolved dependencies (the
 * source commit, the charts with their digests where the release holds
 * them, the node images, the pinned CRDs it was validated against) and the
 * release files as byproducts. Start and finish are the manifest's
 * `created` (SOURCE_DATE_EPOCH), so the statement is reproducible.
 */
export function releaseProvenance(ctx: AttestationContext): JsonValue {
  const inv = ctx.inventory;
  const dependencies: JsonValue[] = [];
  if (ctx.revision) dependencies.push({ name: 'source', digest: { gitCommit: ctx.revision } });
  for (const c of inv.charts.filter((c) => c.role === 'dependency')) {
    dependencies.push({
      name: `chart:${c.addon ?? ''}/${c.name}@${c.version}`,
      uri: `${c.repository.replace(/\/+$/, '')}/${c.name}-${c.version}.tgz`,
      ...(c.digest ? { digest: { sha256: hex(c.digest) } } : {}),
      annotations: { vendored: c.vendored ?? false },
    });
  }
  for (const n of inv.nodeImages) dependencies.push({ name: `node-image:${n.name}`, uri: n.url, digest: { sha256: hex(n.digest) } });
  for (const i of inv.containerImages) {
    dependencies.push({ name: `image:${i.name}${i.tag ? `:${i.tag}` : ''}`, uri: `docker://${i.name}${i.tag ? `:${i.tag}` : ''}${i.digest ? `@${i.digest}` : ''}`, ...(i.digest ? { digest: { sha256: hex(i.digest) } } : {}) });
  }
  for (const crd of ctx.crds) {
    const url = crdSourceUrl(crd);
    dependencies.push({ name: `crd:${crd.file}`, ...(url ? { uri: url } : {}), digest: { sha256: hex(crd.digest) } });
  }
  return {
    buildDefinition: {
      buildType: BUILD_TYPE,
      externalParameters: {
        release: inv.tag,
        registry: ctx.registry,
        repository: ctx.repository,
        ...(ctx.revision ? { revision: ctx.revision } : {}),
      },
      internalParameters: { kubernetesVersion: inv.kubernetes, stackHash: inv.stackHash, version: inv.version },
      resolvedDependencies: dependencies,
    },
    runDetails: {
      builder: { id: `urn:cluster-stacks-cdk8s:publish`, version: { [ctx.tool.name]: ctx.tool.version } },
      metadata: { startedOn: ctx.created, finishedOn: ctx.created },
      byproducts: inv.files.map((f) => ({ name: f.name, mediaType: f.mediaType, digest: { sha256: hex(f.digest) } })),
    },
  };
}
