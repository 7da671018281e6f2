/**
 * Rewrites a v1beta1 ClusterClass's inline patches for v1beta2 templates.
 *
 * Cluster API converts the ClusterClass object itself (api/core/v1beta1/conversion.go)
 * but never its patches: they are JSON patches against templates, and the
 * topology controller applies them to templates in the apiVersion the class
 * references. A v1beta2 class references v1beta2 templates, so its patches
 * must address v1beta2 shapes:
 *
 * - selectors name the v1beta2 apiVersion of converted kinds (the webhook's
 *   selectorMatchTemplate, internal/webhooks/patch_validation.go:314-316, and
 *   the topology controller's matchesSelector,
 *   internal/controllers/topology/cluster/patches/inline/json_patch_generator.go:127-135,
 *   compare apiVersion exactly);
 * - moved fields follow (`rolloutBefore` → `rollout/before`);
 * - extraArgs / kubeletExtraArgs are `{name, value}` lists (listType=map,
 *   CEL "extraArgs name must be unique", minItems 1:
 *   api/bootstrap/kubeadm/v1beta2/kubeadm_types.go:239-249).
 *
 * A list entry cannot be addressed by name in a JSON pointer, and Cluster
 * API's ClusterClass webhook refuses every numeric path segment in replace
 * and remove, and any but 0 in add (validateIndexAccess,
 * internal/webhooks/patch_validation.go:529-560). So:
 *
 * - `add …/extraArgs/<k>` of an arg the template does not set becomes
 *   `add …/extraArgs/-` with `{name: k, value}`;
 * - an arg some patch replaces, removes, or `add`s over (an *owned* arg) is
 *   taken out of the template's list. The owning patch appends it with its
 *   new value (replace, add) or not at all (remove), and a companion patch
 *   `<patch>-otherwise`, enabled exactly when the owner is not, appends the
 *   template's value. Every variable assignment yields the same args as
 *   v1beta1; only their order in the list differs, which kubeadm ignores.
 *
 * Values from variables or templates are wrapped into a template value
 * rendering the whole entry, `{"name":"k","value":{{ .var | toJson }}}`,
 * from the typed reference or template value. Cluster API
 * reads a rendered template as YAML (json_patch_generator.go:320-350), so
 * the wrapped template must render a JSON or flow value; the stacks' value
 * templates always render JSON.
 */
import { not } from '../../constructs/expression.ts';
import { parsePointer, pointer } from '../../constructs/json-pointer.ts';
import {
  jsonPatchToJson,
  selectorMatches,
  templateKey,
  type ClassReference,
  type JsonPatchSpec,
  type PatchDefinitionSpec,
  type PatchSpec,
} from './class-model.ts';
import { canonicalJsonOfAny as canonicalJson } from '../bytes/json.ts';
import { isJsonObject, type JsonObject } from './json.ts';
import {
  convertShapes,
  isAtOrBelow,
  movedPath,
  v1beta2ApiVersion,
  valueAt,
  type TemplateKindConversion,
} from './templates.ts';

/** One template of the bundle: as synthesized (v1beta1) and as converted. */
export interface TemplateEntry {
  readonly original: JsonObject;
  readonly converted: JsonObject;
  /** Undefined for kinds that stay as they are (CAPO, ORC). */
  readonly conversion: TemplateKindConversion | undefined;
}

/** What the rewrite did, one line per changed operation or added patch, for reports and tests. */
export interface PatchRewrite {
  readonly patches: PatchSpec[];
  readonly notes: string[];
}

/** Suffix of the companion patch that restores what an owning patch replaces or removes. */
export const COMPANION_SUFFIX = '-otherwise';

type OpClass =
  | { readonly kind: 'plain' }
  | { readonly kind: 'moved'; readonly path: string }
  | { readonly kind: 'subtree' }
  | { readonly kind: 'arg'; readonly list: string; readonly name: string };

function classify(conversion: TemplateKindConversion | undefined, path: string, where: string): OpClass {
  if (conversion === undefined) return { kind: 'plain' };
  for (const u of conversion.unsupported) {
    if (isAtOrBelow(path, u.path)) {
      throw new Error(`${where}: ${path} addresses ${u.path}, whose v1beta2 conversion is not implemented here (Cluster API converts it in ${u.source})`);
    }
  }
  for (const list of conversion.argLists) {
    if (path.startsWith(`${list}/`)) {
      const rest = parsePointer(path).slice(parsePointer(list).length);
      if (rest.length !== 1) throw new Error(`${where}: ${path} goes below an extra arg (${list} holds strings)`);
      return { kind: 'arg', list, name: rest[0] };
    }
  }
  for (const m of conversion.moved) {
    if (isAtOrBelow(path, m.from)) return { kind: 'moved', path: movedPath(conversion, path) };
  }
  const changed = [...conversion.argLists, ...conversion.moved.map((m) => m.from), ...conversion.unsupported.map((u) => u.path)];
  if (changed.some((c) => isAtOrBelow(c, path))) return { kind: 'subtree' };
  return { kind: 'plain' };
}

