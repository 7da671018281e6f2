#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so there is no build step
// and `npx cluster-stacks` runs the same code as the tests.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
