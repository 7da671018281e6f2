import { goStringLiteral } from './go-template.ts';

/**
 * Where an expression is rendered. Inside a `range` body Go templates rebind
 * `.` to the element, so references to top-level variables must go through `$`.
 */
export interface RenderContext {
  readonly inRange: boolean;
}

export const ROOT_CONTEXT: RenderContext = { inRange: false };

/** Which part of the builtin variables an expression reads. */
export type BuiltinScope = 'cluster' | 'controlPlane' | 'machineDeployment' | 'machinePool';

/** What an expression depends on; collected so the ClusterClass can validate references. */
export interface ExpressionDependencies {
  /** Top-level ClusterClass variable names. */
  readonly variables: ReadonlySet<string>;
  /** Builtin scopes, e.g. `machineDeployment` for `builtin.machineDeployment.version`. */
  readonly builtins: ReadonlySet<BuiltinScope>;
  /**
   * Paths of the workload cluster's objects read where addon values are
   * rendered (`Cluster.metadata.name`, see addon-context.ts); the CAAPH
   * check compares them with what CAAPH reads in the same place.
   */
  readonly objects: ReadonlySet<string>;
}

type Renderer = (ctx: RenderContext) => string;

/**
 * What an expression is, for renderers other than the Go template: a
 * reference, a literal, or a function over other expressions. Expressions
 * without a shape (template-internal helpers) are rendered as Go only.
 */
export type ExprShape =
  | { readonly kind: 'reference'; readonly path: string }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr<unknown>[] };

interface ExprParts {
  readonly render: Renderer;
  readonly variables?: Iterable<string>;
  readonly builtins?: Iterable<BuiltinScope>;
  readonly objects?: Iterable<string>;
  /** Dotted variable path (`oidcConfig.clientID`) when the expression is a plain reference. */
  readonly variablePath?: string;
  /** Parent references that must be set before this one can be read, outermost first. */
  readonly guards?: readonly Expr<unknown>[];
  /** Whether the rendered pipeline needs parentheses when used as an argument. */
  readonly compound?: boolean;
  /** Template text that must run before the expression (e.g. a variable assignment). */
  readonly preludes?: Iterable<string>;
  /** What the expression can evaluate to, one value per branch, where known without a Cluster. */
  readonly outcomes?: readonly unknown[];
  /** Dotted variable paths read, in order of first appearance. @default - the variablePath, if any */
  readonly references?: readonly string[];
  /** @default - none: rendered as a Go template only */
  readonly shape?: ExprShape;
}

/**
 * A typed Go-template expression over ClusterClass variables, as Cluster API
 * evaluates it in `enabledIf` and `valueFrom.template`.
 *
 * `T` is the type of the value at evaluation time; it makes comparisons only
 * type-check between like values and field access only compile for fields
 * the variable's schema declares.
 */
export class Expr<T> {
  /** Phantom member carrying the value type; never set at run time. */
  declare readonly __valueType: T;

  /** @internal use the factories: variable references, builtins, literal(), eq(), … */
  public static create<V>(parts: ExprParts): Expr<V> {
    return new Expr<V>(parts);
  }

  private readonly parts: ExprParts;
  public readonly dependencies: ExpressionDependencies;

  private constructor(parts: ExprParts) {
    this.parts = parts;
    this.dependencies = {
      variables: new Set(parts.variables ?? []),
      builtins: new Set(parts.builtins ?? []),
      objects: new Set(parts.objects ?? []),
    };
  }

  /** The dotted path usable in `valueFrom.variable`, when this is a plain variable or builtin reference. */
  public get variablePath(): string | undefined {
    return this.parts.variablePath;
  }

  /** Template text that must be rendered before this expression, once. */
  public get preludes(): readonly string[] {
    return [...(this.parts.preludes ?? [])];
  }

  /**
   * The values the expression can evaluate to, one per branch (a choice
   * between literals), or a sample of its type (a Cluster field); undefined
   * when unknown. Checks use it to see what lands where the value goes,
   * e.g. addon values against the chart's contract.
   */
  public get outcomes(): readonly unknown[] | undefined {
    return this.parts.outcomes;
  }

  /**
   * The dotted variable paths the expression reads (`oidcConfig.clientID`,
   * `builtin.controlPlane.version`), in the order the Go template reads them.
   */
  public get references(): readonly string[] {
    return this.parts.references ?? (this.parts.variablePath === undefined ? [] : [this.parts.variablePath]);
  }

