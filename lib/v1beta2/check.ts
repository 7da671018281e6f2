/**
 * Checks of a v1beta2 bundle beyond its CRD schemas: what Cluster API's
 * ClusterClass webhook and topology controller would refuse.
 *
 * - every CAPI object of the class file is in v1beta2 (nothing left behind);
 * - every templateRef names an object of the bundle;
 * - every selector matches a template the class references (the webhook's
 *   selectorMatchTemplate, internal/webhooks/patch_validation.go:314-316);
 * - no path indexes an array except `add …/0` and `add …/-`
 *   (validateIndexAccess, patch_validation.go:529-560);
 * - every JSON pointer resolves in the converted template it patches, with
 *   unconditional patches applied in order and each conditional patch on
 *   copies (a port of constructs/cluster-class.ts applyForValidation), and
 *   after every operation each extraArgs list still has unique names (the
 *   v1beta2 CEL rule "extraArgs name must be unique").
 */
import { ARRAY_INDEX, parsePointer, pointer, resolvePointer } from '../../constructs/json-pointer.ts';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { TemplateNode } from '../../constructs/value-template.ts';
import { Expr } from '../../constructs/expression.ts';
import { CrdSchemaRegistry } from '../pipeline/crd-schema.ts';
import { bundleObjects, validateBundles } from '../pipeline/validate.ts';
import { selectorMatches, templateKey, v1beta2References, type ClassReference, type JsonPatchSpec, type PatchSpec } from './class-model.ts';
import { CLUSTER_CLASS_V1BETA2 } from './cluster-class.ts';
import type { V1Beta2Bundle } from './convert.ts';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from './json.ts';
import { conversionFor, TEMPLATE_CONVERSIONS, valueAt } from './templates.ts';

/** The JSON pointers of v1beta2 arg lists in a kind (same paths as in v1beta1, new shape). */
function argListsOf(apiVersion: string, kind: string): readonly string[] {
  return TEMPLATE_CONVERSIONS.find((c) => c.toApiVersion === apiVersion && c.kind === kind)?.argLists ?? [];
}

/** Cluster API's validateIndexAccess, as a message or undefined. */
export function indexAccessProblem(patch: Pick<JsonPatchSpec, 'op' | 'path'>): string | undefined {
  for (const segment of patch.path.split('/')) {
    // strconv.Atoi accepts an optional sign.
    if (!/^[+-]?[0-9]+$/.test(segment)) continue;
    if (patch.op === 'add' && Number(segment) !== 0) return 'arrays can only be accessed using "0" (prepend) or "-" (append) (Cluster API webhook)';
    if (patch.op !== 'add') return `elements in arrays can not be accessed in a ${patch.op} operation (Cluster API webhook)`;
  }
  return undefined;
}

/**
 * The value a patch puts in place for the walk: a literal as it is; an
 * extraArgs entry rendered by a template keeps its name, so duplicates show;
 * any other computed value is a placeholder object.
 */
function placeholder(patch: JsonPatchSpec): JsonValue {
  if (patch.value !== undefined) return cloneJson(patch.value);
  const template = patch.valueFrom?.template;
  const isObject = template !== null && typeof template === 'object' && !Array.isArray(template) && !(template instanceof Expr) && !(template instanceof TemplateNode);
  const name = isObject ? (template as { readonly [key: string]: unknown }).name : undefined;
  if (typeof name === 'string') return { name, value: '<computed>' };
  return {};
}

/** Applies one JSON patch the way RFC 6902 would; returns why it would fail. */
export function applyForValidation(document: JsonValue, patch: JsonPatchSpec): string | undefined {
  const segments = parsePointer(patch.path);
  const last = segments[segments.length - 1];
  const parentPath = pointer(...segments.slice(0, -1));
  const parent = resolvePointer(document, parentPath);
  if (!parent.found) return `${parent.missing} does not exist in the template`;
  const container = parent.value;
  const value = placeholder(patch);
  if (Array.isArray(container)) {
    const index = last === '-' ? container.length : ARRAY_INDEX.test(last) ? Number(last) : -1;
    const limit = patch.op === 'add' ? container.length : container.length - 1;
    if (index < 0 || index > limit) return `${parentPath} is an array of ${container.length} items; '${last}' is not a valid position`;
    if (patch.op === 'add') container.splice(index, 0, value);
    else if (patch.op === 'replace') container[index] = value;
    else container.splice(index, 1);
    return undefined;
  }
  if (!isJsonObject(container)) return `${parentPath} is not an object or array`;
  if (patch.op !== 'add' && !Object.prototype.hasOwnProperty.call(container, last)) {
    return `${patch.path} does not exist in the template, so it cannot be ${patch.op === 'replace' ? 'replaced' : 'removed'}`;
  }
  if (patch.op === 'remove') delete container[last];
  else container[last] = value;
  return undefined;
}

/** Problems of the arg lists of a v1beta2 template document: shape and unique names. */
export function argListProblems(document: JsonObject): string[] {
  const problems: string[] = [];
  for (const list of argListsOf(String(document.apiVersion), String(document.kind))) {
    const entries = valueAt(document, list);
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) {
      problems.push(`${list} must be a list of {name, value} in v1beta2, got ${JSON.stringify(entries).slice(0, 80)}`);
      continue;
    }
    const seen = new Set<string>();
    for (const [i, e] of entries.entries()) {
      if (!isJsonObject(e) || typeof e.name !== 'string') {
        problems.push(`${list}/${i} must be an object with a name, got ${JSON.stringify(e).slice(0, 80)}`);
        continue;
      }
      if (seen.has(e.name)) problems.push(`${list} has '${e.name}' twice (v1beta2 CEL rule: extraArgs name must be unique)`);
      seen.add(e.name);
    }
  }
  return problems;
}

