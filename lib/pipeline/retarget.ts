import type { BundleModel, ManifestObject } from '../../constructs/bundle-model.ts';
import type { BundleFile } from '../../constructs/cluster-addon.ts';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { HELM_CHART_PROXIES_FILE } from '../../constructs/helm-chart-proxy.ts';
import { metadataDocument, type ClusterStackVersions } from '../../constructs/metadata.ts';
import { clusterClassName, clusterStackName, releaseTag } from '../../constructs/names.ts';
import { setOwn } from '../bytes/json.ts';
import { OBJECT_FILES, renderManifestFilesOver, renderMetadata } from '../bytes/render.ts';
import type { Bundle } from './synth.ts';

/**
 * A synthesized bundle renamed to other versions, so that a release builds
 * each bundle once: it synthesizes at the versions a bundle had, decides
 * new ones from the content hashes, and renames.
 *
 * A stack's definition that does not read the versions (ClusterStack.readsVersions)
 * sees them only as the ClusterClass name, which the constructs turn into
 * the template and HelmChartProxy names and the selector label, and
 * metadata.yaml holds them. So the bundle at other versions is this one with
 * every occurrence of the class name in its manifest objects replaced and
 * metadata.yaml written anew; the files that hold no manifest object are
 * kept.
 *
 * Replacing a name also changes what the definition's own checks saw (a
 * name's length, its characters), which a rename cannot run again. So the
 * rename is made only between names of one shape: the same length, differing
 * only in digits and the hex letters a-f (v3 → v4, v0-sha.0000000 →
 * v0-sha.1a2b3c4); a check that passed for one passes for the other. Any
 * other pair gives undefined, and the caller synthesizes. Also undefined: a
 * definition that read the versions; a name made from the versions
 * (`<provider>-<stack>-<major>-<minor>-v…`) that is not the whole class
 * name, such as its dashed form; such a name in an object key (keys are
 * sorted), in a file that is kept, or in the ClusterClass's variables and
 * patches (the model keeps those typed). What no check can see is a name
 * derived from the class name beyond that (its hash, its upper case):
 * a definition that needs such a thing reads `versions` (README,
 * "Versioning by content").
 * test/lib/pipeline/retarget.test.ts holds every shipped bundle renamed
 * equal to its synthesis at the new versions.
 */
export function retarget(bundle: Bundle, versions: ClusterStackVersions): Bundle | undefined {
  const to = clusterClassName(bundle.identity, versions.clusterStack);
  return sameShape(bundle.clusterClassName, to) ? rename(bundle, versions, to) : undefined;
}

/**
 * The same rename between names of any shape, for a bundle that is then
 * trusted only where its bytes equal bytes a synthesis wrote (the previous
 * side of an upgrade check, against dist/; lib/release/upgrade-side.ts).
 */
export function retargetForComparison(bundle: Bundle, versions: ClusterStackVersions): Bundle | undefined {
  let to: string;
  try {
    to = clusterClassName(bundle.identity, versions.clusterStack);
  } catch {
    return undefined;
  }
  return rename(bundle, versions, to);
}

const SAME_SHAPE_CHARACTER = /[0-9a-f]/;

function sameShape(from: string, to: string): boolean {
  if (from.length !== to.length) return false;
  for (let i = 0; i < from.length; i++) {
    if (from[i] !== to[i] && !(SAME_SHAPE_CHARACTER.test(from[i] as string) && SAME_SHAPE_CHARACTER.test(to[i] as string))) return false;
  }
  return true;
}

