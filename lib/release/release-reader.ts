import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { unescapeGoTemplate } from '../../constructs/go-template.ts';
import { readTgz } from './tgz.ts';

/**
 * Reads a release folder back into the bundle layout of dist/ (path →
 * text): the ClusterClass from the cluster-class chart's template (with the
 * Helm escaping undone), the addon folders from the cluster-addon archive,
 * and the plain files. A release whose archives are corrupted, or whose
 * chart does not hold what a release of this generator holds, is an error
 * naming the file.
 */
export async function readReleaseTree(dir: string): Promise<Map<string, string>> {
  if (!existsSync(dir)) throw new Error(`${dir}: no such release folder`);
  const names = readdirSync(dir);
  const find = (pattern: RegExp, what: string): string => {
    const matches = names.filter((n) => pattern.test(n));
    if (matches.length !== 1) throw new Error(`${dir}: expected exactly one ${what}, found ${matches.length === 0 ? 'none' : matches.join(', ')}`);
    return matches[0];
  };
  const tree = new Map<string, string>();

  const chartFile = find(/-cluster-class-v[^/]*\.tgz$/, 'cluster-class chart (*-cluster-class-<version>.tgz)');
  const chart = await readTgz(readFileSync(join(dir, chartFile)), join(dir, chartFile));
  const templates = [...chart.keys()].filter((p) => /^[^/]+\/templates\/cluster-class\.yaml$/.test(p));
  if (templates.length !== 1) throw new Error(`${join(dir, chartFile)}: expected <chart>/templates/cluster-class.yaml in the chart, found ${[...chart.keys()].join(', ')}`);
  tree.set(BundleFiles.clusterClass, unescapeGoTemplate((chart.get(templates[0]) as Buffer).toString('utf8')));

  const addonFile = find(/-cluster-addon-v[^/]*\.tgz$/, 'cluster-addon archive (*-cluster-addon-<version>.tgz)');
  const addons = await readTgz(readFileSync(join(dir, addonFile)), join(dir, addonFile));
  for (const [path, content] of addons) tree.set(`${BundleFiles.clusterAddonDir}/${path}`, content.toString('utf8'));

  const nodeImageArchives = names.filter((n) => /-node-image-v[^/]*\.tgz$/.test(n));
  if (nodeImageArchives.length > 1) throw new Error(`${dir}: expected at most one node image archive (*-node-image-<version>.tgz), found ${nodeImageArchives.join(', ')}`);
  for (const archive of nodeImageArchives) {
    const files = await readTgz(readFileSync(join(dir, archive)), join(dir, archive));
    for (const [path, content] of files) tree.set(`${BundleFiles.nodeImageDir}/${path}`, content.toString('utf8'));
  }

  for (const plain of [BundleFiles.clusterAddonConfig, BundleFiles.metadata, BundleFiles.nodeImages]) {
    const path = join(dir, plain);
    if (!existsSync(path)) {
      if (plain === BundleFiles.nodeImages) continue;
      throw new Error(`${dir}: ${plain} is missing`);
    }
    const text = readFileSync(path, 'utf8');
    try {
      yaml.loadAll(text);
    } catch (e) {
      throw new Error(`${path}: not valid YAML: ${(e as Error).message}`);
    }
    tree.set(plain, text);
  }
  return tree;
}
