/**
 * One synthesis worker (cli/commands/synth-parallel.ts): loads the
 * definitions, synthesizes its share of the bundles, validates and renders
 * them, posts the files and hashes, then raises its flag.
 */
import { join } from 'node:path';
import { workerData, type MessagePort } from 'node:worker_threads';
import { writeStagedFiles } from '../../lib/bytes/atomic-write.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { StackVersion } from '../../constructs/stack-version.ts';
import { synthesize } from '../../lib/pipeline/synth.ts';
import { validateBundles } from '../../lib/pipeline/validate.ts';
import { bundleHashes } from '../../lib/release/content-hash.ts';
import type { WorkerReply, WorkerRequest } from './synth-parallel.ts';
import { bundlesForClusterApi } from './synth-v1beta2.ts';

const { request, port, done, index } = workerData as { request: WorkerRequest; port: MessagePort; done: Int32Array; index: number };

let reply: WorkerReply;
try {
  const { STACKS } = (await import(request.definitionsModule)) as { STACKS: readonly ClusterStackDefinition<StackVersionsRow>[] };
  const pathOf = (id: { provider: string; stack: string; kubernetes: { minorSlug: string } }) => `${id.provider}/${id.stack}/${id.kubernetes.minorSlug}`;
  const bundles = synthesize(STACKS, {
    filter: (id) => pathOf(id) in request.bundles,
    versionsFor: (id) => {
      const v = request.bundles[pathOf(id)];
      return { clusterStack: StackVersion.parse(v.clusterStack), clusterAddon: StackVersion.parse(v.clusterAddon), nodeImage: StackVersion.parse(v.nodeImage) };
    },
  });
  const problems = validateBundles(bundles);
  const hashes = bundles.map((b) => bundleHashes(b));
  const output = problems.length > 0 ? [] : bundlesForClusterApi(request.clusterApi, bundles);
  const staged = request.staged;
  if (staged) for (const b of output) writeStagedFiles(join(staged.staging, b.path), b.files, join(staged.outputFolder, b.path));
  reply = { bundles: output.map((b, i) => ({ path: b.path, files: staged ? [] : b.files.map((f) => ({ path: f.path, content: f.content })), hashes: hashes[i] })), problems };
} catch (e) {
  reply = { error: (e as Error).message };
}
port.postMessage(reply);
Atomics.store(done, index, 1);
Atomics.notify(done, index);