  public get shape(): ExprShape | undefined {
    return this.parts.shape;
  }

  /** Parent references that must be set before this reference can be read. */
  public get guards(): readonly Expr<unknown>[] {
    return this.parts.guards ?? [];
  }

  /** Renders the pipeline, without surrounding `{{ }}`. */
  public render(ctx: RenderContext = ROOT_CONTEXT): string {
    return this.parts.render(ctx);
  }

  /** Renders the pipeline so it can be an argument of another function. */
  public renderArgument(ctx: RenderContext = ROOT_CONTEXT): string {
    const rendered = this.render(ctx);
    return this.parts.compound ? `(${rendered})` : rendered;
  }

  /**
   * A field of an object-valued expression, e.g. `oidcConfig.field('clientID')`.
   * Reading it is guarded by its parents in `isSet()`, because Go templates
   * fail on a field of a missing map.
   */
  public field<K extends keyof NonNullable<T> & string>(key: K): Expr<NonNullable<T>[K]> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new Error(`field '${key}' cannot be read in a Go template; expected an identifier`);
    }
    const parent = this as Expr<unknown>;
    return Expr.create<NonNullable<T>[K]>({
      render: (ctx) => `${parent.renderArgument(ctx)}.${key}`,
      variables: parent.dependencies.variables,
      builtins: parent.dependencies.builtins,
      objects: parent.dependencies.objects,
      variablePath: parent.variablePath === undefined ? undefined : `${parent.variablePath}.${key}`,
      references: parent.variablePath === undefined ? parent.references : [`${parent.variablePath}.${key}`],
      ...(parent.variablePath === undefined ? {} : { shape: { kind: 'reference', path: `${parent.variablePath}.${key}` } }),
      guards: [...parent.guards, parent],
    });
  }
}

/** Any expression whose truthiness is a condition (Go templates treat empty values as false). */
export type Condition = Expr<unknown>;

/** A value accepted where an expression of type T is expected: the expression or a literal. */
export type ExprOrLiteral<T> = Expr<T> | T;

type Literal = string | number | boolean;

function isExpr(value: unknown): value is Expr<unknown> {
  return value instanceof Expr;
}

function literalPipeline(value: Literal): string {
  if (typeof value === 'string') return goStringLiteral(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`literal ${value} cannot be written in a Go template`);
    // Cluster API passes variables through JSON, so every number arrives as
    // float64, and Go's eq refuses to compare float64 with an int constant.
    const text = String(value);
    return /[.e]/.test(text) ? text : `${text}.0`;
  }
  return value ? 'true' : 'false';
}

/** A literal as an expression. */
export function literal<T extends Literal>(value: T): Expr<T> {
  return Expr.create<T>({ render: () => literalPipeline(value), shape: { kind: 'literal', value } });
}

function toExpr<T>(value: ExprOrLiteral<T>): Expr<T> {
  if (isExpr(value)) return value as Expr<T>;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return literal(value) as unknown as Expr<T>;
  }
  throw new Error(`only strings, numbers and booleans can be literals in a Go template, got ${JSON.stringify(value)}`);
}

function call<T>(fn: string, args: readonly Expr<unknown>[]): Expr<T> {
  return Expr.create<T>({
    render: (ctx) => `${fn} ${args.map((a) => a.renderArgument(ctx)).join(' ')}`,
    variables: args.flatMap((a) => [...a.dependencies.variables]),
    builtins: args.flatMap((a) => [...a.dependencies.builtins]),
    objects: args.flatMap((a) => [...a.dependencies.objects]),
    preludes: args.flatMap((a) => a.preludes),
    references: [...new Set(args.flatMap((a) => a.references))],
    shape: { kind: 'call', fn, args },
    compound: true,
  });
}

/** A list of strings, or another, depending on a boolean (sprig's `ternary` over `list`). */
export function chooseList(condition: Expr<boolean>, whenTrue: readonly string[], whenFalse: readonly string[]): Expr<readonly string[]> {
  const list = (items: readonly string[]) => Expr.create<readonly string[]>({ render: () => `list ${items.map(goStringLiteral).join(' ')}`.trimEnd(), compound: true });
  const choice = call<readonly string[]>('ternary', [list(whenTrue), list(whenFalse), condition]);
  return Expr.create<readonly string[]>({
    render: (ctx) => choice.render(ctx),
    variables: choice.dependencies.variables,
    builtins: choice.dependencies.builtins,
    objects: choice.dependencies.objects,
    preludes: choice.preludes,
    references: choice.references,
    compound: true,
    outcomes: [whenTrue, whenFalse],
  });
}

