import { ApiObject, JsonPatch as ObjectPatch } from 'cdk8s';
import type { AddonHook } from '../cluster-addon-config.ts';
import { ClusterAddon } from '../cluster-addon.ts';
import type { ClusterStack } from '../cluster-stack.ts';
import type { ClusterClassFeature } from '../patch.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../stack-definition.ts';
import type { DeclaredVariable } from '../variable.ts';
import type { JSONSchemaProps } from '../variable-schema.ts';
import { schemaWeakenings, valueViolations } from './schema-strictness.ts';

/** The names a base stack offers to overlays; each becomes a string-literal type. */
export interface OverlaySurface {
  readonly variable: string;
  readonly patch: string;
  readonly addon: string;
  readonly workerClass: string;
  readonly nodeImageSource: string;
}

/**
 * A base stack as overlays see it: its definition plus the names of what an
 * overlay may override, so a misspelt variable, addon or worker class does
 * not compile. `test/lib/overlay` checks the lists against what the base builds.
 */
export interface OverlayBase<BaseRow extends StackVersionsRow, S extends OverlaySurface> {
  readonly definition: ClusterStackDefinition<BaseRow>;
  readonly variables: readonly S['variable'][];
  readonly patches: readonly S['patch'][];
  readonly addons: readonly S['addon'][];
  readonly workerClasses: readonly S['workerClass'][];
  /**
   * The fields of a node image object that say where the image comes from
   * (URL, digest, name, OS version), as JSON pointers. An overlay may set
   * these; every other field of a base node image is a rule it keeps.
   */
  readonly nodeImageSources: Readonly<Record<S['nodeImageSource'], string>>;
}

/** Declares a base stack's overlay surface, keeping its names as literal types. */
export function defineOverlayBase<
  BaseRow extends StackVersionsRow,
  const V extends string,
  const P extends string,
  const A extends string,
  const W extends string,
  const N extends string,
>(
  definition: ClusterStackDefinition<BaseRow>,
  surface: { readonly variables: readonly V[]; readonly patches: readonly P[]; readonly addons: readonly A[]; readonly workerClasses: readonly W[]; readonly nodeImageSources: Readonly<Record<N, string>> },
): OverlayBase<BaseRow, { variable: V; patch: P; addon: A; workerClass: W; nodeImageSource: N }> {
  return { definition, ...surface };
}

/** A base variable's new default and tightened schema. */
export interface VariableOverride {
  /** The new schema default; must satisfy the (tightened) schema. @default - the base's default */
  readonly default?: unknown;
  /**
   * Schema keywords replacing the base's (shallow): they may only tighten it
   * (a higher minimum, a shorter enum, …); loosening needs a waiver
   * `variable:<name>`. @default - the base's schema
   */
  readonly schema?: Omit<JSONSchemaProps, 'default' | 'description' | 'example'>;
  /** A new example (docs, tests that set every variable); must satisfy the schema. @default - the base's example */
  readonly example?: unknown;
  /** Make an optional base variable required. @default - as the base */
  readonly required?: true;
}

/** Values and version of a base addon. */
export interface AddonOverride {
  /** Deep-merged into the base values: objects merge, anything else (arrays, null) replaces. @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
  /** A newer chart version; an older one needs a waiver `addon:<name>`. @default - the base's */
  readonly chartVersion?: string;
}

/** An addon the base does not have, with the hooks that apply it (after the base's addons). */
export interface ExtraAddon {
  readonly addon: ClusterAddon;
  /** @default ['AfterControlPlaneInitialized', 'BeforeClusterUpgrade'] */
  readonly stages?: readonly AddonHook[];
}

/** A template of the ClusterClass, by its role. */
export type TemplateRole<W extends string> =
  | 'infrastructureCluster'
  | 'controlPlane'
  | 'controlPlaneMachineInfrastructure'
  | `worker/${W}/bootstrap`
  | `worker/${W}/infrastructure`;

