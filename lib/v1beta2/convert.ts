/**
 * v1beta2 output from the same stack definitions: the synthesized (v1beta1)
 * bundle is converted object by object, the way Cluster API ≥ 1.11 would
 * store it, and the ClusterClass's patches are rewritten for the v1beta2
 * shapes of the templates they patch (see patches.ts).
 *
 * Only `cluster-class.yaml` changes. CAPO templates and ORC images keep their
 * apiVersion (no v1beta2 exists for them); a v1beta2 ClusterClass references
 * them as v1beta1, which Cluster API ≥ 1.11 supports for providers still on
 * the v1beta1 contract (docs/book/src/developer/providers/contracts/infra-machine.md:264,
 * removal "tentatively in April 2027").
 */
import yaml from 'js-yaml';
import { dumpYaml } from '../../constructs/cluster-addon.ts';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import type { Bundle } from '../synth.ts';
import { convertClusterClass } from './cluster-class.ts';
import { templateKey } from './class-model.ts';
import { cloneJson, isJsonObject, type JsonObject } from './json.ts';
import type { TemplateEntry } from './patches.ts';
import { conversionFor, convertTemplate } from './templates.ts';

export interface DocumentsConversion {
  /** The ClusterClass first, then the templates, in the input order. */
  readonly objects: JsonObject[];
  /** One line per rewritten patch operation or added patch. */
  readonly notes: string[];
}

/**
 * Converts the documents of a `cluster-class.yaml`: exactly one ClusterClass
 * (cluster.x-k8s.io/v1beta1) and the templates it references.
 */
export function convertClusterClassDocuments(objects: readonly JsonObject[]): DocumentsConversion {
  const classes = objects.filter((o) => o.kind === 'ClusterClass');
  if (classes.length !== 1) throw new Error(`expected exactly one ClusterClass, found ${classes.length}`);
  const templates = new Map<string, TemplateEntry>();
  const converted = new Map<JsonObject, JsonObject>();
  for (const o of objects) {
    if (o.kind === 'ClusterClass') continue;
    const metadata = o.metadata;
    const name = isJsonObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '';
    const conversion = conversionFor(String(o.apiVersion), String(o.kind));
    const out = conversion ? convertTemplate(conversion, o) : cloneJson(o);
    const key = templateKey(String(o.kind), name);
    if (templates.has(key)) throw new Error(`${key} appears twice`);
    templates.set(key, { original: o, converted: out, conversion });
    converted.set(o, out);
  }
  const cls = convertClusterClass(classes[0], templates);
  return {
    objects: objects.map((o) => (o.kind === 'ClusterClass' ? cls.object : converted.get(o) ?? o)),
    notes: cls.notes,
  };
}

/** Parses a multi-document YAML file into objects. */
export function parseDocuments(content: string, where: string): JsonObject[] {
  return yaml.loadAll(content).flatMap((doc, i) => {
    if (doc === null || doc === undefined) return [];
    if (!isJsonObject(doc)) throw new Error(`${where} document ${i}: not an object`);
    return [doc];
  });
}

/** Multi-document YAML in the bundle's format (see constructs/cluster-stack.ts renderDocuments). */
export function renderDocuments(objects: readonly JsonObject[]): string {
  return objects.map((o) => `---\n${dumpYaml(o)}`).join('');
}

/**
 * The bundle with its ClusterClass and templates in Cluster API v1beta2;
 * every other file is unchanged. Errors name the bundle.
 */
export function toV1Beta2(bundle: Bundle): Bundle {
  const where = `${bundle.path}/${BundleFiles.clusterClass}`;
  const files = bundle.files.map((f) => {
    if (f.path !== BundleFiles.clusterClass) return f;
    try {
      return { ...f, content: renderDocuments(convertClusterClassDocuments(parseDocuments(f.content, where)).objects) };
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
  });
  if (!bundle.files.some((f) => f.path === BundleFiles.clusterClass)) throw new Error(`${bundle.path}: no ${BundleFiles.clusterClass}`);
  return { ...bundle, files };
}
