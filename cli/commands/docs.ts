import { join } from 'node:path';
import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { assertOutputFolder, replaceOutputFiles, replaceTree } from '../../lib/bytes/atomic-write.ts';
import { collectDocsSources, docsTree, pageFiles } from '../../lib/docs/generate.ts';
import { gitHistory, type GitHistory } from '../../lib/docs/history.ts';

export interface DocsCommandOptions {
  readonly root: string;
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  /** @default <root>/docs */
  readonly outDir?: string;
  /** Only these stacks × minors; the catalog is then left as it is. @default all, catalog included */
  readonly filter?: (id: ClusterStackIdentity) => boolean;
  /** Release history source. @default the git repository at root, if there is one */
  readonly history?: GitHistory | 'none';
  /** Generate, write nothing. @default false */
  readonly dryRun?: boolean;
}

export interface DocsResult {
  readonly outDir: string;
  /** Written (or, with dryRun, generated) files, relative to outDir. */
  readonly files: readonly string[];
  readonly pages: number;
  /** Whether README.md and index.html were (re)generated. */
  readonly catalog: boolean;
}

/**
 * Generates the docs from a fresh synthesis at the recorded versions.
 * Without a filter, docs/ is replaced as a whole (atomically, so a failure
 * leaves the old tree). With a filter only the selected pages are replaced,
 * each file atomically, and the catalog is left alone: it describes every
 * stack, which a filtered run has not synthesized. The output folder must
 * be new, empty or earlier docs output (lib/bytes/atomic-write.ts).
 */
export function docsCommand(options: DocsCommandOptions): DocsResult {
  const outDir = options.outDir ?? join(options.root, 'docs');
  if (!options.dryRun) assertOutputFolder(outDir, 'docs');
  const history = options.history === 'none' ? undefined : options.history ?? gitHistory(options.root);
  const sources = collectDocsSources({ root: options.root, definitions: options.definitions, history, ...(options.filter ? { filter: options.filter } : {}) });
  const files = options.filter ? pageFiles(sources) : docsTree(sources);
  if (!options.dryRun) {
    if (options.filter) {
      replaceOutputFiles(outDir, 'docs', files);
    } else {
      replaceTree(outDir, files, 'docs');
    }
  }
  return { outDir, files: files.map((f) => f.path), pages: sources.length, catalog: !options.filter };
}
