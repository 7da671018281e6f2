/**
 * scripts/lazy-require.mjs gives cdk8s stand-ins for the `yaml` package,
 * fast-json-patch and child_process, and commander one for
 * node:child_process, that require the real modules on first use. Bundled with it, cdk8s's YAML writer and its
 * JSON patches (which provider overlays apply) must work exactly as
 * unbundled, and a build's bundle must hold the stand-ins.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script, plain JavaScript without types
import { LAZY, lazyRequirePlugin } from '../../scripts/lazy-require.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const LAZY_MODULES = (LAZY as { module: string; importer: RegExp }[]).map((l) => l.module);
const IN_CDK8S = (LAZY as { module: string; importer: RegExp }[]).filter((l) => l.importer.test('/p/node_modules/cdk8s/lib/x.js')).map((l) => l.module);

const ENTRY = `
const { ApiObject, App, Chart, JsonPatch, Yaml } = require('cdk8s');
const chart = new Chart(new App(), 'c');
const object = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } });
object.addJsonPatch(JsonPatch.add('/data/b', '2'), JsonPatch.remove('/data/a'));
module.exports = { yaml: Yaml.stringify({ list: [1, 'two'] }), json: object.toJson() };
`;

async function bundled(plugins: unknown[]): Promise<{ text: string; exports: { yaml: string; json: unknown } }> {
  const out = await build({ stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'js' }, bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent', plugins: plugins as never[] });
  const text = out.outputFiles[0]!.text;
  const module = { exports: {} as { yaml: string; json: unknown } };
  new Function('module', 'exports', 'require', text)(module, module.exports, createRequire(join(ROOT, 'package.json')));
  return { text, exports: module.exports };
}

describe('the lazy cdk8s dependencies of the build', () => {
  it('give the same YAML and JSON patches as the real modules, through the stand-ins', async () => {
    const lazy = await bundled([lazyRequirePlugin]);
    const plain = await bundled([]);
    expect(lazy.exports).toEqual(plain.exports);
    expect(lazy.exports.yaml).toBe('list:\n  - 1\n  - two\n');
    expect(lazy.exports.json).toMatchObject({ data: { b: '2' } });
    expect(lazy.exports.json).not.toHaveProperty('data.a');
    // The stand-ins are there, and only with the plugin.
    expect(IN_CDK8S).toEqual(['yaml', 'fast-json-patch', 'child_process', './_child_process']);
    for (const name of IN_CDK8S) expect(lazy.text).toContain(`lazy-require:${name}`);
    expect(plain.text).not.toContain('lazy-require:');
  });

  it('are in the bundles a build writes', () => {
    const meta = JSON.parse(readFileSync(join(ROOT, '.build', 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    for (const name of IN_CDK8S) expect(Object.keys(meta.inputs)).toContain(`lazy-require:${name}`);
    for (const file of ['cli.cjs', 'workers.cjs']) {
      const text = readFileSync(join(ROOT, '.build', file), 'utf8');
      for (const name of LAZY_MODULES.filter((m) => file === 'cli.cjs' || IN_CDK8S.includes(m))) expect(text, `${file} ${name}`).toContain(`"lazy-require:${name}"`);
    }
  });
});
