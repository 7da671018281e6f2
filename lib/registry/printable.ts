/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts
 * ANSI/OSC sequences, CR rewrites the line, BS erases), DEL, C1 controls
 * (U+009B is a one-character CSI on many terminals), the line and paragraph
 * separators, and the bidirectional formatting characters that make text
 * read differently from what it is ("Trojan Source").
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text that came from a registry (error bodies, tags, layer titles, media
 * types, header values) as it may be printed: every character a terminal
 * would interpret is shown as an escape (`\x1b`, `\n`, `\u202e`), so no
 * escape sequence from a registry reaches the user's terminal. The one
 * function for this: every remote string goes through it before it is put
 * into a message or an output line.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/** Whether `text` prints as itself (nothing for `printable` to escape). */
export function isPrintable(text: string): boolean {
  return !new RegExp(UNPRINTABLE.source).test(text);
}

/**
 * JSON for a terminal: `JSON.stringify` escapes C0 controls, but leaves DEL,
 * C1 controls and the bidi characters raw; those become `\uXXXX` escapes,
 * which read back as the same JSON value.
 */
export function printableJson(value: unknown, space = 2): string {
  // A raw line feed is the layout's own (strings have theirs escaped already).
  return JSON.stringify(value, null, space).replace(UNPRINTABLE, (c) => (c === '\n' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
