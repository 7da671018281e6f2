import { App, ApiObject } from 'cdk8s';
import { ClusterStack } from '../../constructs/cluster-stack.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { clusterStackName, type ClusterStackIdentity } from '../../constructs/names.ts';
import { isOverlay, type OverlayStackDefinition } from '../../constructs/overlay/overlay.ts';
import { sameJson, schemaWeakenings, valueViolations } from '../../constructs/overlay/schema-strictness.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { HARDENING_VARIABLES } from '../compliance/baseline.ts';
import { hardeningObjects } from '../compliance/bundle-objects.ts';
import { runStaticChecks } from '../compliance/deviations.ts';
import { arrayAt, at, isObject, toJson, type Json, type JsonPath } from '../compliance/json.ts';
import { COMPONENTS, CP_FILES, EXTRA_ARGS, KCS, WORKER_FILES, WORKER_SPEC } from '../compliance/objects.ts';
import { readRecord } from '../release/version-record.ts';
import { PROJECT_ROOT } from '../pipeline/project-root.ts';
import { INITIAL_VERSIONS, synthesize } from '../pipeline/synth.ts';

/** The folder holding this package's stacks/ and version records (the project root, or node_modules/<package>). */
export const LIBRARY_ROOT = PROJECT_ROOT;

/** One base component the derived bundle lost or weakened. */
export interface ConformanceFinding {
  /** The waiver name that would allow it, e.g. `addon:metrics-server`. */
  readonly component: string;
  readonly message: string;
}

/** Conformance of one overlay bundle (stack × minor) to its base. */
export interface ConformanceReport {
  /** `<provider>/<stack>` of the overlay. */
  readonly stack: string;
  /** `<provider>/<stack>` of the base. */
  readonly base: string;
  /** Kubernetes `<major>.<minor>`. */
  readonly minor: string;
  /** The base's ClusterStack version from its version record (`v5`); undefined before its first release. */
  readonly baseVersion: string | undefined;
  /** Findings no waiver covers: the overlay does not conform. */
  readonly violations: readonly ConformanceFinding[];
  /** Findings a waiver covers, with its reason. */
  readonly waived: readonly (ConformanceFinding & { readonly reason: string })[];
  /** Waivers that cover nothing (stale: the docs would claim a weakening that is not there). */
  readonly staleWaivers: readonly string[];
}

export interface ConformanceOptions {
  /** Where the base's version records are. @default LIBRARY_ROOT */
  readonly baseRoot?: string;
}

/**
 * Checks every overlay among `definitions` against its base, per row of its
 * versions table: every base variable (schema not weakened), patch, addon
 * (same chart, version not older, same stages), worker class, hardening
 * setting (kubeadm extra args, files and commands; every static hardening
 * check the base passes) and node image rule is still there, except what a
 * named waiver allows. Stacks that are not overlays are skipped.
 */
export function checkConformance(definitions: readonly ClusterStackDefinition<StackVersionsRow>[], options: ConformanceOptions = {}): ConformanceReport[] {
  return definitions.filter(isOverlay).flatMap((d) => d.versions.map((row) => checkRow(d, row, options.baseRoot ?? LIBRARY_ROOT)));
}

/** Throws one message listing every violation and stale waiver; used by `release`. */
export function assertConformance(definitions: readonly ClusterStackDefinition<StackVersionsRow>[], options: ConformanceOptions = {}): ConformanceReport[] {
  const reports = checkConformance(definitions, options);
  const problems = reports.flatMap((r) => [
    ...r.violations.map((v) => `${r.stack} ${r.minor}: ${v.message} (waiver: ${v.component})`),
    ...r.staleWaivers.map((w) => `${r.stack} ${r.minor}: waiver ${w} covers nothing; remove it`),
  ]);
  if (problems.length > 0) throw new Error(`overlay conformance failed:\n  ${problems.join('\n  ')}`);
  return reports;
}

