/**
 * The checks of the other e2e suites catch broken stacks, with the real
 * tools and their own messages: each case breaks a copy of a release or of a
 * dist/ ClusterClass in one way and runs the check that must reject it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { readTgz, createTgz } from '../../lib/bytes/tgz.ts';
import { crdDirs, neededCrdFiles, topologyPlan } from './support/capi.ts';
import { exampleCluster, readDistClusterClass } from './support/clusters.ts';
import { e2e, e2eEnabled, helmEnv, type E2eContext, type ReleaseInfo } from './support/context.ts';
import { copyDir, freshDir } from './support/files.ts';
import { compareWithDist, helmTemplateClusterClass } from './support/helm.ts';
import { assertFailure, assertSuccess, describeRun, run } from './support/run.ts';
import { dumpDocuments, isObject, type Json, type JsonObject } from './support/yaml.ts';

const ctx: E2eContext | undefined = e2eEnabled ? e2e() : undefined;
const ESCAPED_OPEN = '{{"{{"}}';

/** The release the cases break: openstack (the larger ClusterClass) when there is one. */
function subject(c: E2eContext): ReleaseInfo {
  const r = c.stable.releases.find((x) => x.provider === 'openstack') ?? c.stable.releases[0];
  if (!r) throw new Error('no releases');
  return r;
}

/** A copy of the release folder, in a scratch folder named after the case. */
function copyRelease(c: E2eContext, release: ReleaseInfo, label: string): string {
  return copyDir(release.dir, join(freshDir(join(c.work, 'broken'), label), release.tag));
}

function descriptionOf(line: string): string {
  return line.slice(line.indexOf('description:') + 'description:'.length).trim();
}

/** How many string values of `key` equal `value`, anywhere in `v`. */
function countStrings(v: Json, key: string, value: string): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countStrings(x, key, value), 0);
  if (!isObject(v)) return 0;
  return Object.entries(v).reduce((n: number, [k, x]) => n + (k === key && x === value ? 1 : countStrings(x, key, value)), 0);
}

/** A copy of `objects` where every string value of `key` equal to `from` is `to`. */
function replaceStrings(objects: JsonObject[], key: string, from: string, to: string): JsonObject[] {
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === key && x === from ? to : walk(x)]));
  };
  return objects.map((o) => walk(o) as JsonObject);
}

/** The cluster-class chart's template. */
async function chartTemplate(releaseDir: string, release: ReleaseInfo): Promise<string> {
  const archive = join(releaseDir, release.clusterClassChart);
  const files = await readTgz(readFileSync(archive), archive);
  const name = [...files.keys()].find((p) => p.endsWith('/templates/cluster-class.yaml'));
  if (!name) throw new Error(`${archive}: no templates/cluster-class.yaml`);
  return (files.get(name) as Buffer).toString('utf8');
}

/** Replaces the cluster-class chart's template with `edit(template)`, repacked reproducibly. */
async function editChartTemplate(releaseDir: string, release: ReleaseInfo, edit: (template: string) => string): Promise<void> {
  const archive = join(releaseDir, release.clusterClassChart);
  const files = await readTgz(readFileSync(archive), archive);
  const name = [...files.keys()].find((p) => p.endsWith('/templates/cluster-class.yaml'));
  if (!name) throw new Error(`${archive}: no templates/cluster-class.yaml`);
  const before = (files.get(name) as Buffer).toString('utf8');
  const after = edit(before);
  expect(after, 'the edit changed nothing').not.toBe(before);
  files.set(name, Buffer.from(after, 'utf8'));
  writeFileSync(archive, createTgz([...files].map(([path, content]) => ({ path, content }))));
}

