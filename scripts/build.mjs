// `npm run build` (and `prepare`, so `npm ci` runs it): compiles the CLI and
// the app into .build/ and then touches .build/.stamp, which
// bin/cluster-stacks.mjs compares with the sources' mtimes. The stamp is
// written last, so an interrupted build is never taken for a fresh one.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, '.build', '.stamp');
const started = new Date();
rmSync(stamp, { force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
mkdirSync(dirname(stamp), { recursive: true });

// The pinned CRDs parsed once, as lib/pipeline/crd-schema.ts's readCrdDocuments looks them up.
const cache = join(root, '.build', 'crd-json');
mkdirSync(cache, { recursive: true });
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
for (const file of walk(join(root, 'crds'))) {
  const bytes = readFileSync(file);
  const target = join(cache, `${createHash('sha256').update(bytes).digest('hex')}.json`);
  const docs = yaml.loadAll(bytes.toString('utf8'), null, { schema: yaml.CORE_SCHEMA, filename: file });
  writeFileSync(`${target}.tmp`, JSON.stringify(docs));
  renameSync(`${target}.tmp`, target);
}
// The stamp carries the build's start time: a source saved during the build is newer.
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