/** `conforms to openstack/scs v5, 1 waiver: addon:metrics-server (reason)`, or what breaks it. */
export function conformanceSummary(report: ConformanceReport): string {
  const base = `${report.base}${report.baseVersion ? ` ${report.baseVersion}` : ''}`;
  if (report.violations.length > 0 || report.staleWaivers.length > 0) {
    return `does NOT conform to ${base}: ${[...report.violations.map((v) => v.message), ...report.staleWaivers.map((w) => `stale waiver ${w}`)].join('; ')}`;
  }
  const waivers = [...new Map(report.waived.map((w) => [w.component, w.reason])).entries()];
  if (waivers.length === 0) return `conforms to ${base}`;
  return `conforms to ${base}, ${waivers.length} waiver${waivers.length === 1 ? '' : 's'}: ${waivers.map(([c, r]) => `${c} (${r})`).join('; ')}`;
}

/** A Markdown section for a provider's docs: one line per stack × minor. */
export function conformanceMarkdown(reports: readonly ConformanceReport[]): string {
  const lines = ['## Conformance to the base stack', ''];
  for (const r of reports) lines.push(`- ${r.stack} ${r.minor}: ${conformanceSummary(r)}`);
  return `${lines.join('\n')}\n`;
}

function checkRow(definition: OverlayStackDefinition, row: StackVersionsRow, baseRoot: string): ConformanceReport {
  const base = definition.overlay.base;
  const kubernetes = KubernetesVersion.parse(row.kubernetes);
  const baseId: ClusterStackIdentity = { provider: base.provider, stack: base.stack, kubernetes };
  const derivedId: ClusterStackIdentity = { provider: definition.provider, stack: definition.stack, kubernetes };
  const b = buildStack(base, row, baseId);
  const d = buildStack(definition, row, derivedId);
  const findings: ConformanceFinding[] = [];
  const baseName = `${base.provider}/${base.stack}`;
  const add = (component: string, message: string) => findings.push({ component, message: `${message} (${baseName})` });

  compareVariables(b, d, add);
  comparePatches(b, d, add);
  compareAddons(b, d, add);
  compareWorkers(b, d, add);
  compareHardeningSettings(b, d, add);
  compareStaticChecks(base, definition, row, baseId, derivedId, add);
  compareNodeImages(b, d, definition.overlay.nodeImageSources, add);

  const waivers = definition.overlay.waivers;
  const reasonOf = new Map(waivers.map((w) => [w.component as string, w.reason]));
  const violations = findings.filter((f) => !reasonOf.has(f.component));
  const waived = findings.filter((f) => reasonOf.has(f.component)).map((f) => ({ ...f, reason: reasonOf.get(f.component)! }));
  const used = new Set(waived.map((w) => w.component));
  return {
    stack: `${definition.provider}/${definition.stack}`,
    base: baseName,
    minor: kubernetes.minorVersion,
    baseVersion: readRecord(baseRoot, baseId)?.versions.clusterStack.toString(),
    violations,
    waived,
    staleWaivers: waivers.map((w) => w.component as string).filter((c) => !used.has(c)),
  };
}

type Add = (component: string, message: string) => void;

const HARDENING_VARIABLE_NAMES = new Set(HARDENING_VARIABLES.map((v) => v.variable));

function buildStack(definition: ClusterStackDefinition<StackVersionsRow>, row: StackVersionsRow, id: ClusterStackIdentity): ClusterStack {
  const app = new App({ outdir: '/nonexistent' });
  const stack = new ClusterStack(app, clusterStackName(id), { provider: id.provider, stack: id.stack, kubernetesVersion: id.kubernetes, versions: INITIAL_VERSIONS });
  definition.build(stack, row);
  return stack;
}

