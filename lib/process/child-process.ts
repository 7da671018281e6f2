import { createRequire } from 'node:module';

/**
 * node:child_process, required when first needed. Loading it brings
 * node:net and node:dgram, some 3 ms when the compiled CLI has set its V8
 * flags first (bin/compiled.cjs: Node.js then compiles its own modules
 * from source) and 0.5-0.9 ms otherwise; most runs of the commands whose
 * modules import it (release, and every start through cli/oci.ts) never
 * spawn a process.
 */
export const childProcess = (): typeof import('node:child_process') => createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
