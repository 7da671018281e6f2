import { parsePointer } from '../../constructs/json-pointer.ts';
import type { HardeningObjects } from './bundle-objects.ts';
import { arrayAt, at, isObject, ptr, stringAt, type Json } from './json.ts';

/** One JSON patch operation of a ClusterClass patch, with what it selects. */
export interface PatchOperation {
  /** The patch's name. */
  readonly patch: string;
  readonly enabledIf: string | undefined;
  /** `ClusterClass/<name> /spec/patches/i/definitions/j/jsonPatches/k`. */
  readonly where: string;
  readonly selectorKind: string;
  readonly controlPlane: boolean;
  /** Worker classes the selector matches (machineDeploymentClass.names). */
  readonly workerClasses: readonly string[];
  readonly op: string;
  /** The target pointer's segments. */
  readonly path: readonly string[];
  /** The literal value, or a template's value rendered with placeholders when that is possible without evaluating it. */
  readonly value: Json | undefined;
  /** `valueFrom.variable`. */
  readonly variable: string | undefined;
  /** `valueFrom.template`, verbatim. */
  readonly template: string | undefined;
}

/**
 * Renders a value template without evaluating it, for static checks: an
 * action inside a JSON string becomes `<action>`, `{{ … | toJson }}`
 * outside one becomes a placeholder string, any other action outside a
 * string becomes 0. Control structures (if, range, with) make the template
 * opaque (undefined): its shape depends on the variables.
 */
export function renderTemplateStatically(template: string): Json | undefined {
  if (/\{\{-?\s*(if|else|range|with|end|define|template|block)\b/.test(template)) return undefined;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; ) {
    if (template.startsWith('{{', i)) {
      const end = template.indexOf('}}', i);
      if (end < 0) return undefined;
      const action = template.slice(i + 2, end).replace(/^-?\s*|\s*-?$/g, '');
      if (inString) out += `<${action.replace(/["\\]/g, '')}>`;
      else out += /\|\s*toJson$/.test(action) ? JSON.stringify(`<${action}>`) : '0';
      i = end + 2;
      continue;
    }
    const c = template[i];
    if (c === '\\' && inString) {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '"') inString = !inString;
    out += c;
    i += 1;
  }
  try {
    return JSON.parse(out) as Json;
  } catch {
    return undefined;
  }
}

/** Every JSON patch operation of the bundle's ClusterClass, in order. */
export function patchOperations(o: HardeningObjects): PatchOperation[] {
  const name = stringAt(o.clusterClass, ['metadata', 'name']) ?? '?';
  const out: PatchOperation[] = [];
  for (const [i, p] of arrayAt(o.clusterClass, ['spec', 'patches']).entries()) {
    if (!isObject(p)) continue;
    for (const [j, d] of arrayAt(p, ['definitions']).entries()) {
      const selector = at(d, ['selector']);
      const names = arrayAt(selector, ['matchResources', 'machineDeploymentClass', 'names']).filter((n): n is string => typeof n === 'string');
      for (const [k, jp] of arrayAt(d, ['jsonPatches']).entries()) {
        if (!isObject(jp)) continue;
        const template = stringAt(jp, ['valueFrom', 'template']);
        let path: string[];
        try {
          path = parsePointer(stringAt(jp, ['path']) ?? '');
        } catch {
          path = [];
        }
        out.push({
          patch: stringAt(p, ['name']) ?? `#${i}`,
          enabledIf: stringAt(p, ['enabledIf']),
          where: `ClusterClass/${name} ${ptr(['spec', 'patches', i, 'definitions', j, 'jsonPatches', k])}`,
          selectorKind: stringAt(selector, ['kind']) ?? '',
          controlPlane: at(selector, ['matchResources', 'controlPlane']) === true,
          workerClasses: names,
          op: stringAt(jp, ['op']) ?? '',
          path,
          value: jp.value !== undefined ? jp.value : template !== undefined ? renderTemplateStatically(template) : undefined,
          variable: stringAt(jp, ['valueFrom', 'variable']),
          template,
        });
      }
    }
  }
  return out;
}

/** Whether `path` starts with `prefix` (segment-wise). */
export function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));
}

/** The patch operations whose value is a whole files[] entry (`…/files/-` or `…/files/<i>`). */
export function isFileAdd(op: PatchOperation, filesPath: readonly (string | number)[]): boolean {
  return op.op === 'add' && op.path.length === filesPath.length + 1 && startsWith(op.path, filesPath);
}

