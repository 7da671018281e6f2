// The compiled CLI as bin/cluster-stacks.cjs runs it: .build/cli.cjs, one
// CommonJS file that scripts/build.mjs bundles from cli/main.ts, compiled
// with V8's code cache for it.
//
// Why: a short command spent a fifth of its time parsing and compiling
// JavaScript (the ESM chunks, then each function on its first call). Node.js
// 20 keeps no compile cache for ES modules, but vm.Script takes V8's cached
// data for a classic script: the build runs a few commands once, asks V8 for
// the bytecode of every function compiled by then, and later processes start
// from it. V8 checks the data's V8 version and flags and the source's length
// only, so the cache file is named by the sha256 of the source it was made
// for; a cache V8 rejects all the same only costs the compile it would have
// saved.
//
// CommonJS, so that a worker thread (bin/worker.cjs) loads it without
// Node.js's ES module loader; bin/compiled.mjs adds what the build needs.
'use strict';
const { createHash } = require('node:crypto');
const { lstatSync, readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { isMainThread } = require('node:worker_threads');

// TurboFan compiles the CLI's hot functions on background threads, and with
// V8's default inlining budget a 500-bundle synth spent 1.4 s compiling
// beside 2.9 s running (--trace-opt), each thread's isolate compiling the
// same functions again; on two cores that work competes with the synthesis
// threads. A smaller budget makes the compiles cheaper and the code hardly
// slower: half of it took a synth of 500 bundles 11 % less time and CPU, a
// release of 500 9 % less; an eighth, in instructions counted by cachegrind
// (one thread, 250 bundles), another 4.4 % off a synth and 4.5 % off a
// release (a quarter 1.6 and 1.8 %, no inlining at all 2.9 and 3.9 %), and
// took 6 % off a release of 500 on two threads; the short commands the same
// (taking turns; README).
// A code cache's check covers V8's flags, so they are set here, before any
// script is compiled, and the build makes the caches under them. Flags are
// process-wide (worker threads inherit them) and V8 reports one it does not
// know on stderr, so they are set on the V8 they were measured on only.
const V8_FLAGS = /^11\./.test(process.versions.v8) ? ['--max-inlined-bytecode-size-cumulative=115'] : [];
/** V8 11's defaults of V8_FLAGS. */
const V8_DEFAULT_FLAGS = /^11\./.test(process.versions.v8) ? ['--max-inlined-bytecode-size-cumulative=920'] : [];
// Node.js checks its own modules' code cache against V8's flags too: a
// module it first loads after the flags are set is compiled from source.
// A standard stream on a terminal or a pipe is a net.Socket, and every
// command writes to one, so the streams are made first: node:net and
// node:tty then load in about 0.7 ms instead of 2.5 ms. On a file or
// /dev/null a stream loads neither.
if (isMainThread) {
  void process.stdout;
  void process.stderr;
}
// A worker thread starts under the defaults (beforeWorkerStart) and sets the
// flags again here, once Node.js has loaded what it starts a thread with and
// before the workers' script is compiled under them.
for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);

/**
 * Sets V8's defaults back until a worker thread that loads this file sets
 * the flags again. A thread's start loads some 200 of Node.js's own
 * modules, and under the CLI's flags it compiled every one from source:
 * 120 ms of the worker's time in a release of 500 bundles, 30-60 ms under
 * the defaults (CPU profiles). The calling thread runs under the defaults
 * meanwhile, which changes no result: the flag only limits how much
 * TurboFan inlines. Workers started together race to set the flags, and a
 * later one then loads part of its modules from source, as all did before.
 */
function beforeWorkerStart() {
  for (const flag of V8_DEFAULT_FLAGS) v8.setFlagsFromString(flag);
}

const root = join(__dirname, '..');
const COMPILED_CLI = join(root, '.build', 'cli.cjs');
/** The worker threads' bundle (cli/workers.ts). */
const COMPILED_WORKERS = join(root, '.build', 'workers.cjs');
/** A code cache larger than this is not the build's (it is about 1 MiB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/** The code cache made for these bytes of a compiled CLI, in the `code-cache` folder beside it. */
const cacheFileOf = (file, bytes) => join(dirname(file), 'code-cache', `${createHash('sha256').update(bytes).digest('hex')}.bin`);

function readCache(file) {
  try {
    const stat = lstatSync(file, { throwIfNoEntry: false });
    return stat?.isFile() && stat.size <= MAX_CACHE_BYTES ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads the compiled CLI `file` (default .build/cli.cjs; or the workers'
 * bundle) with its code cache unless `useCache` is false, and returns its
 * exports ({ run }) and the compiled script, whose createCachedData()
 * writeCodeCache saves.
 */
function loadCompiledCli({ file = COMPILED_CLI, useCache = true } = {}) {
  // Hashed as read: hashing the decoded text would encode it again (some 3 ms of every start).
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  const cachedData = useCache ? readCache(cacheFileOf(file, bytes)) : undefined;
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    // import() of a module the bundle does not hold goes to Node.js's own loader.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, dirname(file));
  return { cli: module.exports, script, bytes, cacheRejected: cachedData !== undefined && script.cachedDataRejected === true };
}

module.exports = { COMPILED_CLI, COMPILED_WORKERS, V8_FLAGS, V8_DEFAULT_FLAGS, beforeWorkerStart, cacheFileOf, loadCompiledCli };
