import { cpSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiObject } from 'cdk8s';
import { afterAll, beforeAll, expect } from 'vitest';
import { ClusterAddon } from '../../constructs/cluster-addon.ts';
import { DockerClusterTemplateV1Beta1 } from '../../imports/capd-dockerclustertemplates-infrastructure.cluster.x-k8s.io.ts';
import { DockerMachineTemplateV1Beta1 } from '../../imports/capd-dockermachinetemplates-infrastructure.cluster.x-k8s.io.ts';
import { ClusterClass } from '../../constructs/cluster-class.ts';
import type { ClusterStack } from '../../constructs/cluster-stack.ts';
import { KubeadmConfigTemplate, type KubeadmConfigTemplateProps } from '../../constructs/kubeadm-config-template.ts';
import { KubeadmControlPlaneTemplate } from '../../constructs/kubeadm-control-plane-template.ts';
import { MachineDeploymentClass } from '../../constructs/machine-deployment-class.ts';
import { defineClusterStack, type ClusterStackDefinition, type StackVersionsRow } from '../../constructs/stack-definition.ts';
import { synthCommand, type SynthCommandOptions } from '../../cli/commands/synth.ts';
import { validateCommand } from '../../cli/commands/validate.ts';
import { tempRoot, TINY_BASE, tinyStack, type TinyRow } from '../lib/release/test-stack.ts';

/** The tiny test stack's objects, found in a built ClusterStack, for a test to break one of. */
export interface TinyParts {
  readonly stack: ClusterStack;
  readonly clusterClass: ClusterClass;
  /** The DockerClusterTemplate. */
  readonly infrastructure: ApiObject;
  readonly controlPlane: KubeadmControlPlaneTemplate;
  /** The DockerMachineTemplate shared by the control plane and the worker class. */
  readonly machines: ApiObject;
  readonly bootstrap: KubeadmConfigTemplate;
  readonly worker: MachineDeploymentClass;
  readonly metricsServer: ClusterAddon;
}

function child<T>(stack: ClusterStack, id: string, type: abstract new (...args: never[]) => T): T {
  const found = stack.node.tryFindChild(id);
  if (!(found instanceof type)) throw new Error(`test setup: ${stack.node.path} has no ${type.name} '${id}'`);
  return found;
}

/** Finds the tiny stack's objects in a stack its build has filled in. */
export function tinyParts(stack: ClusterStack): TinyParts {
  const clusterClass = stack.clusterClass;
  const worker = clusterClass.workers[0];
  const metricsServer = stack.addons[0];
  if (!worker || !metricsServer) throw new Error('test setup: the tiny stack has a worker class and an addon');
  return {
    stack,
    clusterClass,
    infrastructure: clusterClass.infrastructure,
    controlPlane: child(stack, 'KubeadmControlPlaneTemplate', KubeadmControlPlaneTemplate),
    machines: worker.infrastructure,
    bootstrap: child(stack, 'WorkerKubeadmConfigTemplate', KubeadmConfigTemplate),
    worker,
    metricsServer,
  };
}

/**
 * The tiny stack (docker/tiny, Kubernetes 1.34.7) with `breakIt` applied
 * after its build, and/or its only versions row changed.
 */
export function brokenTiny(breakIt: (parts: TinyParts) => void = () => undefined, change: Partial<TinyRow> = {}): ClusterStackDefinition<StackVersionsRow> {
  const base = tinyStack(change);
  return defineClusterStack<StackVersionsRow>({
    provider: base.provider,
    stack: base.stack,
    description: base.description,
    versions: base.versions,
    build(stack, row) {
      base.build(stack, row);
      breakIt(tinyParts(stack));
    },
  });
}

/** The tiny stack under another provider/stack name, with other versions rows. */
export function tinyAs(props: { provider?: string; stack?: string; versions?: readonly Record<string, unknown>[] }): ClusterStackDefinition<StackVersionsRow> {
  const base = tinyStack();
  // A JavaScript caller or malformed data: rows are not checked by the compiler.
  const versions = (props.versions ?? [TINY_BASE]).map((r) => ({ ...TINY_BASE, ...r })) as unknown as readonly StackVersionsRow[];
  return defineClusterStack<StackVersionsRow>({
    provider: props.provider ?? base.provider,
    stack: props.stack ?? base.stack,
    description: base.description,
    versions,
    build: (stack, row) => base.build(stack, row),
  });
}

/** One entry of a tree snapshot: what it is, its inode, mode, mtime (folders) and bytes (files). */
interface SnapshotEntry {
  readonly type: 'dir' | 'file' | 'symlink' | 'other';
  readonly ino: number;
  readonly mode: number;
  readonly mtimeMs: number;
  readonly bytes?: Buffer;
}

/**
 * Every entry below `dir` (and `dir` itself as ''), hidden ones included.
 * Inodes catch a tree replaced by an identical one; folder mtimes catch a
 * staging folder created and removed again.
 */
export function snapshot(dir: string): Map<string, SnapshotEntry> {
  const out = new Map<string, SnapshotEntry>();
  const visit = (relative: string): void => {
    const path = relative === '' ? dir : join(dir, relative);
    const stat = lstatSync(path);
    const type = stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : stat.isSymbolicLink() ? 'symlink' : 'other';
    out.set(relative, {
      type,
      ino: stat.ino,
      mode: stat.mode,
      mtimeMs: type === 'dir' ? stat.mtimeMs : 0,
      ...(type === 'file' ? { bytes: readFileSync(path) } : {}),
    });
    if (type === 'dir') for (const entry of readdirSync(path).sort()) visit(relative === '' ? entry : join(relative, entry));
  };
  visit('');
  return out;
}