/** The value of `add …/extraArgs/-` for arg `name`, from a v1beta1 map-key patch's value. */
export function argEntryValue(name: string, patch: JsonPatchSpec, where: string): Pick<JsonPatchSpec, 'value' | 'valueFrom'> {
  if (patch.value !== undefined) {
    if (typeof patch.value !== 'string') throw new Error(`${where}: extra arg '${name}' must be a string, got ${JSON.stringify(patch.value)}`);
    return { value: { name, value: patch.value } };
  }
  const value = patch.valueFrom?.variable ?? patch.valueFrom?.template;
  if (value !== undefined) return { valueFrom: { template: { name, value } } };
  throw new Error(`${where}: ${patch.op} needs value or valueFrom`);
}

interface OpSite {
  readonly patch: number;
  readonly definition: number;
  readonly op: number;
  readonly spec: JsonPatchSpec;
}

interface OwnedArg {
  readonly templateValue: string;
}

/**
 * Rewrites the patches for the converted templates. Owned args are taken out
 * of `templates[*].converted` (the entries are modified in place).
 */
export function rewritePatches(
  patches: readonly PatchSpec[],
  references: readonly ClassReference[],
  templates: ReadonlyMap<string, TemplateEntry>,
  where: string,
): PatchRewrite {
  const notes: string[] = [];
  const targetsOf = (d: PatchDefinitionSpec): TemplateEntry[] => {
    const keys = new Set(references.filter((r) => selectorMatches(d.selector, r)).map((r) => templateKey(r.ref.kind, r.ref.name)));
    return [...keys].map((k) => {
      const t = templates.get(k);
      if (!t) throw new Error(`${where}: the ClusterClass references ${k}, which is not in the bundle`);
      return t;
    });
  };
  const siteWhere = (s: OpSite) => `${where} patch '${patches[s.patch].name}' (spec.patches[${s.patch}]) definitions[${s.definition}] jsonPatches[${s.op}] ${s.spec.op} ${s.spec.path}`;

  // 1. Every operation on an extra arg, per template, list and arg name.
  const argSites = new Map<string, OpSite[]>();
  const argKey = (t: TemplateEntry, list: string, name: string) => `${templateKey(String(t.original.kind), nameOf(t.original))}\u0000${list}\u0000${name}`;
  for (const [pi, patch] of patches.entries()) {
    for (const [di, d] of patch.definitions.entries()) {
      for (const t of targetsOf(d)) {
        for (const [oi, op] of d.jsonPatches.entries()) {
          const site = { patch: pi, definition: di, op: oi, spec: op };
          const c = classify(t.conversion, op.path, siteWhere(site));
          if (c.kind !== 'arg') continue;
          const key = argKey(t, c.list, c.name);
          argSites.set(key, [...(argSites.get(key) ?? []), site]);
        }
      }
    }
  }

  // 2. Owned args: changed by a replace or remove, or added over the template's value.
  const owned = new Map<string, OwnedArg>();
  for (const [key, sites] of argSites) {
    const [tKey, list, name] = key.split('\u0000');
    const t = templates.get(tKey);
    if (!t) continue;
    const base = valueAt(t.original, list);
    const templateValue = isJsonObject(base) ? base[name] : undefined;
    if (sites.length > 1) {
      const by = [...new Set(sites.map((s) => `'${patches[s.patch].name}'`))].join(' and ');
      throw new Error(`${where}: extra arg '${name}' of ${tKey} ${list} is changed by ${sites.length} operations (${by}); in v1beta2 a list entry cannot be addressed by name, so exactly one patch operation may set, replace or remove an arg`);
    }
    const site = sites[0];
    if (site.spec.op === 'add' && templateValue === undefined) continue;
    if (typeof templateValue !== 'string') {
      throw new Error(`${siteWhere(site)}: extra arg '${name}' is not set in ${tKey}, so it cannot be ${site.spec.op === 'remove' ? 'removed' : 'replaced'}`);
    }
    owned.set(key, { templateValue });
  }

  // 3. Take owned args out of the converted templates' lists.
  for (const key of owned.keys()) {
    const [tKey, list, name] = key.split('\u0000');
    const t = templates.get(tKey);
    if (!t) continue;
    const entries = valueAt(t.converted, list);
    if (!Array.isArray(entries)) throw new Error(`${where}: ${tKey} ${list} is not a list after conversion`);
    const kept = entries.filter((e) => !(isJsonObject(e) && e.name === name));
    if (kept.length === 0) {
      throw new Error(`${where}: ${tKey} ${list} would be empty once '${name}' is taken out for the patches that change it, but they append to it and v1beta2 requires at least one entry (minItems 1)`);
    }
    entries.splice(0, entries.length, ...kept);
  }

  // 4. The rewritten operations, the same for every template a definition selects.
  const out: PatchSpec[] = [];
  const names = new Set(patches.map((p) => p.name));
  for (const [pi, patch] of patches.entries()) {
    const definitions: PatchDefinitionSpec[] = [];
    const companion: PatchDefinitionSpec[] = [];
    for (const [di, d] of patch.definitions.entries()) {
      const targets = targetsOf(d);
      const selector = { ...d.selector, apiVersion: v1beta2ApiVersion(d.selector.apiVersion, d.selector.kind) };
      const ops: JsonPatchSpec[] = [];
      const restores: JsonPatchSpec[] = [];
      for (const [oi, op] of d.jsonPatches.entries()) {
        const site = { patch: pi, definition: di, op: oi, spec: op };
        const perTarget = targets.map((t) => rewriteOp(t, site));
        const first = perTarget[0] ?? { op, restore: undefined };
        // Compared as written: the typed values hold expressions.
        const written = (r: { op: JsonPatchSpec | undefined; restore: JsonPatchSpec | undefined }) =>
          canonicalJson({ op: r.op ? jsonPatchToJson(r.op) : null, restore: r.restore ? jsonPatchToJson(r.restore) : null });
        for (const other of perTarget.slice(1)) {
          if (written(other) !== written(first)) {
            throw new Error(`${siteWhere(site)}: the selected templates need different v1beta2 rewrites (${written(first)} vs ${written(other)}); select them in separate definitions`);
          }
        }
        if (first.op) ops.push(first.op);
        if (first.restore) restores.push(first.restore);
        if (!first.op || canonicalJson(jsonPatchToJson(first.op)) !== canonicalJson(jsonPatchToJson(op))) {
          const became = first.op ? `${first.op.op} ${first.op.path}` : 'nothing (the arg is left out of the template)';
          notes.push(`patch '${patch.name}': ${op.op} ${op.path} → ${became}`);
        }
      }
      if (ops.length > 0) definitions.push({ selector, jsonPatches: ops });
      if (restores.length > 0) companion.push({ selector, jsonPatches: restores });
    }
    if (definitions.length > 0) out.push({ ...patch, definitions });
    else if (companion.length > 0) notes.push(`patch '${patch.name}': dropped; all it did was remove args, which are now left out of the template and added by '${patch.name}${COMPANION_SUFFIX}' while it is disabled`);
    else notes.push(`patch '${patch.name}': dropped; all it did was remove args, which are now left out of the template`);
    if (companion.length > 0) {
      const name = `${patch.name}${COMPANION_SUFFIX}`;
      if (names.has(name)) throw new Error(`${where}: companion patch '${name}' would clash with an existing patch of that name`);
      names.add(name);
      out.push({
        name,
        description: `v1beta2 extraArgs are lists that patches cannot address by name: while '${patch.name}' is disabled, this adds the extra args it owns with the template's values.`,
        ...(patch.enabledIf ? { enabledIf: not(patch.enabledIf) } : {}),
        definitions: companion,
      });
      notes.push(`patch '${name}': added after '${patch.name}', enabled exactly when it is not`);
    }
  }
  return { patches: out, notes };

  function rewriteOp(t: TemplateEntry, site: OpSite): { op: JsonPatchSpec | undefined; restore: JsonPatchSpec | undefined } {
    const op = site.spec;
    const at = siteWhere(site);
    const c = classify(t.conversion, op.path, at);
    switch (c.kind) {
      case 'plain':
        return { op, restore: undefined };
      case 'moved':
        return { op: { ...op, path: c.path }, restore: undefined };
      case 'subtree': {
        if (op.op === 'remove') return { op, restore: undefined };
        if (op.value === undefined || t.conversion === undefined) {
          throw new Error(`${at}: its value comes from valueFrom and is placed above fields whose shape changes in v1beta2; only a literal value can be converted`);
        }
        return { op: { op: op.op, path: op.path, value: convertShapes(t.conversion, op.value, op.path, at) }, restore: undefined };
      }
      case 'arg': {
        const append = pointer(...parsePointer(c.list), '-');
        const own = owned.get(argKey(t, c.list, c.name));
        const entry = op.op === 'remove' ? undefined : { op: 'add' as const, path: append, ...argEntryValue(c.name, op, at) };
        if (own === undefined) return { op: entry, restore: undefined };
        // An unconditional owner is always enabled: nothing to restore.
        const restore = patches[site.patch].enabledIf === undefined ? undefined : { op: 'add' as const, path: append, value: { name: c.name, value: own.templateValue } };
        return { op: entry, restore };
      }
    }
  }
}

function nameOf(object: JsonObject): string {
  const metadata = object.metadata;
  return isJsonObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '';
}