function rename(bundle: Bundle, versions: ClusterStackVersions, to: string): Bundle | undefined {
  if (bundle.readsVersions) return undefined;
  const from = bundle.clusterClassName;
  // Every name made from the versions starts so; one that is not the whole
  // class name was derived from it (its dashed form, a truncation).
  const versioned = `${clusterStackName(bundle.identity)}-v`;
  const { model } = bundle;
  if (bundle.files.some((f) => !OBJECT_FILES.has(f.path) && f.content.includes(versioned))) return undefined;
  const spec = model.clusterClass.object['spec'] as Readonly<Record<string, unknown>> | undefined;
  const typed = spec ? [spec['variables'], spec['patches']] : [];
  if (typed.some((t) => holds(t, versioned))) return undefined;
  // Known to hold no name, the largest part of the class is not walked again.
  const replacer = new Replacer(from, to, versioned, new Set(typed));
  // Replacements per file, which substituted() checks the bytes against.
  const replaced = new Map<string, number>();
  const counted = (path: string, objects: readonly ManifestObject[]): ManifestObject[] | undefined => {
    const before = replacer.count;
    const out = objects.map((o) => replacer.in(o) as ManifestObject);
    replaced.set(path, replacer.count - before);
    return replacer.refused ? undefined : out;
  };
  const classObjects = counted(BundleFiles.clusterClass, [model.clusterClass.object, ...model.clusterClass.templates]);
  const nodeImages = counted(BundleFiles.nodeImages, model.nodeImages);
  const helmChartProxies = model.helmChartProxies && counted(HELM_CHART_PROXIES_FILE, model.helmChartProxies);
  if (!classObjects || !nodeImages || (model.helmChartProxies && !helmChartProxies)) return undefined;
  const [object, ...templates] = classObjects as [ManifestObject, ...ManifestObject[]];
  const renamed: BundleModel = {
    ...model,
    versions,
    clusterClassName: to,
    releaseTag: releaseTag(bundle.identity, versions.clusterStack),
    clusterClass: { ...model.clusterClass, object, templates },
    metadata: metadataDocument(bundle.identity.kubernetes, versions),
    nodeImages,
    helmChartProxies,
  };
  const files = substituted(bundle.files, renamed, from, to, replaced) ?? renderManifestFilesOver(renamed, bundle.files);
  return { ...bundle, versions, clusterClassName: to, releaseTag: renamed.releaseTag, model: renamed, files };
}

/**
 * The renamed files made by replacing the class name in their bytes: the
 * bytes a rendering of the renamed model gives, at a fraction of its cost.
 * A string holding the class name holds its 'v', so YAML never reads it as
 * a number, boolean, null or timestamp, and a version name is letters,
 * digits, '.' and '-', none of which changes a string's quoting, escapes or
 * block style; keys holding the name were refused. What is left is the
 * name appearing in the bytes where no string of the model holds it (next
 * to an escape sequence): then the counts differ, and the files are
 * rendered instead (undefined).
 */
function substituted(files: readonly BundleFile[], model: BundleModel, from: string, to: string, replaced: ReadonlyMap<string, number>): BundleFile[] | undefined {
  const out: BundleFile[] = [];
  for (const f of files) {
    if (f.path === BundleFiles.metadata) {
      out.push(renderMetadata(model));
    } else if (OBJECT_FILES.has(f.path)) {
      const parts = f.content.split(from);
      if (parts.length - 1 !== replaced.get(f.path)) return undefined;
      out.push({ path: f.path, content: parts.join(to) });
    } else {
      out.push(f);
    }
  }
  return out;
}

/** Whether a string anywhere in `value` (keys included) holds `text`. */
function holds(value: unknown, text: string): boolean {
  if (typeof value === 'string') return value.includes(text);
  if (Array.isArray(value)) return value.some((v) => holds(v, text));
  if (value !== null && typeof value === 'object') {
    const record = value as Readonly<Record<string, unknown>>;
    for (const k of Object.keys(record)) if (k.includes(text) || holds(record[k], text)) return true;
  }
  return false;
}

/**
 * Copies of values with `from` replaced by `to` in every string, counting
 * the replacements; subtrees without it are shared, not copied. A key
 * holding `prefix` (which `from` starts with), or a string holding it other
 * than as part of `from`, sets `refused`.
 */
class Replacer {
  public count = 0;
  public refused = false;

  public constructor(
    private readonly from: string,
    private readonly to: string,
    private readonly prefix: string,
    /** Subtrees known to hold neither `from` nor `prefix`. */
    private readonly without: ReadonlySet<unknown>,
  ) {}

  public in(value: unknown): unknown {
    if (typeof value === 'string') {
      if (!value.includes(this.prefix)) return value;
      const parts = value.split(this.from);
      if (parts.length - 1 !== value.split(this.prefix).length - 1) this.refused = true;
      this.count += parts.length - 1;
      return parts.join(this.to);
    }
    if (value === null || typeof value !== 'object' || this.without.has(value)) return value;
    // Most subtrees hold no class name: they are walked, not copied; a copy
    // starts at the first child that changed.
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        const r = this.in(v);
        if (r !== v) out ??= value.slice(0, i);
        out?.push(r);
      }
      return out ?? value;
    }
    const record = value as Readonly<Record<string, unknown>>;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(record)) {
      if (k.includes(this.prefix)) this.refused = true;
      const v = record[k];
      const r = this.in(v);
      if (r !== v && out === undefined) {
        out = {};
        for (const before of Object.keys(record)) {
          if (before === k) break;
          setOwn(out, before, record[before]);
        }
      }
      if (out !== undefined) setOwn(out, k, r);
    }
    return out ?? value;
  }
}
