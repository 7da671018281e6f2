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
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { renderDocuments } from '../bytes/render.ts';
import type { Bundle } from '../pipeline/synth.ts';
import { patchesFromModel, templateKey, type PatchSpec } from './class-model.ts';
import { convertClusterClass } from './cluster-class.ts';
import { cloneJson, isJsonObject, type JsonObject } from './json.ts';
import type { TemplateEntry } from './patches.ts';
import { conversionFor, convertTemplate } from './templates.ts';

export interface DocumentsConversion {
  /** The ClusterClass first, then the templates, in the input order. */
  readonly objects: JsonObject[];
  /** The ClusterClass's patches as rewritten, typed (the ClusterClass object holds their rendering). */
  readonly patches: PatchSpec[];
  /** One line per rewritten patch operation or added patch. */
  readonly notes: string[];
}

/**
 * Converts the objects of a `cluster-class.yaml`: exactly one ClusterClass
 * (cluster.x-k8s.io/v1beta1) and the templates it references, with the
 * class's typed patches.
 */
export function convertClusterClassDocuments(objects: readonly JsonObject[], patches: readonly PatchSpec[]): DocumentsConversion {
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
  const cls = convertClusterClass(classes[0], patches, templates);
  return {
    objects: objects.map((o) => (o.kind === 'ClusterClass' ? cls.object : converted.get(o) ?? o)),
    patches: cls.patches,
    notes: cls.notes,
  };
}

/** A bundle converted to v1beta2: its files, and the converted objects and patches the checks read. */
export interface V1Beta2Bundle extends Bundle {
  /** `model` stays the v1beta1 model it was converted from; this is the converted ClusterClass. */
  readonly v1beta2: DocumentsConversion;
}

/** A model object as a JSON object (the model holds JSON already; a non-object names the file). */
function jsonObject(value: unknown, where: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`${where}: not an object`);
  return cloneJson(value);
}

/**
 * The bundle with its ClusterClass and templates in Cluster API v1beta2,
 * converted from its model; every other file is unchanged. Errors name the bundle.
 */
export function toV1Beta2(bundle: Bundle): V1Beta2Bundle {
  const where = `${bundle.path}/${BundleFiles.clusterClass}`;
  const { clusterClass } = bundle.model;
  let v1beta2: DocumentsConversion;
  try {
    const objects = [clusterClass.object, ...clusterClass.templates].map((o, i) => jsonObject(o, `document ${i}`));
    v1beta2 = convertClusterClassDocuments(objects, patchesFromModel(clusterClass.patches));
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
  const content = renderDocuments(v1beta2.objects);
  const files = bundle.files.map((f) => (f.path === BundleFiles.clusterClass ? { ...f, content } : f));
  return { ...bundle, files, v1beta2 };
}