/**
 * Sets (RFC 6902 add: creates or replaces) or removes one field of a
 * template. Changing what the base's hardening wrote into the kubeadm
 * templates needs a `hardening:` waiver (see lib/overlay/conformance.ts).
 */
export type TemplateOverride<W extends string> =
  | { readonly template: TemplateRole<W>; /** JSON pointer below /spec/, e.g. `/spec/template/spec/flavor`. */ readonly path: string; readonly value: unknown }
  | { readonly template: TemplateRole<W>; readonly path: string; readonly remove: true };

/** The base stack as built for one row, for overrides that refer to its templates (extra patches' selectors). */
export interface BuiltBase<W extends string> {
  readonly stack: ClusterStack;
  template(role: TemplateRole<W>): ApiObject;
}

/** Sets the source fields of one base node image. */
export interface NodeImageOverride<N extends string> {
  /** The base node image's `metadata.name`. */
  readonly image: string;
  readonly set: Partial<Readonly<Record<N, string | number>>>;
}

/** Everything an overlay changes on its base, for one row of its versions table. */
export interface OverlayOverrides<S extends OverlaySurface> {
  readonly variables?: Partial<Readonly<Record<S['variable'], VariableOverride>>>;
  /** Extra variables and patches (after the base's, so they can build on its templates). @default - none */
  readonly features?: readonly ClusterClassFeature[];
  readonly addons?: Partial<Readonly<Record<S['addon'], AddonOverride>>>;
  readonly extraAddons?: readonly ExtraAddon[];
  readonly nodeImages?: readonly NodeImageOverride<S['nodeImageSource']>[];
  readonly templates?: readonly TemplateOverride<S['workerClass']>[];
  /** Base components to drop; each needs a waiver with the same name. @default - none */
  readonly remove?: { readonly addons?: readonly S['addon'][]; readonly patches?: readonly S['patch'][] };
}

/**
 * A named base component an overlay may weaken or remove, e.g.
 * `addon:metrics-server`, `variable:networkMTU`, `hardening:apiServer/profiling`
 * (see lib/overlay/conformance.ts for the hardening and node image names).
 */
export type BaseComponent<S extends OverlaySurface> =
  | `variable:${S['variable']}`
  | `patch:${S['patch']}`
  | `addon:${S['addon']}`
  | `workerClass:${S['workerClass']}`
  | `hardening:${string}`
  | `nodeImage:${string}`;

/** Permission to weaken or remove one base component, with the reason the docs show. */
export interface Waiver<S extends OverlaySurface = OverlaySurface> {
  readonly component: BaseComponent<S>;
  readonly reason: string;
}

export interface OverlayProps<BaseRow extends StackVersionsRow, Row extends BaseRow, S extends OverlaySurface> {
  readonly provider: string;
  readonly stack: string;
  readonly description: string;
  readonly base: OverlayBase<BaseRow, S>;
  /**
   * The overlay's versions table. Each row is also a row of the base (the
   * base builds from it), so a provider can pin a newer addon or image.
   * @default - the base's rows
   */
  readonly versions?: readonly Row[];
  /** @default - none: the base as it is, under the overlay's name */
  readonly overrides?: OverlayOverrides<S> | ((row: Row, base: BuiltBase<S['workerClass']>) => OverlayOverrides<S>);
  /** @default - none */
  readonly waivers?: readonly Waiver<S>[];
}

/** What conformance needs to know about an overlay, beside its definition. */
export interface OverlayInfo {
  readonly base: ClusterStackDefinition<StackVersionsRow>;
  readonly waivers: readonly Waiver[];
  /** JSON pointers of node image fields the overlay may set. */
  readonly nodeImageSources: readonly string[];
}

/** A stack definition built as a base plus overrides. */
export interface OverlayStackDefinition<Row extends StackVersionsRow = StackVersionsRow> extends ClusterStackDefinition<Row> {
  readonly overlay: OverlayInfo;
}

export function isOverlay(definition: ClusterStackDefinition<StackVersionsRow>): definition is OverlayStackDefinition {
  return 'overlay' in definition && (definition as { overlay?: unknown }).overlay !== undefined;
}

