// A worker thread of the compiled CLI (cli/commands/worker-entry.ts):
// .build/workers.cjs, run with its code cache as bin/compiled.cjs loads the
// CLI. CommonJS: Node.js's ES module loader would add some 10 ms to every
// worker's start.
'use strict';
const { COMPILED_WORKERS, loadCompiledCli } = require('./compiled.cjs');

loadCompiledCli({ file: COMPILED_WORKERS }).cli.run();
