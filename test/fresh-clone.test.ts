import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { listTree } from './list-tree.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** What a commit of the working tree holds: tracked files plus untracked ones git does not ignore. */
function checkoutFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter((f) => f.length > 0 && existsSync(join(ROOT, f)));
}


describe('a fresh clone with nothing beside it', () => {
  // An empty parent folder: no ../shared, no ../anything.
  const parent = mkdtempSync(join(tmpdir(), 'fresh-clone-'));
  const clone = join(parent, 'project');
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('synthesizes every stack into dist/, byte-identical to the committed dist/', () => {
    for (const file of checkoutFiles()) {
      if (file.startsWith('dist/')) continue; // synthesized below, from nothing
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(clone, file));
    }
    // npm ci is the README's first half; the packages are the same files, so link them.
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const env = { ...process.env };
    delete env.CLUSTER_STACK_CRDS;
    execFileSync(process.execPath, [join(clone, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'main.ts'], { cwd: clone, env, stdio: 'pipe' });
    const produced = listTree(join(clone, 'dist'));
    expect(produced).toEqual(listTree(join(ROOT, 'dist')));
    for (const file of produced) {
      expect(readFileSync(join(clone, 'dist', file)), file).toEqual(readFileSync(join(ROOT, 'dist', file)));
    }
    expect(existsSync(join(parent, 'shared'))).toBe(false);
  });
});

describe('crds/', () => {
  const sources = readFileSync(join(ROOT, 'crds', 'SOURCES.md'), 'utf8');
  const rows = sources
    .split('\n')
    .filter((l) => /^\| [a-z0-9.-]+\/[^|]+\.yaml \|/.test(l))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map(([, file, repository, tag, path]) => ({ file: file!, repository: repository!, tag: tag!, path: path! }));

  it('holds exactly the CRD files SOURCES.md names, each with repository, tag and path', () => {
    const onDisk = listTree(join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml'));
    expect(rows.map((r) => r.file).sort()).toEqual(onDisk);
    for (const r of rows) {
      expect(r.repository, r.file).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(r.tag, r.file).toMatch(/^v\d+\.\d+\.\d+/);
      expect(r.file.split('/')[0], r.file).toMatch(new RegExp(`-${r.tag.replace(/\./g, '\\.')}$`));
      expect(r.path.endsWith(r.file.split('/')[1]!), r.file).toBe(true);
    }
  });

  it('is what every cdk8s.yaml import names, with the same provenance comment', () => {
    const text = readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8');
    const imports = (yaml.load(text) as { imports: string[] }).imports;
    expect(imports.length).toBeGreaterThan(0);
    const lines = text.split('\n');
    for (const spec of imports) {
      const file = spec.split(':=')[1]!;
      expect(file.startsWith('crds/'), spec).toBe(true);
      const row = rows.find((r) => `crds/${r.file}` === file);
      expect(row, `${spec} is not in crds/SOURCES.md`).toBeDefined();
      const at = lines.findIndex((l) => l.includes(spec));
      expect(lines[at - 1], spec).toBe(`  # ${row!.repository} ${row!.tag} ${row!.path}`);
    }
  });

  it('every file is a CustomResourceDefinition', () => {
    for (const r of rows) {
      const doc = yaml.load(readFileSync(join(ROOT, 'crds', r.file), 'utf8')) as { kind?: string };
      expect(doc.kind, r.file).toBe('CustomResourceDefinition');
    }
  });
});