/**
 * A provider's stack defined as a base stack plus overrides: the base builds
 * the stack first, then the overrides are applied to its typed model. The
 * result is an ordinary stack definition (synth, release, docs work on it);
 * lib/overlay/conformance.ts checks it still holds every base component.
 */
export function defineOverlay<BaseRow extends StackVersionsRow, Row extends BaseRow, S extends OverlaySurface>(
  props: OverlayProps<BaseRow, Row, S>,
): OverlayStackDefinition<Row> {
  const where = `overlay ${props.provider}/${props.stack}`;
  const waivers = props.waivers ?? [];
  const seen = new Set<string>();
  for (const [i, w] of waivers.entries()) {
    if (!w.reason || w.reason.trim().length === 0) throw new Error(`${where}: waivers[${i}] (${w.component}) has no reason`);
    if (seen.has(w.component)) throw new Error(`${where}: waivers[${i}] waives ${w.component} twice`);
    seen.add(w.component);
  }
  const waived = (component: string) => seen.has(component);
  const base = props.base;
  return {
    provider: props.provider,
    stack: props.stack,
    description: props.description,
    versions: props.versions ?? (base.definition.versions as readonly Row[]),
    // The base's content, so the base's declared baseline deviations.
    ...(base.definition.hardeningDeviations ? { hardeningDeviations: base.definition.hardeningDeviations } : {}),
    build(stack: ClusterStack, row: Row) {
      base.definition.build(stack, row);
      const built: BuiltBase<S['workerClass']> = { stack, template: (role) => templateFor(stack, role, `${where}: template(${role})`) };
      const overrides = typeof props.overrides === 'function' ? props.overrides(row, built) : props.overrides ?? {};
      applyOverrides(stack, overrides, base, waived, where);
    },
    overlay: {
      base: base.definition as unknown as ClusterStackDefinition<StackVersionsRow>,
      waivers,
      nodeImageSources: Object.values<string>(base.nodeImageSources),
    },
  };
}