function compareVariables(b: ClusterStack, d: ClusterStack, add: Add): void {
  for (const v of b.clusterClass.variables) {
    const component = `variable:${v.name}`;
    const dv = d.clusterClass.variables.find((x) => x.name === v.name);
    if (!dv) {
      add(component, `base variable '${v.name}' is missing`);
      continue;
    }
    if (v.required && !dv.required) add(component, `base variable '${v.name}' is no longer required`);
    for (const w of schemaWeakenings(v.openApiSchema, dv.openApiSchema)) add(component, `base variable '${v.name}' has a weaker schema: ${w}`);
    // The N-variables trade security for compatibility; their defaults are the secure choice the base made.
    if (HARDENING_VARIABLE_NAMES.has(v.name) && !sameJson(v.openApiSchema.default, dv.openApiSchema.default)) {
      add(component, `base hardening variable '${v.name}' default is ${JSON.stringify(dv.openApiSchema.default)} instead of ${JSON.stringify(v.openApiSchema.default)}`);
    }
    if (dv.openApiSchema.default !== undefined) {
      for (const p of valueViolations(dv.openApiSchema, dv.openApiSchema.default)) add(component, `base variable '${v.name}' default breaks its schema: ${p}`);
    }
  }
}

function comparePatches(b: ClusterStack, d: ClusterStack, add: Add): void {
  const rendered = (s: ClusterStack) => {
    const json = toJson(s.clusterClass.resource.toJson(), s.clusterClassName);
    // Names derived from the class name differ by design; compare what the patch does.
    const text = JSON.stringify(at(json, ['spec', 'patches']) ?? []).split(s.clusterClassName).join('<class>');
    return JSON.parse(text) as { name: string }[];
  };
  const bp = rendered(b);
  const dp = rendered(d);
  let last = -1;
  for (const p of bp) {
    const component = `patch:${p.name}`;
    const index = dp.findIndex((x) => x.name === p.name);
    if (index < 0) {
      add(component, `base patch '${p.name}' is missing`);
      continue;
    }
    if (!sameJson(p, dp[index])) add(component, `base patch '${p.name}' is changed`);
    // Patches apply in order; a base patch moved before another changes what they produce.
    if (index < last) add(component, `base patch '${p.name}' moved before a patch the base applies first`);
    last = Math.max(last, index);
  }
}

function compareAddons(b: ClusterStack, d: ClusterStack, add: Add): void {
  for (const a of b.addons) {
    const component = `addon:${a.name}`;
    const da = d.addons.find((x) => x.name === a.name);
    if (!da) {
      add(component, `base addon '${a.name}' (${a.chart.name} ${a.chart.version}) is missing`);
      continue;
    }
    if (da.chart.name !== a.chart.name || da.chart.repository !== a.chart.repository) {
      add(component, `base addon '${a.name}' wraps ${da.chart.repository} ${da.chart.name} instead of ${a.chart.repository} ${a.chart.name}`);
    }
    if (compareSemver(da.chart.version, a.chart.version) < 0) add(component, `base addon '${a.name}' chart version ${da.chart.version} is older than the base's ${a.chart.version}`);
    for (const [hook, entries] of Object.entries(b.addonStages)) {
      const entry = (entries ?? []).find((e) => e.addon === a);
      if (!entry) continue;
      const mine = (d.addonStages[hook as keyof typeof d.addonStages] ?? []).find((e) => e.addon === da);
      if (!mine || (mine.action ?? 'apply') !== (entry.action ?? 'apply')) add(component, `base addon '${a.name}' is no longer ${entry.action ?? 'apply'}'d at ${hook}`);
    }
  }
}

function compareWorkers(b: ClusterStack, d: ClusterStack, add: Add): void {
  for (const w of b.clusterClass.workers) {
    if (!d.clusterClass.workers.some((x) => x.class === w.class)) add(`workerClass:${w.class}`, `base worker class '${w.class}' is missing`);
  }
}

/**
 * The hardening the base writes into its kubeadm templates: every extra
 * argument of the control plane components, every file (path, content,
 * permissions) and every pre/post kubeadm command, on the control plane and
 * on each base worker class. An overlay may add to them, not change them.
 */
