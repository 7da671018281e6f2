import { arrayAt, isObject, stringAt, type Json } from './json.ts';

/** An audit request the baseline says something about. */
export type AuditRequest = { readonly group: string; readonly resource: string } | { readonly url: string };

const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type AuditLevel = (typeof LEVELS)[number];

export function levelRank(level: string | undefined): number {
  return LEVELS.indexOf(level as AuditLevel);
}

export interface RuleMatch {
  readonly index: number;
  readonly level: string | undefined;
  /** Whether the rule applies to every such request, or only to some users, verbs, namespaces or names. */
  readonly conditional: boolean;
}

function nonEmpty(rule: Json, key: string): boolean {
  return arrayAt(rule, [key]).length > 0;
}

function resourceMatches(rule: Json, req: { group: string; resource: string }): { matches: boolean; byName: boolean } {
  let byName = false;
  const matches = arrayAt(rule, ['resources']).some((r) => {
    if ((stringAt(r, ['group']) ?? '') !== req.group) return false;
    const names = arrayAt(r, ['resources']).filter((n): n is string => typeof n === 'string');
    const [resource, sub] = req.resource.split('/');
    const hit =
      names.length === 0 ||
      names.some((n) => n === '*' || n === req.resource || (sub !== undefined && (n === `${resource}/*` || n === `*/${sub}`)));
    if (hit && nonEmpty(r, 'resourceNames')) byName = true;
    return hit;
  });
  return { matches, byName };
}

/**
 * Rules that may apply to a request, in order, up to the first one that
 * applies unconditionally (audit policies use the first matching rule).
 */
export function matchingRules(policy: Json, req: AuditRequest): RuleMatch[] {
  const out: RuleMatch[] = [];
  for (const [index, rule] of arrayAt(policy, ['rules']).entries()) {
    if (!isObject(rule)) continue;
    const hasResources = nonEmpty(rule, 'resources');
    const hasUrls = nonEmpty(rule, 'nonResourceURLs');
    let matches: boolean;
    let byName = false;
    if ('url' in req) {
      matches = hasUrls
        ? arrayAt(rule, ['nonResourceURLs']).some((u) => typeof u === 'string' && (u === req.url || u === '*' || (u.endsWith('*') && req.url.startsWith(u.slice(0, -1)))))
        : !hasResources;
    } else {
      const m = hasResources ? resourceMatches(rule, req) : { matches: !hasUrls, byName: false };
      matches = m.matches;
      byName = m.byName;
    }
    if (!matches) continue;
    const conditional = byName || ['users', 'userGroups', 'verbs', 'namespaces'].some((k) => nonEmpty(rule, k));
    out.push({ index, level: stringAt(rule, ['level']), conditional });
    if (!conditional) break;
  }
  return out;
}

export function describe(req: AuditRequest): string {
  return 'url' in req ? req.url : `${req.group === '' ? 'core' : req.group}/${req.resource}`;
}
