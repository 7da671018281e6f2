import { resolve } from 'node:path';
import yaml from 'js-yaml';
import type { JSONSchemaProps } from '../../../lib/pipeline/crd-schema.ts';
import { collectDocsSources, type DocsSource } from '../../../lib/docs/generate.ts';
import { gitHistory } from '../../../lib/docs/history.ts';
import type { Bundle } from '../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../stacks/index.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const DOCS = resolve(ROOT, 'docs');

/** Every stack × minor at its recorded versions, with its git history: what `npm run docs` documents. */
export function shippedSources(): DocsSource[] {
  return collectDocsSources({ root: ROOT, definitions: STACKS, history: gitHistory(ROOT) });
}

export interface ClassVariable {
  readonly name: string;
  readonly required: boolean;
  readonly schema: { readonly openAPIV3Schema: JSONSchemaProps };
}

/**
 * The ClusterClass variables straight from the bundle's cluster-class.yaml,
 * read here independently of lib/docs so the tests do not check the docs
 * against themselves.
 */
export function classVariables(bundle: Bundle): ClassVariable[] {
  const file = bundle.files.find((f) => f.path === 'cluster-class.yaml');
  if (!file) throw new Error(`${bundle.path}: no cluster-class.yaml`);
  const docs = yaml.loadAll(file.content) as { kind?: string; spec?: { variables?: ClassVariable[] } }[];
  const cc = docs.find((d) => d.kind === 'ClusterClass');
  if (!cc) throw new Error(`${bundle.path}: no ClusterClass`);
  return cc.spec?.variables ?? [];
}

/** The body of the first fenced block of `language` after the heading `## <section>` in a Markdown page. */
export function fencedBlockAfter(markdown: string, section: string, language: string): string {
  const start = markdown.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`no section '${section}'`);
  const m = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(markdown.slice(start));
  if (!m) throw new Error(`no \`\`\`${language} block in section '${section}'`);
  return m[1];
}

/** The cells of each row of the first table after `## <section>`, split on unescaped `|`. */
export function tableAfter(markdown: string, section: string): string[][] {
  const start = markdown.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`no section '${section}'`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('| '));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

/** A bundle whose ClusterClass and templates (in its model) went through `edit`. */
export function withClusterClass(bundle: Bundle, edit: (docs: Record<string, unknown>[]) => void): Bundle {
  const { clusterClass } = bundle.model;
  const docs = structuredClone([clusterClass.object, ...clusterClass.templates]) as Record<string, unknown>[];
  edit(docs);
  const [object, ...templates] = docs;
  return { ...bundle, model: { ...bundle.model, clusterClass: { ...clusterClass, object, templates } } };
}
