import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import type { TreeFile } from '../bytes/atomic-write.ts';
import { describeBundle } from '../overlay/conformance.ts';
import { readRecord } from '../release/version-record.ts';
import { INITIAL_VERSIONS, synthesize, type Bundle } from '../pipeline/synth.ts';
import { readBundleContent } from './bundle-content.ts';
import { catalog, type CatalogEntry } from './catalog.ts';
import { releaseHistory, type GitHistory, type ReleaseHistory } from './history.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { pageBase, stackPage } from './stack-page.ts';
import { upgradeDocs } from './upgrade-docs.ts';
import type { UpgradeSectionInput } from './upgrade-section.ts';

/** Catalog files at the root of docs/. */
export const CATALOG_FILES = { markdown: 'README.md', html: 'index.html' } as const;

export interface DocsSource {
  readonly bundle: Bundle;
  readonly description: string;
  readonly history: ReleaseHistory;
  /** The upgrade paths into this bundle and how to move a Cluster to it. */
  readonly upgrade?: UpgradeSectionInput;
}

export interface CollectOptions {
  readonly root: string;
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  readonly filter?: (id: ClusterStackIdentity) => boolean;
  /** Where release history comes from; undefined: no git, current state only. */
  readonly history: GitHistory | undefined;
}

/**
 * Synthesizes every (selected) stack × minor at the versions in its record,
 * as `synth` does for dist/, and reads each record's history.
 */
export function collectDocsSources(options: CollectOptions): DocsSource[] {
  const bundles = synthesize(options.definitions, {
    ...(options.filter ? { filter: options.filter } : {}),
    versionsFor: (id) => readRecord(options.root, id)?.versions ?? INITIAL_VERSIONS,
  });
  return bundles.map((bundle) => {
    const definition = options.definitions.find((d) => d.provider === bundle.identity.provider && d.stack === bundle.identity.stack);
    return {
      bundle,
      // An overlay's description carries its conformance to the base and its waivers.
      description: definition ? describeBundle(definition, bundle.identity) : '',
      history: releaseHistory(options.root, bundle.identity, options.history),
      upgrade: upgradeDocs(options.root, bundle, bundles, options.history !== undefined),
    };
  });
}

/** The Markdown and HTML page of each source, paths relative to docs/. */
export function pageFiles(sources: readonly DocsSource[]): TreeFile[] {
  return sources.flatMap((s) => {
    const content = readBundleContent(s.bundle);
    const page = stackPage({ content, description: s.description, history: s.history, ...(s.upgrade ? { upgrade: s.upgrade } : {}) });
    const base = pageBase(content);
    return [
      { path: `${base}.md`, content: renderMarkdown(page) },
      { path: `${base}.html`, content: renderHtml(page) },
    ];
  });
}

/** docs/README.md and docs/index.html over all sources. */
export function catalogFiles(sources: readonly DocsSource[]): TreeFile[] {
  const entries: CatalogEntry[] = sources.map((s) => ({ content: readBundleContent(s.bundle), description: s.description, history: s.history }));
  return [
    { path: CATALOG_FILES.markdown, content: renderMarkdown(catalog(entries, 'markdown')) },
    { path: CATALOG_FILES.html, content: renderHtml(catalog(entries, 'html')) },
  ];
}

/** The whole docs/ tree: every page and the catalog, sorted by path. Pure given its sources. */
export function docsTree(sources: readonly DocsSource[]): TreeFile[] {
  return [...pageFiles(sources), ...catalogFiles(sources)].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