describe.skipIf(!ctx)('broken stacks are caught by the real tools', () => {
  it('an unescaped {{ .foo }} in the cluster-class chart: helm evaluates it, and the rendering no longer equals dist/', async () => {
    const c = ctx as E2eContext;
    const release = subject(c);
    const env = helmEnv(join(c.work, 'helm-broken'));
    // A description of the ClusterClass becomes the text `{{ .foo }}`: in a
    // copy of dist/ (what Cluster API must receive), and in the chart once
    // without escaping (the bug) and once escaped (the control, which must
    // still render to exactly the dist/ copy).
    const template = await chartTemplate(release.dir, release);
    const dist = readDistClusterClass(release.distDir);
    const lines = template.split('\n');
    const candidates = lines.filter((l) => /^\s+description: [^{"'|>][^{"']*$/.test(l) && lines.filter((x) => x === l).length === 1);
    const line = candidates.find((l) => countStrings(dist.objects, 'description', descriptionOf(l)) === 1);
    if (!line) throw new Error('no plain description that occurs once in the chart and in dist/');
    const indent = line.slice(0, line.indexOf('description:'));
    const replaceLine = (text: string, by: string) => text.split('\n').map((x) => (x === line ? by : x)).join('\n');
    const distCopy = freshDir(join(c.work, 'broken'), 'dist-foo');
    writeFileSync(join(distCopy, 'cluster-class.yaml'), dumpDocuments(replaceStrings(dist.objects, 'description', descriptionOf(line), '{{ .foo }}')));

    const unescaped = copyRelease(c, release, 'unescaped-foo');
    await editChartTemplate(unescaped, release, (t) => replaceLine(t, `${indent}description: "{{ .foo }}"`));
    const escaped = copyRelease(c, release, 'escaped-foo');
    await editChartTemplate(escaped, release, (t) => replaceLine(t, `${indent}description: "${ESCAPED_OPEN} .foo }}"`));

    const control = assertSuccess(await helmTemplateClusterClass(c.tools.helm, env, escaped, release.clusterClassChart, release.releaseName, 'e2e-stacks'), 'helm template (escaped control)');
    expect(compareWithDist(control.stdout, distCopy), 'the escaped control must render the dist copy exactly').toEqual([]);

    const r = await helmTemplateClusterClass(c.tools.helm, env, unescaped, release.clusterClassChart, release.releaseName, 'e2e-stacks');
    const diffs = r.code === 0 ? compareWithDist(r.stdout, distCopy) : [];
    console.log(`[broken] unescaped {{ .foo }}: helm ${r.code === 0 ? 'rendered it; the comparison reports:' : 'failed:'}\n${r.code === 0 ? diffs.join('\n') : r.stderr}`);
    expect(r.code !== 0 || diffs.length > 0, `helm rendered the unescaped template and nothing differs:\n${describeRun(r, 2000)}`).toBe(true);
    // Helm evaluates .foo (no such value: empty), so the description is gone.
    expect(diffs.join('\n')).toMatch(/\/description: "" != "\{\{ \.foo \}\}"/);
  });

  it('a cluster-class chart packed without any escaping: helm template fails', async () => {
    const c = ctx as E2eContext;
    const release = subject(c);
    const dir = copyRelease(c, release, 'unescaped-all');
    await editChartTemplate(dir, release, (t) => t.split(ESCAPED_OPEN).join('{{'));
    const r = assertFailure(await helmTemplateClusterClass(c.tools.helm, helmEnv(join(c.work, 'helm-broken')), dir, release.clusterClassChart, release.releaseName, 'e2e-stacks'), 'helm template of an unescaped chart');
    console.log(`[broken] chart without escaping: helm template says:\n${r.stderr.trim()}`);
    expect(r.stderr).toMatch(/^Error: (parse error|template:)/m);
  });

  it('a cluster-class chart file that is not named <name>-cluster-class-<version>.tgz: the operator cannot find it', async () => {
    const c = ctx as E2eContext;
    const release = subject(c);
    const dir = copyRelease(c, release, 'chart-file-name');
    const wrong = release.clusterClassChart.replace('-cluster-class-', '-clusterclass-');
    renameSync(join(dir, release.clusterClassChart), join(dir, wrong));
    const r = assertFailure(await run(c.tools.csoCheck, [dir]), 'cso-check of a release with a misnamed chart');
    console.log(`[broken] misnamed chart file: cso-check says:\n${r.stderr.trim()}`);
    const filter = release.clusterClassChart.replace(/\.tgz$/, '');
    expect(r.stderr).toContain(`${release.tag}: failed to validate helm charts: failed to get cluster class chart path: helm chart matching the name filter ${filter} not found in ${dir}`);
  });

  it('an addon stage that names no chart of the cluster-addon archive: the operator refuses clusteraddon.yaml', async () => {
    const c = ctx as E2eContext;
    const release = subject(c);
    const dir = copyRelease(c, release, 'stage-name');
    const file = join(dir, 'clusteraddon.yaml');
    const config = yaml.load(readFileSync(file, 'utf8')) as { addonStages: Record<string, { name: string }[]> };
    const first = Object.values(config.addonStages)[0]?.[0];
    if (!first) throw new Error(`${file}: no stages`);
    const wrong = `${first.name}-typo`;
    for (const stages of Object.values(config.addonStages)) for (const s of stages) if (s.name === first.name) s.name = wrong;
    writeFileSync(file, yaml.dump(config));
    const r = assertFailure(await run(c.tools.csoCheck, [dir]), 'cso-check of a release with a wrong stage name');
    console.log(`[broken] wrong addon stage name: cso-check says:\n${r.stderr.trim()}`);
    expect(r.stderr).toContain(`helm chart name doesn't exists in the cluster addon helm chart: "${wrong}"`);
  });

  it('a ClusterClass patch that reads an unknown variable: Cluster API\'s ClusterClass webhook rejects it', async () => {
    const c = ctx as E2eContext;
    const release = subject(c);
    const dist = readDistClusterClass(release.distDir);
    const cc = structuredClone(dist.clusterClass);
    let edited: string | undefined;
    const patches = isObject(cc.spec) && Array.isArray(cc.spec.patches) ? cc.spec.patches : [];
    for (const p of patches) {
      const defs = isObject(p) && Array.isArray(p.definitions) ? p.definitions : [];
      for (const d of defs) {
        const ops = isObject(d) && Array.isArray(d.jsonPatches) ? d.jsonPatches : [];
        for (const op of ops) {
          if (!edited && isObject(op) && isObject(op.valueFrom) && typeof op.valueFrom.variable === 'string') {
            edited = `${String(isObject(p) ? p.name : '?')}: valueFrom.variable ${op.valueFrom.variable} -> doesNotExist`;
            op.valueFrom.variable = 'doesNotExist';
          }
        }
      }
    }
    if (!edited) throw new Error('no patch with valueFrom.variable to break');
    const dir = freshDir(join(c.work, 'broken'), 'unknown-variable');
    const file = join(dir, 'cluster-class.yaml');
    writeFileSync(file, dumpDocuments(dist.objects.map((o): JsonObject => (o === dist.clusterClass ? cc : o))));
    const cluster = exampleCluster({ name: 'e2e-broken', className: release.clusterClassName, version: release.kubernetes });
    const p = await topologyPlan(c, 'broken-unknown-variable', [file, ...neededCrdFiles(crdDirs(c), dist.objects)], cluster);
    assertFailure(p.run, `clusterctl alpha topology plan with ${edited}`);
    console.log(`[broken] ${edited}: clusterctl alpha topology plan says:\n${p.run.stderr.trim()}`);
    expect(p.run.stderr).toContain('failed to run defaulting and validation on ClusterClasses');
    expect(p.run.stderr).toMatch(/spec\.patches\[\d+\]\.definitions\[\d+\]\.jsonPatches\[\d+\]\.valueFrom\.variable: Invalid value: "doesNotExist": variable with name doesNotExist cannot be found/);
  });

  it('a template field the CRD does not know: kube-apiserver\'s validation (k8s-check) rejects it', async () => {
    const c = ctx as E2eContext;
    const release = subject(c);
    const dist = readDistClusterClass(release.distDir);
    const machine = dist.objects.find((o) => typeof o.kind === 'string' && o.kind.endsWith('MachineTemplate'));
    if (!machine) throw new Error('no machine template');
    const broken = structuredClone(machine);
    const spec = isObject(broken.spec) && isObject(broken.spec.template) && isObject(broken.spec.template.spec) ? broken.spec.template.spec : undefined;
    if (!spec) throw new Error('machine template without spec.template.spec');
    spec.e2eUnknownField = 'x';
    const dir = freshDir(join(c.work, 'broken'), 'unknown-field');
    const file = join(dir, 'template.yaml');
    writeFileSync(file, dumpDocuments([broken]));
    const r = assertFailure(await run(c.tools.k8sCheck, ['validate', ...crdDirs(c).flatMap((d) => ['-crds', d]), file]), 'k8s-check of a template with an unknown field');
    console.log(`[broken] unknown template field: k8s-check says:\n${r.stderr.trim()}`);
    expect(r.stderr).toContain('unknown field "spec.template.spec.e2eUnknownField"');
  });
});
