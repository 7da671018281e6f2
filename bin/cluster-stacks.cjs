#!/usr/bin/env node
// Runs the compiled CLI from .build/ (written by `npm run build`, which
// `npm ci` runs through `prepare`; bin/compiled.cjs loads it with its code
// cache) when it is at least as new as every source file; otherwise the
// TypeScript sources through tsx's loader, so an edited checkout never runs
// stale code. Compiled start-up skips transpiling ~150 modules on every run.
//
// CommonJS: Node.js 20 sets up its ES module loader for an .mjs entry point
// (some 10 ms of every command), and the compiled CLI needs none of it.
'use strict';
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const SOURCES = ['cli', 'constructs', 'stacks', 'lib', 'imports'];

function newestSource() {
  let newest = statSync(join(root, 'main.ts')).mtimeMs;
  // `${dir}/${name}` is what join() makes of a normalized folder and a name
  // read from it; join() normalizes each of the ~260 paths again, which took
  // this walk from some 3 ms to 5-13 ms of every command's start.
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const mtime = statSync(path).mtimeMs;
        if (mtime > newest) newest = mtime;
      }
    }
  };
  for (const dir of SOURCES) walk(join(root, dir));
  // A removed or renamed file changes its folder's mtime.
  for (const dir of SOURCES) newest = Math.max(newest, statSync(join(root, dir)).mtimeMs);
  return newest;
}

function compiledIsFresh() {
  try {
    return statSync(join(root, '.build', '.stamp')).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

async function main() {
  // `new` imports the TypeScript stack it has just written, which needs tsx.
  const needsTsx = process.argv[2] === 'new' || process.env.CLUSTER_STACKS_FROM_SOURCE === '1';
  let run;
  if (!needsTsx && compiledIsFresh()) {
    ({ run } = require('./compiled.cjs').loadCompiledCli().cli);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    ({ run } = await import('../cli/main.ts'));
  }
  process.exitCode = await run(process.argv.slice(2));
  // run() has awaited all its work. Leaving now, once what it printed is
  // flushed, skips Node.js tearing down the heap on a natural exit: about
  // 10 ms of an incremental synth of 500 bundles, more the larger the heap.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((flushed) => stream.write('', flushed))));
  process.exit();
}

main();