/**
 * Equality of like values: `eq(apiServerLoadBalancer.ref, 'octavia-ovn')`
 * only compiles for a member of the variable's enum.
 */
export function eq<T extends Literal>(left: Expr<T>, right: ExprOrLiteral<NoInfer<T>>): Expr<boolean> {
  return call('eq', [left, toExpr(right)]);
}

/** Inequality of like values. */
export function ne<T extends Literal>(left: Expr<T>, right: ExprOrLiteral<NoInfer<T>>): Expr<boolean> {
  return call('ne', [left, toExpr(right)]);
}

/** True when every operand is truthy (short-circuits, as Go ≥ 1.18 templates do). */
export function and(...operands: Condition[]): Condition {
  if (operands.length < 2) throw new Error(`and() needs at least two operands, got ${operands.length}`);
  return call('and', operands);
}

/** True when any operand is truthy. */
export function or(...operands: Condition[]): Condition {
  if (operands.length < 2) throw new Error(`or() needs at least two operands, got ${operands.length}`);
  return call('or', operands);
}

/** Negation of a condition. */
export function not(operand: Condition): Expr<boolean> {
  return call('not', [operand]);
}

/**
 * True when a reference is set to a non-empty value. Nested references are
 * guarded by their parents (`and .oidcConfig .oidcConfig.clientID`), because
 * reading a field of an unset object is an error in Go templates.
 */
export function isSet(reference: Expr<unknown>): Condition {
  const chain = [...reference.guards, reference];
  if (chain.length === 1) return reference;
  const guarded = call<unknown>('and', chain);
  // The guards are an artefact of Go templates, not part of the condition:
  // other renderers see the reference.
  return Expr.create({
    render: (ctx) => guarded.render(ctx),
    variables: guarded.dependencies.variables,
    builtins: guarded.dependencies.builtins,
    objects: guarded.dependencies.objects,
    references: guarded.references,
    compound: true,
    ...(reference.shape ? { shape: reference.shape } : {}),
  });
}

/**
 * Concatenates strings and numbers into one string, e.g. an image name with
 * the Kubernetes version appended.
 */
export function concat(...parts: ExprOrLiteral<string | number>[]): Expr<string> {
  if (parts.length < 2) throw new Error(`concat() needs at least two parts, got ${parts.length}`);
  const format = literal('%v'.repeat(parts.length));
  return call('printf', [format, ...parts.map((p) => toExpr<string | number>(p))]);
}

/** `whenTrue` if the boolean condition holds, else `whenFalse` (sprig's `ternary`). */
export function ifElse<T extends Literal>(condition: Expr<boolean>, whenTrue: ExprOrLiteral<T>, whenFalse: ExprOrLiteral<T>): Expr<T> {
  return call('ternary', [toExpr(whenTrue), toExpr(whenFalse), condition]);
}

/**
 * Renders a condition the way Cluster API reads `enabledIf`: the patch is
 * enabled when the template renders to `true`.
 */
export function renderEnabledIf(condition: Condition): string {
  return `{{ if ${condition.render(ROOT_CONTEXT)} }}true{{ end }}`;
}

/** A reference to a top-level ClusterClass variable. */
export function variableReference<T>(name: string): Expr<T> {
  return Expr.create<T>({
    render: (ctx) => `${ctx.inRange ? '$' : ''}.${name}`,
    variables: [name],
    variablePath: name,
    shape: { kind: 'reference', path: name },
  });
}

/** A reference to a builtin variable (`builtin.cluster.name`, …). */
export function builtinReference<T>(scope: BuiltinScope, path: string): Expr<T> {
  const dotted = `builtin.${scope}.${path}`;
  return Expr.create<T>({
    render: (ctx) => `${ctx.inRange ? '$' : ''}.${dotted}`,
    builtins: [scope],
    variablePath: dotted,
    shape: { kind: 'reference', path: dotted },
  });
}

