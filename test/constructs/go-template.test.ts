import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeGoTemplate, goStringLiteral, unescapeGoTemplate } from '../../constructs/go-template.ts';

/**
 * Decodes a Go interpreted string literal (`"…"`) at `start`, the way Go's
 * text/template lexer and strconv.Unquote do for the escapes below; returns
 * the value and the index after the closing quote. Surrogate halves in \u
 * escapes are refused, as in Go.
 */
function readGoString(text: string, start: number): { value: string; end: number } {
  if (text[start] !== '"') throw new Error(`expected '"' at ${start}`);
  let value = '';
  let i = start + 1;
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return { value, end: i + 1 };
    if (c === '\n') throw new Error(`newline in string literal at ${i}`);
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e !== undefined && e in simple) {
      value += simple[e];
      i += 2;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      const code = parseInt(text.slice(i + 2, i + 6), 16);
      if (code >= 0xd800 && code <= 0xdfff) throw new Error(`surrogate half \\u${text.slice(i + 2, i + 6)} is not a valid Go escape`);
      value += String.fromCharCode(code);
      i += 6;
    } else {
      throw new Error(`unknown escape \\${e} at ${i}`);
    }
  }
  throw new Error('unterminated string literal');
}

/**
 * A reference renderer for escaped text: copies text up to each `{{` and
 * evaluates the action there, which must be exactly one Go string literal
 * without trim markers (the only action escaping may produce).
 */
function renderEscaped(template: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const open = template.indexOf('{{', i);
    if (open < 0) return out + template.slice(i);
    out += template.slice(i, open);
    const literal = readGoString(template, open + 2);
    if (template.slice(literal.end, literal.end + 2) !== '}}') throw new Error(`action at ${open} is not a single string literal: ${template.slice(open, open + 20)}`);
    out += literal.value;
    i = literal.end + 2;
  }
}

const braceHeavy = fc.string({ unit: fc.constantFrom('{', '}', '{{', '}}', '"', '\\', '-', ' ', '/*', 'a'), maxLength: 60 });
const wellFormed = (s: string) => !/\p{Cs}/u.test(s);

describe('escapeGoTemplate', () => {
  it('turns every {{ into an action printing {{', () => {
    expect(escapeGoTemplate('a {{ .b }} c')).toBe('a {{"{{"}} .b }} c');
    expect(escapeGoTemplate('{{- trim -}}')).toBe('{{"{{"}}- trim -}}');
    expect(escapeGoTemplate('{{/* comment */}}')).toBe('{{"{{"}}/* comment */}}');
  });

  it('pairs braces from the left and leaves odd braces as text', () => {
    expect(escapeGoTemplate('{{{')).toBe('{{"{{"}}{');
    expect(escapeGoTemplate('{{{{')).toBe('{{"{{"}}{{"{{"}}');
    expect(escapeGoTemplate('{ a }')).toBe('{ a }');
  });

  it('leaves }} and text without {{ unchanged', () => {
    expect(escapeGoTemplate('}}')).toBe('}}');
    expect(escapeGoTemplate('')).toBe('');
    expect(escapeGoTemplate('key: {a: 1}\n  - }')).toBe('key: {a: 1}\n  - }');
  });

  it('renders back to the input (reference renderer)', () => {
    for (const text of ['{{ local_hostname }}', 'openstack:///{{ instance_id }}', '{{{"}}"}}}', 'x{{', '{{"{{"}}']) {
      expect(renderEscaped(escapeGoTemplate(text))).toBe(text);
    }
  });

  it('the reference renderer refuses unescaped actions (so the properties can fail)', () => {
    expect(() => renderEscaped('a {{ .b }}')).toThrow("expected '\"'");
    expect(() => renderEscaped('{{- "x" }}')).toThrow("expected '\"'");
    expect(() => renderEscaped('{{"{{" | print}}')).toThrow('is not a single string literal');
  });

  it('round-trips arbitrary strings full of braces (property)', () => {
    fc.assert(
      fc.property(braceHeavy, (text) => {
        expect(renderEscaped(escapeGoTemplate(text))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips arbitrary unicode strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(renderEscaped(escapeGoTemplate(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('never leaves a {{ that is not the escape action (property)', () => {
    fc.assert(
      fc.property(braceHeavy, (text) => {
        const escaped = escapeGoTemplate(text);
        for (let i = escaped.indexOf('{{'); i >= 0; i = escaped.indexOf('{{', i + '{{"{{"}}'.length)) {
          expect(escaped.slice(i, i + 8)).toBe('{{"{{"}}');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('renders twice-escaped text as the once-escaped text', () => {
    const once = escapeGoTemplate('{{ x }}');
    expect(renderEscaped(escapeGoTemplate(once))).toBe(once);
  });
});

describe('unescapeGoTemplate', () => {
  it('reads escaped text back', () => {
    expect(unescapeGoTemplate('a {{"{{"}} .b }} c')).toBe('a {{ .b }} c');
    expect(unescapeGoTemplate('{{"{{"}}{')).toBe('{{{');
  });

  it('inverts escapeGoTemplate for arbitrary strings, including escape-like text (property)', () => {
    const escapeLike = fc.string({ unit: fc.constantFrom('{{"{{"}}', '{', '}', '"', 'a'), maxLength: 30 });
    fc.assert(
      fc.property(fc.oneof(braceHeavy, escapeLike), (text) => {
        expect(unescapeGoTemplate(escapeGoTemplate(text))).toBe(text);
        expect(unescapeGoTemplate(escapeGoTemplate(text))).toBe(renderEscaped(escapeGoTemplate(text)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('goStringLiteral', () => {
  it('quotes like Go, escaping quotes, backslashes and control characters', () => {
    expect(goStringLiteral('plain')).toBe('"plain"');
    expect(goStringLiteral('say "hi"')).toBe('"say \\"hi\\""');
    expect(goStringLiteral('C:\\dir')).toBe('"C:\\\\dir"');
    expect(goStringLiteral('a\nb\tc\r')).toBe('"a\\nb\\tc\\r"');
    expect(goStringLiteral('\u0001')).toBe('"\\u0001"');
    expect(goStringLiteral('ünï 😀')).toBe('"ünï 😀"');
  });

  it('fails when the string has a lone surrogate, which Go cannot parse', () => {
    expect(() => goStringLiteral('a\ud800b')).toThrow('contains a lone UTF-16 surrogate and cannot be written in a Go template');
    expect(() => goStringLiteral('\udc00')).toThrow('lone UTF-16 surrogate');
    expect(goStringLiteral('\ud83d\ude00')).toBe('"😀"');
  });

  it('decodes as a Go literal back to any well-formed string (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), braceHeavy).filter(wellFormed), (text) => {
        const literal = goStringLiteral(text);
        expect(literal).not.toMatch(/[\n\r]/);
        const decoded = readGoString(literal, 0);
        expect(decoded.end).toBe(literal.length);
        expect(decoded.value).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
