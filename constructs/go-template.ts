/**
 * Makes literal text safe to embed in a Go template (Helm's and Cluster API's
 * both use text/template): every `{{` becomes an action that prints `{{`.
 *
 * Only the opening delimiter needs escaping: outside an action `}}` is plain
 * text. The replacement action carries no trim markers, so surrounding
 * whitespace is kept byte for byte and rendering returns the input verbatim.
 */
export function escapeGoTemplate(text: string): string {
  return text.replace(/\{\{/g, '{{"{{"}}');
}

/** The inverse of escapeGoTemplate, for reading escaped text back (e.g. from a released chart). */
export function unescapeGoTemplate(text: string): string {
  return text.split('{{"{{"}}').join('{{');
}

/**
 * Quotes a string as a Go template string literal. JSON string syntax is a
 * subset of Go's interpreted string literal syntax for the characters
 * JSON.stringify emits, so the JSON encoding is a valid Go literal.
 */
export function goStringLiteral(value: string): string {
  // A lone surrogate has no UTF-8 encoding; JSON.stringify would write a
  // \ud800 escape that Go's template parser rejects.
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) {
    throw new Error(`string ${JSON.stringify(value)} contains a lone UTF-16 surrogate and cannot be written in a Go template`);
  }
  return JSON.stringify(value);
}