function compareHardeningSettings(b: ClusterStack, d: ClusterStack, add: Add): void {
  const bcp = json(b.clusterClass.controlPlane.template);
  const dcp = json(d.clusterClass.controlPlane.template);
  for (const component of COMPONENTS) {
    const bArgs = at(bcp, EXTRA_ARGS[component]);
    const dArgs = at(dcp, EXTRA_ARGS[component]);
    if (!isObject(bArgs)) continue;
    for (const [flag, value] of Object.entries(bArgs)) {
      const mine = isObject(dArgs) ? dArgs[flag] : undefined;
      if (mine === undefined) add(`hardening:${component}/${flag}`, `base hardening setting ${component} --${flag}=${String(value)} is removed`);
      else if (!sameJson(mine, value)) add(`hardening:${component}/${flag}`, `base hardening setting ${component} --${flag} is ${JSON.stringify(mine)} instead of ${JSON.stringify(value)}`);
    }
  }
  const nodes: { name: string; base: Json; derived: Json | undefined; files: JsonPath; spec: JsonPath }[] = [
    { name: 'control plane', base: bcp, derived: dcp, files: CP_FILES, spec: KCS },
  ];
  for (const w of b.clusterClass.workers) {
    const mine = d.clusterClass.workers.find((x) => x.class === w.class);
    nodes.push({ name: `worker class ${w.class}`, base: json(w.bootstrap), derived: mine ? json(mine.bootstrap) : undefined, files: WORKER_FILES, spec: WORKER_SPEC });
  }
  for (const n of nodes) {
    if (n.derived === undefined) continue;
    const derivedFiles = arrayAt(n.derived, n.files).filter(isObject);
    for (const f of arrayAt(n.base, n.files).filter(isObject)) {
      const path = String(f.path);
      const mine = derivedFiles.find((x) => x.path === f.path);
      if (!mine) add(`hardening:file:${path}`, `base hardening file ${path} on the ${n.name} is removed`);
      else if (!sameJson(mine, f)) add(`hardening:file:${path}`, `base hardening file ${path} on the ${n.name} is changed`);
    }
    for (const key of ['preKubeadmCommands', 'postKubeadmCommands']) {
      const mine = arrayAt(n.derived, [...n.spec, key]);
      for (const c of arrayAt(n.base, [...n.spec, key])) {
        if (!mine.some((x) => sameJson(x, c))) add(`hardening:command:${String(c)}`, `base ${key} '${String(c)}' on the ${n.name} is removed`);
      }
    }
  }
}

/** Every static hardening check (lib/compliance) the base bundle passes, the derived one passes too. */
function compareStaticChecks(
  base: ClusterStackDefinition<StackVersionsRow>,
  derived: ClusterStackDefinition<StackVersionsRow>,
  row: StackVersionsRow,
  baseId: ClusterStackIdentity,
  derivedId: ClusterStackIdentity,
  add: Add,
): void {
  const results = (definition: ClusterStackDefinition<StackVersionsRow>, id: ClusterStackIdentity) => {
    const only = { ...definition, versions: [row] };
    const [bundle] = synthesize([only], { filter: (x) => clusterStackName(x) === clusterStackName(id) });
    return runStaticChecks(hardeningObjects(bundle), []);
  };
  const b = results(base, baseId);
  const d = results(derived, derivedId);
  const passedAll = (rs: typeof b, id: string) => rs.filter((r) => r.id === id).every((r) => r.passed);
  for (const id of [...new Set(b.map((r) => r.id))]) {
    if (!passedAll(b, id) || passedAll(d, id)) continue;
    const failed = d.filter((r) => r.id === id && !r.passed);
    add(`hardening:check:${id}`, `base hardening check ${id} (${failed[0]?.title ?? ''}) fails: ${failed.map((r) => r.detail).join('; ')}`);
  }
}