/** What differs between two snapshots, one line per path; empty when nothing changed. */
export function snapshotDiff(before: Map<string, SnapshotEntry>, after: Map<string, SnapshotEntry>): string[] {
  const problems: string[] = [];
  for (const [path, b] of before) {
    const a = after.get(path);
    const name = path === '' ? '(root)' : path;
    if (!a) problems.push(`${name}: removed`);
    else if (a.type !== b.type) problems.push(`${name}: ${b.type} became ${a.type}`);
    else if (a.ino !== b.ino) problems.push(`${name}: replaced (inode ${b.ino} → ${a.ino})`);
    else if (a.mode !== b.mode) problems.push(`${name}: mode ${b.mode.toString(8)} → ${a.mode.toString(8)}`);
    else if (a.mtimeMs !== b.mtimeMs) problems.push(`${name}: folder modified`);
    else if (b.bytes && a.bytes && !a.bytes.equals(b.bytes)) problems.push(`${name}: content changed`);
  }
  for (const path of after.keys()) if (!before.has(path)) problems.push(`${path}: added`);
  return problems;
}

/** The message `fn` throws; fails the test when it does not throw. */
export function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return (e as Error).message;
  }
  expect.fail('expected an error, but nothing was thrown');
}

/** Staging folders `replaceTree` left in `dir`. */
export function stagingLeftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => /\.tmp-/.test(n));
}

export interface SmallStackOptions {
  /** The ClusterClass name. @default stack.clusterClassName */
  readonly className?: (stack: ClusterStack) => string;
  /** The infrastructure cluster template. @default a DockerClusterTemplate in the stack */
  readonly infrastructure?: (stack: ClusterStack) => ApiObject;
  /** The worker bootstrap template's spec. @default - KubeadmConfigTemplate's own default */
  readonly bootstrapSpec?: KubeadmConfigTemplateProps['spec'];
  /** Whether to create and set a ClusterClass at all. @default true */
  readonly clusterClass?: boolean;
}

/**
 * A stack like the tiny one (docker/tiny, 1.34.7) whose objects a test
 * chooses before the ClusterClass is built: its name, the infrastructure
 * template, the worker's kubeadm spec, or no ClusterClass at all.
 */
export function smallStack(options: SmallStackOptions): ClusterStackDefinition<StackVersionsRow> {
  return defineClusterStack<StackVersionsRow>({
    provider: 'docker',
    stack: 'tiny',
    description: 'bad-input test stack',
    versions: [{ kubernetes: TINY_BASE.kubernetes }],
    build(stack) {
      const infrastructure = options.infrastructure?.(stack) ?? new DockerClusterTemplateV1Beta1(stack, 'DockerClusterTemplate', {
        metadata: { name: stack.templateName('cluster') },
        spec: { template: { spec: {} } },
      });
      const controlPlane = new KubeadmControlPlaneTemplate(stack, 'KubeadmControlPlaneTemplate', { name: stack.templateName('control-plane') });
      const machines = new DockerMachineTemplateV1Beta1(stack, 'DockerMachineTemplate', {
        metadata: { name: stack.templateName('machines') },
        spec: { template: { spec: {} } },
      });
      const bootstrap = new KubeadmConfigTemplate(stack, 'WorkerKubeadmConfigTemplate', {
        name: stack.templateName('default-worker'),
        ...(options.bootstrapSpec ? { spec: options.bootstrapSpec } : {}),
      });
      if (options.clusterClass === false) return;
      stack.setClusterClass(new ClusterClass(stack, 'ClusterClass', {
        name: options.className?.(stack) ?? stack.clusterClassName,
        infrastructure,
        controlPlane: { template: controlPlane.resource, machineInfrastructure: machines },
        workers: [new MachineDeploymentClass({ class: 'default-worker', bootstrap: bootstrap.resource, infrastructure: machines })],
      }));
    },
  });
}

/**
 * Temp roots for a test file: `fresh()` copies a root whose dist/ holds the
 * good tiny stack's bundle (as `synth` wrote it) plus a file `synth` would
 * delete on success; every root is removed after the file's tests.
 */
export function tempRoots(): { fresh: () => string; track: (root: string) => string } {
  const roots: string[] = [];
  const track = (root: string): string => {
    roots.push(root);
    return root;
  };
  let template = '';
  beforeAll(() => {
    template = track(tempRoot());
    synthCommand({ root: template, definitions: [tinyStack()] });
    cpSync(join(template, 'dist', 'docker', 'tiny', '1-34', 'metadata.yaml'), join(template, 'dist', 'KEEP-metadata.yaml'));
  });
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  return {
    fresh: () => {
      const root = track(tempRoot());
      cpSync(template, root, { recursive: true });
      return root;
    },
    track,
  };
}

/**
 * Runs `synthCommand` (no dry run) with `definitions` against `root`, whose
 * dist/ already holds a tree, and returns the message it fails with, after
 * checking that nothing below `root` was written, replaced, removed or left
 * behind (no `.dist.tmp-*` staging folder).
 */
export function synthFailure(root: string, definitions: SynthCommandOptions['definitions'], options: Partial<SynthCommandOptions> = {}): string {
  const before = snapshot(root);
  const message = thrown(() => synthCommand({ root, definitions, outDir: join(root, 'dist'), ...options }));
  expect(snapshotDiff(before, snapshot(root)), 'a failed synth writes nothing').toEqual([]);
  expect(stagingLeftovers(root), 'a failed synth leaves no staging folder').toEqual([]);
  return message;
}

/** The message `validateCommand` fails with for `definitions` (it writes nothing by design). */
export function validateFailure(definitions: SynthCommandOptions['definitions']): string {
  return thrown(() => validateCommand({ definitions }));
}
