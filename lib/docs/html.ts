import type { Block, Doc, Href, Inline } from './model.ts';

/**
 * Renders a document as one self-contained HTML page: inline CSS, no
 * scripts, no fonts or images from anywhere, so the page works from a file
 * system, a static web server or an air-gapped mirror alike.
 */
export function renderHtml(doc: Doc): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...doc.blocks.map((b) => renderBlock(b)),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function hrefOf(href: Href): string {
  return typeof href === 'string' ? href : href.html;
}

function renderInline(parts: readonly Inline[]): string {
  return parts.map((p) => {
    switch (p.kind) {
      case 'text': return escapeHtml(p.text);
      case 'code': return `<code>${escapeHtml(p.text)}</code>`;
      case 'strong': return `<strong>${renderInline(p.content)}</strong>`;
      case 'link': return `<a href="${escapeHtml(hrefOf(p.href))}">${renderInline(p.content)}</a>`;
      case 'break': return '<br>';
    }
  }).join('');
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'heading': {
      const id = block.id === undefined ? '' : ` id="${escapeHtml(block.id)}"`;
      return `<h${block.level}${id}>${renderInline(block.content)}</h${block.level}>`;
    }
    case 'paragraph':
      return `<p>${renderInline(block.content)}</p>`;
    case 'list':
      return `<ul>\n${block.items.map((i) => `<li>${renderInline(i)}</li>`).join('\n')}\n</ul>`;
    case 'table': {
      const id = block.id === undefined ? '' : ` id="${escapeHtml(block.id)}"`;
      const head = `<thead><tr>${block.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
      const rows = block.rows.map((r) => {
        const depth = r.depth ?? 0;
        const cls = depth > 0 ? ` class="depth-${Math.min(depth, 4)}"` : '';
        return `<tr${cls}>${r.cells.map((c) => `<td>${renderInline(c)}</td>`).join('')}</tr>`;
      });
      if (block.widths !== undefined && block.widths.length !== block.header.length) throw new Error(`table has ${block.header.length} columns but ${block.widths.length} widths`);
      const cols = block.widths === undefined ? '' : `\n<colgroup>${block.widths.map((w) => `<col style="width:${w}%">`).join('')}</colgroup>`;
      const cls = block.widths === undefined ? '' : ' class="fixed"';
      return `<div class="table"><table${id}${cls}>${cols}\n${head}\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
    }
    case 'code':
      return `<pre><code class="language-${escapeHtml(block.language)}">${escapeHtml(block.text.replace(/\n$/, ''))}</code></pre>`;
    case 'details':
      return `<details>\n<summary>${escapeHtml(block.summary)}</summary>\n${block.blocks.map((b) => renderBlock(b)).join('\n')}\n</details>`;
    case 'comment':
      return `<!-- ${escapeHtml(block.text).replace(/--/g, '- -')} -->`;
  }
}

// System fonts only: nothing is loaded from the network.
const STYLE = [
  ':root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--code:#f6f8fa;--accent:#0969da}',
  '@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--line:#3d444d;--code:#151b23;--accent:#4493f8}}',
  'body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}',
  'main{max-width:1400px;margin:0 auto;padding:24px 32px 64px}',
  'h1{font-size:1.8em;border-bottom:1px solid var(--line);padding-bottom:.3em}',
  'h2{font-size:1.4em;border-bottom:1px solid var(--line);padding-bottom:.3em;margin-top:2em}',
  'h3{font-size:1.15em;margin-top:1.6em}h4{font-size:1em;margin-top:1.4em}',
  'a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}',
  'code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}',
  'code{background:var(--code);padding:.1em .35em;border-radius:4px;overflow-wrap:break-word}',
  'pre{background:var(--code);padding:12px 16px;border-radius:6px;overflow-x:auto}pre code{padding:0;background:none;overflow-wrap:normal}',
  'div.table{overflow-x:auto;margin:12px 0}',
  'table{border-collapse:collapse;font-size:14px}th,td{border:1px solid var(--line);padding:5px 9px;text-align:left;vertical-align:top}',
  'th{background:var(--code);white-space:nowrap}tbody tr:nth-child(even){background:color-mix(in srgb,var(--code) 55%,transparent)}',
  'tr.depth-1 td:first-child{padding-left:26px}tr.depth-2 td:first-child{padding-left:44px}tr.depth-3 td:first-child,tr.depth-4 td:first-child{padding-left:62px}',
  'details{margin:8px 0}summary{cursor:pointer;color:var(--muted)}',
  'h1 code,h2 code,h3 code,h4 code{font-size:.9em;padding:.05em .3em}',
  'table.fixed{table-layout:fixed;width:100%}table.fixed th{white-space:normal}',
  // Fixed columns must not overflow: long identifiers and URLs break where needed, words stay whole where they fit.
  'table.fixed code,#node-images-table a{overflow-wrap:anywhere}table.fixed a code{overflow-wrap:normal}',
].join('\n');
