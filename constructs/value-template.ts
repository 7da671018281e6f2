import { Expr, type Condition, type RenderContext, ROOT_CONTEXT, type BuiltinScope } from './expression.ts';
import { escapeGoTemplate } from './go-template.ts';

/**
 * A JSON-shaped value whose leaves may be expressions, rendered into the Go
 * template of a patch's `valueFrom.template`.
 *
 * The template always renders JSON (expressions through sprig's `toJson`),
 * so any string a user puts into a variable stays a string: no YAML
 * indentation to get wrong, no quoting of special characters by hand.
 */
export type TemplateValue =
  | null
  | boolean
  | number
  | string
  | Expr<unknown>
  | TemplateNode
  | readonly TemplateValue[]
  | { readonly [key: string]: TemplateValue };

/** A control structure inside a template value. */
export abstract class TemplateNode {
  public abstract render(ctx: RenderContext, depth: number): string;
  public abstract collect(into: DependencyCollector): void;
}

/** Collects the variables and builtins a template reads. */
export class DependencyCollector {
  public readonly variables = new Set<string>();
  public readonly builtins = new Set<BuiltinScope>();
  /** Dotted variable paths, in the order the template reads them (see Expr.references). */
  public readonly references = new Set<string>();

  public add(expr: Expr<unknown>): void {
    for (const v of expr.dependencies.variables) this.variables.add(v);
    for (const b of expr.dependencies.builtins) this.builtins.add(b);
    for (const r of expr.references) this.references.add(r);
  }
}

class WhenNode extends TemplateNode {
  public constructor(
    private readonly condition: Condition,
    private readonly then: TemplateValue,
    private readonly otherwise: TemplateValue | undefined,
  ) {
    super();
  }

  public render(ctx: RenderContext, depth: number): string {
    const elseBranch = this.otherwise === undefined ? '' : `{{ else }}${renderValue(this.otherwise, ctx, depth)}`;
    return `{{ if ${this.condition.render(ctx)} }}${renderValue(this.then, ctx, depth)}${elseBranch}{{ end }}`;
  }

  public collect(into: DependencyCollector): void {
    into.add(this.condition);
    collectValue(this.then, into);
    if (this.otherwise !== undefined) collectValue(this.otherwise, into);
  }
}

class EachNode<T> extends TemplateNode {
  public constructor(
    private readonly list: Expr<readonly T[]>,
    private readonly body: (item: Expr<T>) => TemplateValue,
  ) {
    super();
  }

  public render(ctx: RenderContext, depth: number): string {
    const index = `$i${depth}`;
    const element = `$e${depth}`;
    const item = Expr.create<T>({ render: () => element });
    const inner: RenderContext = { inRange: true };
    const body = renderValue(this.body(item), inner, depth + 1);
    return `[{{ range ${index}, ${element} := ${this.list.render(ctx)} }}{{ if ${index} }},{{ end }}${body}{{ end }}]`;
  }

  public collect(into: DependencyCollector): void {
    into.add(this.list);
    collectValue(this.body(Expr.create<T>({ render: () => '$e' })), into);
  }
}

class InterpolatedStringNode extends TemplateNode {
  public constructor(private readonly parts: readonly (string | Expr<number> | Expr<boolean>)[]) {
    super();
  }

  public render(ctx: RenderContext): string {
    const body = this.parts
      .map((p) => (typeof p === 'string' ? escapeGoTemplate(JSON.stringify(p).slice(1, -1)) : `{{ ${p.render(ctx)} }}`))
      .join('');
    return `"${body}"`;
  }

  public collect(into: DependencyCollector): void {
    for (const p of this.parts) if (typeof p !== 'string') into.add(p);
  }
}

/**
 * A string built from literal text and number or boolean expressions, e.g.
 * the content of a small JSON file: `interpolate('{"podPidsLimit":', pids.ref, '}')`.
 * Only numbers and booleans are interpolated: Go prints them without
 * characters that would need escaping inside a JSON string.
 */
export function interpolate(...parts: readonly (string | Expr<number> | Expr<boolean>)[]): TemplateNode {
  return new InterpolatedStringNode(parts);
}

/**
 * `then` when the condition holds, else `otherwise`; e.g. choosing between
 * `imageRef` and `filter` for an OpenStack image.
 */
export function when(condition: Condition, then: TemplateValue, otherwise?: TemplateValue): TemplateNode {
  return new WhenNode(condition, then, otherwise);
}

/** A JSON array with one element per item of a list variable. */
export function each<T>(list: Expr<readonly T[]>, body: (item: Expr<T>) => TemplateValue): TemplateNode {
  return new EachNode(list, body);
}

/** Renders a template value into the Go template string of `valueFrom.template`. */
export function renderValueTemplate(value: TemplateValue): string {
  return renderValue(value, ROOT_CONTEXT, 0);
}

/** The variables and builtins a template value reads. */
export function templateDependencies(value: TemplateValue): DependencyCollector {
  const collector = new DependencyCollector();
  collectValue(value, collector);
  return collector;
}

function renderValue(value: TemplateValue, ctx: RenderContext, depth: number): string {
  if (value instanceof Expr) return `{{ ${value.render(ctx)} | toJson }}`;
  if (value instanceof TemplateNode) return value.render(ctx, depth);
  if (value === null || typeof value !== 'object') return escapeGoTemplate(JSON.stringify(value));
  if (isArray(value)) return `[${value.map((v) => renderValue(v, ctx, depth)).join(',')}]`;
  const entries = Object.entries(value).map(([k, v]) => `${escapeGoTemplate(JSON.stringify(k))}:${renderValue(v, ctx, depth)}`);
  return `{${entries.join(',')}}`;
}

function collectValue(value: TemplateValue, into: DependencyCollector): void {
  if (value instanceof Expr) into.add(value);
  else if (value instanceof TemplateNode) value.collect(into);
  else if (value !== null && typeof value === 'object') {
    for (const v of isArray(value) ? value : Object.values(value)) collectValue(v, into);
  }
}

function isArray(value: unknown): value is readonly TemplateValue[] {
  return Array.isArray(value);
}
