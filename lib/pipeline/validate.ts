import type { ManifestObject } from '../../constructs/bundle-model.ts';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { CrdSchemaRegistry, SchemaError, validateValue, type JSONSchemaProps } from './crd-schema.ts';
import { GitopsFiles } from '../bytes/gitops/bundle-files.ts';
import type { Bundle } from './synth.ts';

/** A Kubernetes object of a bundle, with the file it is written to. */
export interface BundleObject {
  readonly file: string;
  readonly object: ManifestObject;
}

/**
 * The Kubernetes objects of a bundle, from its model, with the file each is
 * written to. `clusterClassObjects` stands in for the ClusterClass and its
 * templates (the v1beta2 output passes its converted ones).
 */
export function bundleObjects(bundle: Bundle, clusterClassObjects: readonly ManifestObject[] = [bundle.model.clusterClass.object, ...bundle.model.clusterClass.templates]): BundleObject[] {
  const { model } = bundle;
  return [
    ...clusterClassObjects.map((object) => ({ file: BundleFiles.clusterClass, object })),
    ...model.nodeImages.map((object) => ({ file: BundleFiles.nodeImages, object })),
    ...(model.helmChartProxies ?? []).map((object) => ({ file: GitopsFiles.helmChartProxies, object })),
  ];
}

/**
 * Schemas of the built-in Kubernetes kinds a bundle may hold beside custom
 * resources, which no CRD describes: a ConfigMap carries the build recipe of
 * a node image where the cloud has no image resource a management cluster
 * reconciles (hetzner/scs). From the Kubernetes v1.34 OpenAPI (io.k8s.api.core.v1.ConfigMap).
 */
const BUILT_IN_SCHEMAS: Readonly<Record<string, JSONSchemaProps>> = {
  'v1/ConfigMap': {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      // The ObjectMeta fields a bundle writes; anything else is refused.
      metadata: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          namespace: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          annotations: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      data: { type: 'object', additionalProperties: { type: 'string' } },
      binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
      immutable: { type: 'boolean' },
    },
  },
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether `apiVersion`/`kind` is a built-in Kubernetes kind a bundle may hold (validated without a CRD). */
export function isBuiltInKind(apiVersion: string, kind: string): boolean {
  return BUILT_IN_SCHEMAS[`${apiVersion}/${kind}`] !== undefined;
}

/** Schema errors of one object: built-in kinds against their schema, everything else against its CRD. */
export function validateObject(registry: CrdSchemaRegistry, object: ManifestObject, where: string): SchemaError[] {
  const schema = BUILT_IN_SCHEMAS[`${String(object.apiVersion)}/${String(object.kind)}`];
  if (schema === undefined) return registry.validate(object, where);
  const metadata = object.metadata as { name?: unknown } | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  const errors = validateValue(schema, object).map((e) => new SchemaError(e.path, e.message, where, String(object.kind), name));
  if (name === undefined || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    errors.push(new SchemaError('/metadata/name', `must be a DNS-1123 subdomain of at most 253 characters, got ${JSON.stringify(metadata?.name)}`, where, String(object.kind), name));
  }
  return errors;
}

interface VariableEntry {
  readonly name: string;
  readonly schema: { readonly openAPIV3Schema: JSONSchemaProps };
}

/**
 * Checks every object of every bundle against its CRD schema, and every
 * ClusterClass variable's default and example against the variable's own
 * schema (Cluster API's webhook refuses a class whose default is invalid).
 * Returns one message per problem, naming the bundle, file, object and JSON path.
 */
export function validateBundles<B extends Bundle>(
  bundles: readonly B[],
  registry: CrdSchemaRegistry = CrdSchemaRegistry.load(),
  objectsOf: (bundle: B) => readonly BundleObject[] = (b) => bundleObjects(b),
): string[] {
  const problems: string[] = [];
  for (const bundle of bundles) {
    for (const { file, object } of objectsOf(bundle)) {
      const where = `${bundle.path}/${file}`;
      for (const e of validateObject(registry, object, where)) problems.push(e.toString());
      if (object.kind === 'ClusterClass') {
        const spec = object.spec as { variables?: readonly VariableEntry[] } | undefined;
        for (const [i, v] of (spec?.variables ?? []).entries()) {
          const schema = v.schema.openAPIV3Schema;
          for (const key of ['default', 'example'] as const) {
            if (schema[key] === undefined) continue;
            for (const e of validateValue(schema, schema[key])) {
              problems.push(`${where} ClusterClass variable '${v.name}' (spec.variables[${i}]) ${key}${e.path}: ${e.message}`);
            }
          }
        }
      }
    }
  }
  return problems;
}
