import yaml from 'js-yaml';
import { BundleFiles } from '../constructs/cluster-stack.ts';
import { CrdSchemaRegistry, validateValue, type JSONSchemaProps } from './crd-schema.ts';
import { GitopsFiles } from './gitops/bundle-files.ts';
import type { Bundle } from './synth.ts';

/** The Kubernetes objects of a bundle, with the file each comes from. */
export function bundleObjects(bundle: Bundle): { file: string; object: Record<string, unknown> }[] {
  const out: { file: string; object: Record<string, unknown> }[] = [];
  for (const file of bundle.files) {
    if (file.path !== BundleFiles.clusterClass && file.path !== BundleFiles.nodeImages && file.path !== GitopsFiles.helmChartProxies) continue;
    for (const doc of yaml.loadAll(file.content)) {
      if (doc !== null && typeof doc === 'object') out.push({ file: file.path, object: doc as Record<string, unknown> });
    }
  }
  return out;
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
export function validateBundles(bundles: readonly Bundle[], registry: CrdSchemaRegistry = CrdSchemaRegistry.load()): string[] {
  const problems: string[] = [];
  for (const bundle of bundles) {
    for (const { file, object } of bundleObjects(bundle)) {
      const where = `${bundle.path}/${file}`;
      for (const e of registry.validate(object, where)) problems.push(e.toString());
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
