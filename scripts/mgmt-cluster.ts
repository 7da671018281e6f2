/**
 * The supervisor of the management cluster (test/mgmt/support/management-cluster.ts):
 * starts everything from the binaries scripts/mgmt-tools.sh reported
 * (--tools), writes <state>/ready.json, and stops everything on SIGTERM or
 * SIGINT.
 * Run by scripts/mgmt-cluster.sh inside a private network namespace; not
 * meant to be called directly.
 *
 *   tsx scripts/mgmt-cluster.ts --state DIR --tools FILE [--workloads N]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagementCluster, type MgmtTools } from '../test/mgmt/support/management-cluster.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => {
  process.stderr.write(`mgmt-cluster: ${line}\n`);
};

/** The name=path lines scripts/mgmt-tools.sh printed (run before entering the namespace: it needs the network). */
function readTools(file: string): MgmtTools {
  const text = readFileSync(file, 'utf8');
  const paths = new Map(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
  const need = (name: string): string => {
    const p = paths.get(name);
    if (!p || !existsSync(p)) throw new Error(`${file}: scripts/mgmt-tools.sh reported no ${name}`);
    return p;
  };
  return {
    etcd: need('etcd'),
    kubeApiserver: need('kube-apiserver'),
    kubectl: need('kubectl'),
    capiManager: need('capi-manager'),
    capiKubeadmBootstrapManager: need('capi-kubeadm-bootstrap-manager'),
    capiKubeadmControlPlaneManager: need('capi-kubeadm-control-plane-manager'),
    caaphManager: need('caaph-manager'),
    capiSource: need('capi-source'),
    caaphSource: need('caaph-source'),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const state = option('--state');
  const toolsFile = option('--tools');
  if (!state || !toolsFile) {
    log('usage: tsx scripts/mgmt-cluster.ts --state DIR --tools FILE [--workloads N]  (use scripts/mgmt-cluster.sh)');
    process.exit(2);
  }
  const started = performance.now();
  const tools = readTools(toolsFile);
  const workloads = Number(option('--workloads') ?? '0');
  if (!Number.isInteger(workloads) || workloads < 0 || workloads > 9) {
    log(`--workloads: expected a number from 0 to 9, got '${String(option('--workloads'))}'`);
    process.exit(2);
  }
  const cluster = new ManagementCluster({ root, stateDir: resolve(state), tools, workloads, log });
  let stopping: Promise<void> | undefined;
  const stop = (signal: string): void => {
    if (stopping) return;
    log(`${signal}: stopping`);
    const t = performance.now();
    stopping = cluster.stop().then(() => {
      log(`phase teardown: ${((performance.now() - t) / 1000).toFixed(1)} s`);
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await cluster.start();
  log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s (${join(resolve(state), 'ready.json')})`);
  // Stay up until signalled.
  setInterval(() => undefined, 1 << 30);
}

main().catch((e: unknown) => {
  log(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
