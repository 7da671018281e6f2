// `npm run build` (and `prepare`, so `npm ci` runs it): compiles the CLI and
// the app into .build/ and then touches .build/.stamp, which
// bin/cluster-stacks.mjs compares with the sources' mtimes. The stamp is
// written last, so an interrupted build is never taken for a fresh one.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, '.build', '.stamp');
const started = new Date();
rmSync(stamp, { force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
mkdirSync(dirname(stamp), { recursive: true });
// The stamp carries the build's start time: a source saved during the build is newer.
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
