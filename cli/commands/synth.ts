import { join } from 'node:path';
import { clusterStackName, type ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { assertOutputFolder, replaceSubtrees, replaceTree } from '../../lib/bytes/atomic-write.ts';
import { readRecord } from '../../lib/release/version-record.ts';
import { bundleHashes, COMPONENTS } from '../../lib/release/content-hash.ts';
import { bundleTree, INITIAL_VERSIONS, synthesize, type Bundle } from '../../lib/pipeline/synth.ts';
import { validateBundles } from '../../lib/pipeline/validate.ts';
import { assertOutputDirFor, bundlesForClusterApi, DEFAULT_CLUSTER_API_VERSION, type ClusterApiVersion } from './synth-v1beta2.ts';

export interface SynthCommandOptions {
  readonly root: string;
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  /** @default <root>/dist */
  readonly outDir?: string;
  readonly filter?: (id: ClusterStackIdentity) => boolean;
  /** Validate only; write nothing. @default false */
  readonly dryRun?: boolean;
  /** Cluster API version of the ClusterClass and its templates. @default 'v1beta1' */
  readonly clusterApi?: ClusterApiVersion;
}

export interface SynthResult {
  readonly bundles: readonly Bundle[];
  /** Bundles whose content changed since their recorded version, one message each. */
  readonly unversionedChanges: readonly string[];
}

/**
 * Synthesizes stacks at the versions in their records, validates every
 * object, and replaces dist/ (or only the selected bundle folders)
 * atomically. The output folder must be new, empty or earlier synth output
 * (lib/bytes/atomic-write.ts); anything else is refused before it is touched. It never bumps a version: content that changed since the
 * record is reported, and `release` gives it a new version.
 */
export function synthCommand(options: SynthCommandOptions): SynthResult {
  const clusterApi = options.clusterApi ?? DEFAULT_CLUSTER_API_VERSION;
  const outDir = options.outDir ?? join(options.root, 'dist');
  // Refused before seconds of synthesis; the output folder is checked again when writing.
  if (!options.dryRun) {
    assertOutputDirFor(clusterApi, outDir, join(options.root, 'dist'));
    assertOutputFolder(outDir, 'synth');
  }
  const records = new Map<string, ReturnType<typeof readRecord>>();
  const recordOf = (id: ClusterStackIdentity) => {
    const name = clusterStackName(id);
    if (!records.has(name)) records.set(name, readRecord(options.root, id));
    return records.get(name);
  };
  const bundles = synthesize(options.definitions, {
    ...(options.filter ? { filter: options.filter } : {}),
    versionsFor: (id) => recordOf(id)?.versions ?? INITIAL_VERSIONS,
  });
  const problems = validateBundles(bundles);
  if (problems.length > 0) throw new Error(`${problems.length} schema violation(s):\n  ${problems.join('\n  ')}`);
  const output = bundlesForClusterApi(clusterApi, bundles);

  const unversionedChanges: string[] = [];
  for (const b of bundles) {
    const record = recordOf(b.identity);
    const current = bundleHashes(b);
    if (!record) {
      unversionedChanges.push(`${b.path}: never released; \`release\` gives it its first version`);
      continue;
    }
    const changed = COMPONENTS.filter((c) => record.hashes[c] !== current[c]);
    if (changed.length > 0) unversionedChanges.push(`${b.path}: ${changed.join(', ')} changed since ${record.versions.clusterStack.toString()}; \`release\` gives it a new version`);
  }

  if (!options.dryRun) {
    if (options.filter) {
      replaceSubtrees(outDir, 'synth', output.map((b) => ({ path: b.path, files: b.files })));
    } else {
      replaceTree(outDir, bundleTree(output), 'synth');
    }
  }
  return { bundles: output, unversionedChanges };
}
