import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReleaseInfo } from './context.ts';
import { run, type RunResult } from './run.ts';
import { differences, isObject, objectId, parseDocuments, parseObjects, type JsonObject } from './yaml.ts';

/**
 * `helm template` of a cluster-class chart exactly as the operator's
 * ClusterStackRelease controller runs it: release name
 * `<provider>-<stack>-<major>-<minor>`, the chart by file name from inside
 * the release folder, the ClusterStackRelease's namespace, no values.
 */
export function helmTemplateClusterClass(helm: string, env: Record<string, string>, releaseDir: string, chartFile: string, releaseName: string, namespace: string): Promise<RunResult> {
  return run(helm, ['template', releaseName, chartFile, '--namespace', namespace], { cwd: releaseDir, env });
}

/**
 * Differences between the objects helm rendered and the objects of
 * dist/<bundle>/cluster-class.yaml, matched by apiVersion, kind and name (the
 * order of documents means nothing to the operator, which applies them all).
 */
export function compareWithDist(rendered: string, distDir: string): string[] {
  const distFile = join(distDir, 'cluster-class.yaml');
  const key = (o: JsonObject) => `${String(o.apiVersion)} ${objectId(o)}`;
  const byKey = (objects: JsonObject[], where: string) => {
    const m = new Map<string, JsonObject>();
    for (const o of objects) {
      if (m.has(key(o))) throw new Error(`${where}: ${key(o)} appears twice`);
      m.set(key(o), o);
    }
    return m;
  };
  const want = byKey(parseObjects(readFileSync(distFile, 'utf8'), distFile), distFile);
  const got = byKey(parseObjects(rendered, 'helm template output'), 'helm template output');
  const out: string[] = [];
  for (const k of [...new Set([...got.keys(), ...want.keys()])].sort()) {
    const g = got.get(k);
    const w = want.get(k);
    if (!g) out.push(`${k}: in dist/, not rendered by helm`);
    else if (!w) out.push(`${k}: rendered by helm, not in dist/`);
    else out.push(...differences(g, w, 30).map((d) => `${k}: ${d}`));
  }
  return out;
}

/**
 * `helm template` of one addon chart exactly as the operator's ClusterAddon
 * controller runs it (helmTemplateClusterAddon): in the folder the
 * cluster-addon archive was untarred into, the addon folder by name, the
 * values from overwrite.yaml on stdin (empty when the addon has none).
 */
export function helmTemplateAddon(helm: string, env: Record<string, string>, unpackedDir: string, addon: string, release: ReleaseInfo, values: string): Promise<RunResult> {
  return run(
    helm,
    ['template', '--include-crds', '--dependency-update', '--kube-version', release.kubernetes, 'cluster-addon', addon, '--namespace', 'kube-system', '-f', '-'],
    { cwd: unpackedDir, env, input: values },
  );
}

/**
 * The objects of a helm output, and the documents that are not objects
 * (helm writes its dependency download progress to stdout, before the
 * manifests).
 */
export function splitHelmOutput(stdout: string): { objects: JsonObject[]; other: string[] } {
  const objects: JsonObject[] = [];
  const other: string[] = [];
  for (const d of parseDocuments(stdout, 'helm template output')) {
    if (isObject(d)) objects.push(d);
    else other.push(JSON.stringify(d));
  }
  return { objects, other };
}

/**
 * The values Helm should hand a dependency: the addon chart's values.yaml
 * under the dependency's alias, with the user values (overwrite.yaml's
 * rendering) merged over it, maps merged key by key, lists and scalars
 * replaced. (Helm deletes a key set to null only where it overrides a default
 * of the subchart's own values.yaml; the stand-ins have none, so nulls stay.)
 */
export function expectedSubchartValues(chartValues: JsonObject, userValues: JsonObject, alias: string): JsonObject {
  const base = isObject(chartValues[alias]) ? chartValues[alias] : {};
  const over = isObject(userValues[alias]) ? userValues[alias] : {};
  return merge(base, over);
}

function merge(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isObject(prev) && isObject(v) ? merge(prev, v) : v;
  }
  return out;
}