/**
 * The webhook and pointer checks of one v1beta2 class file's objects and the
 * class's typed patches; messages name the patch and path.
 */
export function checkClassDocuments(objects: readonly JsonObject[], patches: readonly PatchSpec[], where: string): string[] {
  const problems: string[] = [];
  const classes = objects.filter((o) => o.kind === 'ClusterClass');
  if (classes.length !== 1) return [`${where}: expected exactly one ClusterClass, found ${classes.length}`];
  const cls = classes[0];
  const metadata = cls.metadata;
  const className = isJsonObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '<unnamed>';
  const at = `${where} ClusterClass ${className}`;
  if (cls.apiVersion !== CLUSTER_CLASS_V1BETA2) problems.push(`${at}: apiVersion is ${String(cls.apiVersion)}, expected ${CLUSTER_CLASS_V1BETA2}`);
  for (const o of objects) {
    if (conversionFor(String(o.apiVersion), String(o.kind))) problems.push(`${where}: ${String(o.kind)} is still ${String(o.apiVersion)}`);
  }
  const spec = cls.spec;
  if (!isJsonObject(spec)) return [...problems, `${at}: no spec`];

  let references: ClassReference[];
  try {
    references = v1beta2References(spec, `${at} spec`);
  } catch (e) {
    return [...problems, (e as Error).message];
  }
  const byKey = new Map<string, JsonObject>();
  for (const o of objects) {
    const m = o.metadata;
    if (isJsonObject(m) && typeof m.name === 'string') byKey.set(templateKey(String(o.kind), m.name), o);
  }
  for (const r of references) {
    const o = byKey.get(templateKey(r.ref.kind, r.ref.name));
    if (!o) problems.push(`${at}: references ${r.ref.kind} ${r.ref.name}, which is not in the file`);
    else if (o.apiVersion !== r.ref.apiVersion) problems.push(`${at}: references ${r.ref.kind} ${r.ref.name} as ${r.ref.apiVersion}, but the object is ${String(o.apiVersion)}`);
  }
  for (const [key, o] of byKey) {
    if (o.kind === 'ClusterClass') continue;
    for (const p of argListProblems(o)) problems.push(`${where} ${key}: ${p}`);
  }

  // Documents as Cluster API sees them before a patch runs.
  const shared = new Map<string, JsonObject>();
  const documentOf = (key: string): JsonObject | undefined => {
    const o = byKey.get(key);
    if (!o) return undefined;
    if (!shared.has(key)) shared.set(key, cloneJson(o));
    return shared.get(key);
  };
  for (const [pi, patch] of patches.entries()) {
    const pWhere = `${at} patch '${patch.name}' (spec.patches[${pi}])`;
    const copies = new Map<string, JsonObject>();
    const documentFor = (key: string): JsonObject | undefined => {
      const doc = documentOf(key);
      if (patch.enabledIf === undefined || doc === undefined) return doc;
      if (!copies.has(key)) copies.set(key, cloneJson(doc));
      return copies.get(key);
    };
    for (const [di, d] of patch.definitions.entries()) {
      const dWhere = `${pWhere} definitions[${di}]`;
      const matched = [...new Set(references.filter((r) => selectorMatches(d.selector, r)).map((r) => templateKey(r.ref.kind, r.ref.name)))];
      if (matched.length === 0) {
        problems.push(`${dWhere} selector ${d.selector.apiVersion} ${d.selector.kind} ${JSON.stringify(d.selector.matchResources)} matches no template the ClusterClass references`);
        continue;
      }
      for (const [ji, jp] of d.jsonPatches.entries()) {
        const index = indexAccessProblem(jp);
        if (index) problems.push(`${dWhere} jsonPatches[${ji}] ${jp.op} ${jp.path}: ${index}`);
      }
      for (const key of matched) {
        const doc = documentFor(key);
        if (!doc) continue;
        for (const [ji, jp] of d.jsonPatches.entries()) {
          const opWhere = `${dWhere} jsonPatches[${ji}] ${jp.op} ${jp.path} on ${key.replace('/', ' ')}`;
          const problem = applyForValidation(doc, jp);
          if (problem) {
            problems.push(`${opWhere}: ${problem}`);
            continue;
          }
          for (const p of argListProblems(doc)) problems.push(`${opWhere}: ${p}`);
        }
      }
    }
  }
  return problems;
}

/**
 * Everything a v1beta2 bundle must pass: its objects against the CRDs
 * (v1beta2 kinds from capi-v1.13.5, CAPO/ORC as before) and the class's
 * variables against their own schemas (validateBundles), then the webhook
 * and pointer checks above. One message per problem.
 */
export function checkV1Beta2Bundles(bundles: readonly V1Beta2Bundle[], registry: CrdSchemaRegistry = CrdSchemaRegistry.load()): string[] {
  const problems = validateBundles(bundles, registry, (b) => bundleObjects(b, b.v1beta2.objects));
  for (const b of bundles) problems.push(...checkClassDocuments(b.v1beta2.objects, b.v1beta2.patches, `${b.path}/${BundleFiles.clusterClass}`));
  return problems;
}
