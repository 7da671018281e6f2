/**
 * The tools the bench compares with: `helm package` (built by
 * scripts/e2e-tools.sh into .cache/) and csctl (named by $CSCTL_BIN, built
 * beside the project; see the README, "Benchmark").
 *
 * csctl reads a cluster-stacks source folder (csctl.yaml, cluster-class/
 * Helm chart, cluster-addon/, clusteraddon.yaml, node-image/), templates
 * `<< .ClusterClassVersion >>` style tags, hashes it, and packages it: no
 * synthesis, no validation. Its input is made from our own release folder
 * of the same bundle (its archives unpacked), so both tools package the same
 * files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** helm from `scripts/e2e-tools.sh helm` (cached after the first build), or why not. */
export function helmBinary(root: string): { readonly path: string } | { readonly reason: string } {
  const tools = spawnSync('bash', [join(root, 'scripts', 'e2e-tools.sh'), 'helm'], { cwd: root, encoding: 'utf8', timeout: 900_000 });
  const path = /^helm=(.+)$/m.exec(tools.stdout ?? '')?.[1];
  if (tools.status === 0 && path) return { path };
  return { reason: `scripts/e2e-tools.sh helm failed (exit ${tools.status}): ${(tools.stderr ?? '').trim().split('\n').pop() ?? ''}` };
}

/** The one folder below `releaseDir` (a release of one bundle). */
export function onlyReleaseFolder(releaseDir: string): string {
  const folders = readdirSync(releaseDir, { withFileTypes: true }).filter((e) => e.isDirectory());
  if (folders.length !== 1) throw new Error(`expected one release folder in ${releaseDir}, found ${folders.length}`);
  return join(releaseDir, folders[0].name);
}

function unpack(archive: string, into: string, stripComponents: number): void {
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', archive, '-C', into, `--strip-components=${stripComponents}`]);
}

/** The cluster-class chart of a release folder, unpacked into `into`; returns the chart folder. */
export function clusterClassChartFolder(releaseFolder: string, into: string): string {
  const archive = readdirSync(releaseFolder).find((f) => /-cluster-class-.*\.tgz$/.test(f));
  if (!archive) throw new Error(`${releaseFolder}: no cluster-class chart archive`);
  unpack(join(releaseFolder, archive), into, 1);
  return into;
}

/**
 * A csctl source folder for the bundle of `releaseFolder`: csctl.yaml
 * (provider, stack and Kubernetes version from the folder's tag and
 * metadata.yaml, no provider plugin config), the unpacked cluster-class
 * chart, cluster-addon and node-image archives, and clusteraddon.yaml.
 */
export function csctlInput(releaseFolder: string, into: string): string {
  const files = readdirSync(releaseFolder);
  const find = (re: RegExp): string => {
    const f = files.find((n) => re.test(n));
    if (!f) throw new Error(`${releaseFolder}: no file matches ${re}`);
    return join(releaseFolder, f);
  };
  const tag = /^([a-z0-9]+)-([a-z0-9]+)-\d+-\d+-/.exec(releaseFolder.split('/').pop() ?? '');
  const kubernetes = /^\s*kubernetes:\s*(v\d+\.\d+\.\d+)\s*$/m.exec(readFileSync(join(releaseFolder, 'metadata.yaml'), 'utf8'))?.[1];
  if (!tag || !kubernetes) throw new Error(`${releaseFolder}: cannot read provider, stack and Kubernetes version`);
  mkdirSync(into, { recursive: true });
  writeFileSync(join(into, 'csctl.yaml'), [
    'apiVersion: csctl.clusterstack.x-k8s.io/v1alpha1',
    'config:',
    `  kubernetesVersion: ${kubernetes}`,
    `  clusterStackName: ${tag[2]}`,
    '  provider:',
    `    type: ${tag[1]}`,
    `    apiVersion: ${tag[1]}.csctl.clusterstack.x-k8s.io/v1alpha1`,
    '',
  ].join('\n'));
  unpack(find(/-cluster-class-.*\.tgz$/), join(into, 'cluster-class'), 1);
  unpack(find(/-cluster-addon-.*\.tgz$/), join(into, 'cluster-addon'), 0);
  unpack(find(/-node-image-.*\.tgz$/), join(into, 'node-image'), 0);
  copyFileSync(find(/^clusteraddon\.yaml$/), join(into, 'clusteraddon.yaml'));
  return into;
}