/**
 * A base node image's rule is every field but its source fields (URL,
 * digest, name, OS version): how it is verified, uploaded and who sees it.
 * The derived bundle keeps one node image per base image, in order, with
 * those fields unchanged and every source field set.
 */
function compareNodeImages(b: ClusterStack, d: ClusterStack, sources: readonly string[], add: Add): void {
  const images = (s: ClusterStack) => s.nodeImages.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const bi = images(b);
  const di = images(d);
  const isSource = (pointer: string) => sources.some((s) => pointer === s || pointer.startsWith(`${s}/`));
  bi.forEach((image, i) => {
    const component = `nodeImage:${image.name}`;
    const mine = di[i];
    if (!mine) {
      add(component, `base node image '${image.name}' is missing`);
      return;
    }
    const bj = json(image);
    const dj = json(mine);
    for (const [pointer, value] of leaves(bj)) {
      if (isSource(pointer)) continue;
      const other = resolve(dj, pointer);
      if (!sameJson(other, value)) add(component, `base node image '${image.name}' rule ${pointer} is ${other === undefined ? 'removed' : JSON.stringify(other)} instead of ${JSON.stringify(value)}`);
    }
    for (const s of sources) {
      const v = resolve(dj, s);
      if (resolve(bj, s) !== undefined && (v === undefined || v === '')) add(component, `base node image '${image.name}' source ${s} is empty`);
    }
  });
}

function json(o: ApiObject): Json {
  return toJson(o.toJson(), `${o.kind} ${o.name}`);
}

function leaves(value: Json, prefix = ''): [string, Json][] {
  if (Array.isArray(value)) return value.length === 0 ? [[prefix, value]] : value.flatMap((v, i) => leaves(v, `${prefix}/${i}`));
  if (isObject(value)) {
    const entries = Object.entries(value);
    return entries.length === 0 ? [[prefix, value]] : entries.flatMap(([k, v]) => leaves(v, `${prefix}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return [[prefix, value]];
}

function resolve(value: Json, pointer: string): Json | undefined {
  let current: Json | undefined = value;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    current = at(current, [Array.isArray(current) && /^[0-9]+$/.test(segment) ? Number(segment) : segment]);
    if (current === undefined) return undefined;
  }
  return current;
}

/** SemVer precedence of two exact versions (an optional leading `v`); pre-releases sort before their release. */
export function compareSemver(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v?([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([0-9A-Za-z.-]+))?/.exec(v);
    if (!m) throw new Error(`'${v}' is not a SemVer version`);
    return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i] - y.nums[i];
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  const px = x.pre.split('.');
  const py = y.pre.split('.');
  for (let i = 0; i < Math.max(px.length, py.length); i++) {
    if (px[i] === undefined) return -1;
    if (py[i] === undefined) return 1;
    if (px[i] === py[i]) continue;
    const nx = /^[0-9]+$/.test(px[i]) ? Number(px[i]) : undefined;
    const ny = /^[0-9]+$/.test(py[i]) ? Number(py[i]) : undefined;
    if (nx !== undefined && ny !== undefined) return nx - ny;
    if (nx !== undefined) return -1;
    if (ny !== undefined) return 1;
    return px[i] < py[i] ? -1 : 1;
  }
  return 0;
}

/**
 * The description the docs show for one bundle: the stack's own, plus its
 * conformance to the base (with every waiver and its reason) when the stack
 * is an overlay, so the catalog says "conforms to openstack/scs v5, 1 waiver: …".
 */
export function describeBundle(definition: ClusterStackDefinition<StackVersionsRow>, id: ClusterStackIdentity, options: ConformanceOptions = {}): string {
  if (!isOverlay(definition)) return definition.description;
  const row = definition.versions.find((r) => KubernetesVersion.parse(r.kubernetes).minorSlug === id.kubernetes.minorSlug);
  if (!row) return definition.description;
  const report = checkRow(definition, row, options.baseRoot ?? LIBRARY_ROOT);
  return `${definition.description}. Overlay: ${conformanceSummary(report)}.`;
}
