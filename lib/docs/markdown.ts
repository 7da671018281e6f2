import type { Block, Doc, Href, Inline } from './model.ts';

/**
 * Renders a document as GitHub-flavoured Markdown. Text is escaped so that
 * descriptions with `*`, `_`, `<name>` or `|` show literally; line breaks
 * become `<br>` so a description stays inside its table cell.
 */
export function renderMarkdown(doc: Doc): string {
  return `${doc.blocks.map((b) => renderBlock(b)).join('\n\n')}\n`;
}

// Every ASCII punctuation character may be backslash-escaped in CommonMark;
// these are the ones that would otherwise start emphasis, links, HTML,
// tables, strikethrough or entities inside running text.
const INLINE_SPECIAL = /[\\`*_[\]<>|~&]/g;

export function escapeMarkdownText(value: string): string {
  return value.replace(INLINE_SPECIAL, (c) => `\\${c}`);
}

/** Characters that start a block (heading, list, quote) at the beginning of a line. */
function escapeLineStart(rendered: string): string {
  return rendered.replace(/^(\s*)([#+\-=>]|\d+[.)])/, (_m, space: string, marker: string) => `${space}${marker.replace(/^([#+\-=>])|([.)])$/, (c) => `\\${c}`)}`);
}

function codeSpan(value: string, inTable: boolean): string {
  const flat = value.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '') ? ' ' : '';
  const body = inTable ? flat.replace(/\|/g, '\\|') : flat;
  return `${fence}${pad}${body}${pad}${fence}`;
}

function hrefOf(href: Href): string {
  const raw = typeof href === 'string' ? href : href.markdown;
  return raw.replace(/[ ()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function renderInline(parts: readonly Inline[], inTable: boolean): string {
  return parts.map((p) => {
    switch (p.kind) {
      case 'text': return escapeMarkdownText(p.text);
      case 'code': return codeSpan(p.text, inTable);
      case 'strong': return `**${renderInline(p.content, inTable)}**`;
      case 'link': return `[${renderInline(p.content, inTable)}](${hrefOf(p.href)})`;
      case 'break': return '<br>';
    }
  }).join('');
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${renderInline(block.content, false)}`;
    case 'paragraph':
      return escapeLineStart(renderInline(block.content, false));
    case 'list':
      return block.items.map((item) => `- ${renderInline(item, false)}`).join('\n');
    case 'table': {
      const header = `| ${block.header.map((h) => escapeMarkdownText(h)).join(' | ')} |`;
      const rule = `|${block.header.map(() => '---').join('|')}|`;
      const rows = block.rows.map((r) => {
        if (r.cells.length !== block.header.length) throw new Error(`table row has ${r.cells.length} cells; expected ${block.header.length}`);
        return `| ${r.cells.map((c) => renderInline(c, true)).join(' | ')} |`;
      });
      return [header, rule, ...rows].join('\n');
    }
    case 'code': {
      const longest = Math.max(0, ...[...block.text.matchAll(/^ {0,3}(`{3,})/gm)].map((m) => m[1].length));
      const fence = '`'.repeat(Math.max(3, longest + 1));
      return `${fence}${block.language}\n${block.text.replace(/\n$/, '')}\n${fence}`;
    }
    case 'details':
      return [`<details>\n<summary>${escapeHtml(block.summary)}</summary>`, ...block.blocks.map((b) => renderBlock(b)), '</details>'].join('\n\n');
    case 'comment':
      return `<!-- ${block.text.replace(/--/g, '- -')} -->`;
  }
}