// ---------------------------------------------------------------------------
// The second renderer: a condition in words, for the docs.

/** A piece of a described condition: prose, or a name or value to show as code. */
export type DescriptionPart = { readonly text: string } | { readonly code: string };

/** The schema type of a variable path (`string`, `boolean`, …), for wording; undefined when unknown. */
export type TypeLookup = (path: string) => string | undefined;

class Indescribable extends Error {}

interface Phrase {
  readonly parts: readonly DescriptionPart[];
  readonly op?: 'and' | 'or';
}

function literalText(value: string | number | boolean): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function truthiness(path: string, type: string | undefined, negated: boolean): DescriptionPart[] {
  const [yes, no] = type === 'boolean' ? ['is true', 'is false']
    : type === 'string' || type === 'array' ? ['is not empty', 'is empty']
      : type === 'integer' || type === 'number' ? ['is not 0', 'is 0']
        : ['is set', 'is not set'];
  return [{ code: path }, { text: ` ${negated ? no : yes}` }];
}

function shapeOf(expr: Expr<unknown>): ExprShape {
  const shape = expr.shape;
  if (shape === undefined) throw new Indescribable(expr.render());
  return shape;
}

function comparison(fn: 'eq' | 'ne', left: Expr<unknown>, right: Expr<unknown>): Phrase {
  const a = shapeOf(left);
  const b = shapeOf(right);
  const subject: DescriptionPart[] = a.kind === 'reference' ? [{ code: a.path }] : a.kind === 'literal' ? [{ code: literalText(a.value) }] : [];
  if (subject.length === 0) throw new Indescribable(`${fn} of a computed value`);
  if (b.kind === 'literal') {
    if (b.value === '') return { parts: [...subject, { text: fn === 'eq' ? ' is empty' : ' is not empty' }] };
    return { parts: [...subject, { text: fn === 'eq' ? ' is ' : ' is not ' }, { code: literalText(b.value) }] };
  }
  if (b.kind === 'reference') return { parts: [...subject, { text: fn === 'eq' ? ' equals ' : ' differs from ' }, { code: b.path }] };
  throw new Indescribable(`${fn} with a computed value`);
}

function phrase(expr: Expr<unknown>, typeOf: TypeLookup): Phrase {
  const shape = shapeOf(expr);
  switch (shape.kind) {
    case 'reference':
      return { parts: truthiness(shape.path, typeOf(shape.path), false) };
    case 'literal':
      return { parts: [{ text: 'always ' }, { code: literalText(shape.value) }] };
    case 'call': {
      const { fn, args } = shape;
      if ((fn === 'eq' || fn === 'ne') && args.length === 2) return comparison(fn, args[0], args[1]);
      if ((fn === 'and' || fn === 'or') && args.length >= 2) {
        const parts = args.flatMap((a, i) => {
          const p = phrase(a, typeOf);
          const grouped = p.op !== undefined && p.op !== fn ? [{ text: '(' }, ...p.parts, { text: ')' }] : p.parts;
          return i === 0 ? grouped : [{ text: ` ${fn} ` }, ...grouped];
        });
        return { parts, op: fn };
      }
      if (fn === 'not' && args.length === 1) {
        const inner = shapeOf(args[0]);
        if (inner.kind === 'reference') return { parts: truthiness(inner.path, typeOf(inner.path), true) };
        if (inner.kind === 'call' && (inner.fn === 'eq' || inner.fn === 'ne') && inner.args.length === 2) {
          return comparison(inner.fn === 'eq' ? 'ne' : 'eq', inner.args[0], inner.args[1]);
        }
        return { parts: [{ text: 'not (' }, ...phrase(args[0], typeOf).parts, { text: ')' }] };
      }
      throw new Indescribable(`function '${fn}'`);
    }
  }
}

/**
 * A condition in words, e.g. `apiServerLoadBalancer` is `"octavia-amphora"`:
 * the same expression that renders the Go template of `enabledIf`, rendered
 * for people. Undefined when it uses something without a wording (the docs
 * then show the template).
 */
export function describeCondition(condition: Condition, typeOf: TypeLookup = () => undefined): DescriptionPart[] | undefined {
  try {
    return [...phrase(condition, typeOf).parts];
  } catch (e) {
    if (e instanceof Indescribable) return undefined;
    throw e;
  }
}
