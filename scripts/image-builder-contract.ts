/**
 * Refreshes constructs/node-image/image-builder-contract.json, the Packer user
 * variables that kubernetes-sigs/image-builder reads for each target we emit
 * build instructions for, from an image-builder checkout at a release tag:
 *
 *   npm run image-builder-contract -- <image-builder checkout> <tag> <commit>
 *
 * A target's variables are what its `make build-<target>-<os>` passes to
 * Packer: the common var files of the Makefile's COMMON_NODE_VAR_FILES, the
 * target's own var files (packer/<target>/*.json), the `variables` of
 * packer/<target>/packer.json and every {{user `x`}} its builders read. The
 * type is the JSON type of the default (Packer user variables are strings;
 * a null default means "unset").
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ImageBuilderContract, ImageBuilderTarget } from '../constructs/node-image/image-builder-contract.ts';

const CONTRACT_PATH = resolve(import.meta.dirname, '..', 'constructs', 'node-image', 'image-builder-contract.json');

const TARGETS: readonly ImageBuilderTarget[] = ['openstack', 'hcloud'];

function readJson(path: string): Record<string, unknown> {
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

function typeOf(value: unknown): 'string' | 'null' {
  if (value === null) return 'null';
  if (typeof value === 'string') return 'string';
  throw new Error(`a Packer user variable default must be a string or null, got ${JSON.stringify(value)}`);
}

/** The variables a Packer JSON template text reads with {{user `x`}}. */
function userReferences(text: string): string[] {
  return [...text.matchAll(/\{\{\s*user `([A-Za-z0-9_]+)`\s*\}\}/g)].map((m) => m[1]!);
}

function main(): void {
  const [checkout, tag, commit] = process.argv.slice(2);
  if (!checkout || !tag || !commit) throw new Error('usage: npm run image-builder-contract -- <image-builder checkout> <tag> <commit>');
  const capi = resolve(checkout, 'images', 'capi');
  const makefile = readFileSync(join(capi, 'Makefile'), 'utf8');
  const block = /COMMON_NODE_VAR_FILES := ((?:[^\n\\]|\\\n)*)/.exec(makefile);
  if (!block) throw new Error(`${capi}/Makefile: no COMMON_NODE_VAR_FILES`);
  const commonFiles = block[1]!.split(/[\s\\]+/).filter((f) => f.endsWith('.json'));
  const common: Record<string, 'string' | 'null'> = {};
  for (const file of commonFiles) for (const [name, value] of Object.entries(readJson(join(capi, file)))) common[name] = typeOf(value);
  // Var file values are templates too: what they read is a variable Packer resolves.
  for (const file of commonFiles) for (const name of userReferences(readFileSync(join(capi, file), 'utf8'))) common[name] ??= 'string';

  const targets = {} as Record<ImageBuilderTarget, ImageBuilderContract['targets'][ImageBuilderTarget]>;
  const paths = [`images/capi/Makefile`, ...commonFiles.map((f) => `images/capi/${f}`)];
  for (const target of TARGETS) {
    const dir = join(capi, 'packer', target);
    const template = join(dir, 'packer.json');
    const templateText = readFileSync(template, 'utf8');
    const variables: Record<string, 'string' | 'null'> = { ...common };
    const declared = readJson(template).variables as Record<string, unknown>;
    for (const [name, value] of Object.entries(declared)) variables[name] = typeOf(value);
    for (const name of userReferences(templateText)) variables[name] ??= 'string';
    const osFiles = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'packer.json' && !f.startsWith('packer-'));
    const builds: string[] = [];
    for (const f of osFiles.sort()) {
      const vars = readJson(join(dir, f));
      for (const [name, value] of Object.entries(vars)) variables[name] = typeOf(value);
      if (typeof vars.build_name === 'string') builds.push(f.replace(/\.json$/, ''));
      paths.push(`images/capi/packer/${target}/${f}`);
    }
    paths.push(`images/capi/packer/${target}/packer.json`);
    targets[target] = {
      template: `packer/${target}/packer.json`,
      extraVarFiles: osFiles.filter((f) => !builds.includes(f.replace(/\.json$/, ''))).map((f) => `packer/${target}/${f}`),
      builds: builds.sort(),
      variables: Object.fromEntries(Object.entries(variables).sort(([a], [b]) => (a < b ? -1 : 1))),
    };
  }
  const contract: ImageBuilderContract = {
    source: { repository: 'kubernetes-sigs/image-builder', tag, commit, paths: [...new Set(paths)].sort() },
    targets,
  };
  writeFileSync(CONTRACT_PATH, `${JSON.stringify(contract, null, 2)}\n`);
  process.stdout.write(`wrote ${CONTRACT_PATH}: ${TARGETS.map((t) => `${t} ${Object.keys(targets[t].variables).length} variables, builds ${targets[t].builds.join(' ')}`).join('; ')}\n`);
}

main();
