/**
 * A small document model that both the Markdown and the HTML renderers
 * read, so a page is assembled once and the two renderings cannot drift
 * apart. It has only what the generated pages need.
 */

/** A link target: the same for both renderings, or one per rendering (a page exists as `.md` and `.html`). */
export type Href = string | { readonly markdown: string; readonly html: string };

export type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'strong'; readonly content: readonly Inline[] }
  | { readonly kind: 'link'; readonly content: readonly Inline[]; readonly href: Href }
  | { readonly kind: 'break' };

export interface TableRow {
  readonly cells: readonly (readonly Inline[])[];
  /** Nesting level shown as indentation in HTML (Markdown shows the dotted name only). @default 0 */
  readonly depth?: number;
}

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3 | 4; readonly content: readonly Inline[]; readonly id?: string }
  | { readonly kind: 'paragraph'; readonly content: readonly Inline[] }
  | { readonly kind: 'list'; readonly items: readonly (readonly Inline[])[] }
  | {
    readonly kind: 'table';
    readonly header: readonly string[];
    readonly rows: readonly TableRow[];
    readonly id?: string;
    /** Column widths in percent for HTML, which then lays the table out to the page width; Markdown ignores them. @default - sized by content */
    readonly widths?: readonly number[];
  }
  | { readonly kind: 'code'; readonly language: string; readonly text: string }
  | { readonly kind: 'details'; readonly summary: string; readonly blocks: readonly Block[] }
  | { readonly kind: 'comment'; readonly text: string };

export interface Doc {
  /** The `<title>` of the HTML rendering; Markdown shows the first heading. */
  readonly title: string;
  readonly blocks: readonly Block[];
}

export const text = (value: string): Inline => ({ kind: 'text', text: value });
export const code = (value: string): Inline => ({ kind: 'code', text: value });
export const strong = (...content: Inline[]): Inline => ({ kind: 'strong', content });
export const link = (content: Inline | readonly Inline[], href: Href): Inline => ({ kind: 'link', content: Array.isArray(content) ? content : [content as Inline], href });
export const lineBreak: Inline = { kind: 'break' };

export const heading = (level: 1 | 2 | 3 | 4, content: string | readonly Inline[], id?: string): Block => ({
  kind: 'heading',
  level,
  content: typeof content === 'string' ? [text(content)] : content,
  ...(id === undefined ? {} : { id }),
});
export const paragraph = (...content: Inline[]): Block => ({ kind: 'paragraph', content });

/** Inline parts joined by a separator, e.g. code spans joined by `, `. */
export function joinInline(parts: readonly (readonly Inline[])[], separator: Inline[] = [text(', ')]): Inline[] {
  return parts.flatMap((p, i) => (i === 0 ? [...p] : [...separator, ...p]));
}

/** Text with its line breaks kept as explicit breaks (descriptions are often several lines). */
export function multiline(value: string): Inline[] {
  return joinInline(value.split('\n').map((line) => [text(line)]), [lineBreak]);
}

/** Lower-case, `-`-separated id for headings, stable for the same text. */
export function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}