function applyOverrides<S extends OverlaySurface>(
  stack: ClusterStack,
  o: OverlayOverrides<S>,
  base: OverlayBase<StackVersionsRow, S>,
  waived: (component: string) => boolean,
  where: string,
): void {
  const clusterClass = stack.clusterClass;
  for (const [name, override] of Object.entries(o.variables ?? {}) as [string, VariableOverride | undefined][]) {
    if (!override) continue;
    const existing = clusterClass.variables.find((v) => v.name === name);
    if (!existing) throw new Error(`${where}: variables.${name}: the base declares no such variable`);
    clusterClass.replaceVariable(overriddenVariable(existing, override, waived(`variable:${name}`), `${where}: variables.${name}`));
  }
  for (const feature of o.features ?? []) clusterClass.addFeature(feature);

  for (const name of o.remove?.patches ?? []) {
    if (!waived(`patch:${name}`)) throw new Error(`${where}: remove.patches: '${name}' needs a waiver 'patch:${name}' with a reason`);
    if (!clusterClass.removePatch(name)) throw new Error(`${where}: remove.patches: the base has no patch '${name}'`);
  }
  for (const name of o.remove?.addons ?? []) {
    if (!waived(`addon:${name}`)) throw new Error(`${where}: remove.addons: '${name}' needs a waiver 'addon:${name}' with a reason`);
    stack.removeAddon(name);
  }
  for (const [name, override] of Object.entries(o.addons ?? {}) as [string, AddonOverride | undefined][]) {
    if (!override) continue;
    const addon = stack.addons.find((a) => a.name === name);
    if (!addon) throw new Error(`${where}: addons.${name}: the base ships no such addon`);
    stack.replaceAddon(
      new ClusterAddon({
        name: addon.name,
        description: addon.description,
        chart: { ...addon.chart, version: override.chartVersion ?? addon.chart.version },
        values: deepMerge(addon.values, override.values ?? {}) as Record<string, unknown>,
        ...(addon.overwrite ? { overwrite: addon.overwrite } : {}),
      }),
    );
  }
  if (o.extraAddons && o.extraAddons.length > 0) {
    const stages: Partial<Record<AddonHook, { addon: ClusterAddon }[]>> = {};
    for (const [hook, entries] of Object.entries(stack.addonStages) as [AddonHook, readonly { addon: ClusterAddon }[]][]) stages[hook] = [...entries];
    for (const extra of o.extraAddons) {
      stack.addAddon(extra.addon);
      for (const hook of extra.stages ?? ['AfterControlPlaneInitialized', 'BeforeClusterUpgrade']) (stages[hook] ??= []).push({ addon: extra.addon });
    }
    stack.setAddonStages(stages);
  }

  const images = stack.nodeImages.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  for (const [i, image] of (o.nodeImages ?? []).entries()) {
    const target = images.find((x) => x.name === image.image);
    if (!target) throw new Error(`${where}: nodeImages[${i}]: the base has no node image '${image.image}' (it has ${images.map((x) => x.name).join(', ') || 'none'})`);
    for (const [field, value] of Object.entries(image.set) as [S['nodeImageSource'], string | number | undefined][]) {
      if (value === undefined) continue;
      const path = base.nodeImageSources[field];
      if (path === undefined) throw new Error(`${where}: nodeImages[${i}].set.${field}: not a node image source of the base`);
      target.addJsonPatch(ObjectPatch.add(path, value));
    }
  }

  for (const [i, t] of (o.templates ?? []).entries()) {
    if (!t.path.startsWith('/spec/')) throw new Error(`${where}: templates[${i}]: path '${t.path}' must be below /spec/`);
    const target = templateFor(stack, t.template, `${where}: templates[${i}]`);
    target.addJsonPatch('remove' in t ? ObjectPatch.remove(t.path) : ObjectPatch.add(t.path, t.value));
  }
}

/** The base variable with the override applied, refusing a loosened schema unless waived. */
function overriddenVariable(base: DeclaredVariable, override: VariableOverride, waived: boolean, where: string): DeclaredVariable {
  const schema: JSONSchemaProps = {
    ...base.openApiSchema,
    ...(override.schema ?? {}),
    ...(override.default !== undefined ? { default: override.default } : {}),
    ...(override.example !== undefined ? { example: override.example } : {}),
  };
  if (!waived) {
    const weaker = schemaWeakenings(base.openApiSchema, schema);
    if (weaker.length > 0) throw new Error(`${where}: the schema may only be tightened, but ${weaker.join('; ')}`);
  }
  for (const key of ['default', 'example'] as const) {
    if (schema[key] === undefined) continue;
    const bad = valueViolations(schema, schema[key]);
    if (bad.length > 0) throw new Error(`${where}: ${key} ${JSON.stringify(schema[key])} does not satisfy the schema: ${bad.join('; ')}`);
  }
  return { name: base.name, required: override.required ?? base.required, openApiSchema: schema };
}

function templateFor(stack: ClusterStack, role: string, where: string): ApiObject {
  const cc = stack.clusterClass;
  if (role === 'infrastructureCluster') return cc.infrastructure;
  if (role === 'controlPlane') return cc.controlPlane.template;
  if (role === 'controlPlaneMachineInfrastructure') {
    if (!cc.controlPlane.machineInfrastructure) throw new Error(`${where}: the base's control plane has no machine infrastructure template`);
    return cc.controlPlane.machineInfrastructure;
  }
  const m = /^worker\/([^/]+)\/(bootstrap|infrastructure)$/.exec(role);
  const worker = m ? cc.workers.find((w) => w.class === m[1]) : undefined;
  if (!m || !worker) throw new Error(`${where}: no template '${role}' (worker classes: ${cc.workers.map((w) => w.class).join(', ')})`);
  return m[2] === 'bootstrap' ? worker.bootstrap : worker.infrastructure;
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
