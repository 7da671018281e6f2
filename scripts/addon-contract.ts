/**
 * Refreshes the values contract of an upstream chart from its folder:
 *
 *   npm run addon-contract -- <chart dir> --repository <git URL> --ref <tag> --commit <sha> --path <path in repo> [--version <v>] [--digest sha256:<hex>] [--out <dir>]
 *
 * Writes `<out>/<chart>-<version>.json` (default lib/addon-values/contracts/).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTRACTS_DIR, contractFileName, renderContract } from '../lib/addon-values/contract.ts';
import { extractContract } from '../lib/addon-values/extract.ts';

const USAGE =
  'usage: npm run addon-contract -- <chart dir> --repository <git URL> --ref <tag> --commit <sha> --path <path in repo> [--version <v>] [--digest sha256:<hex>] [--out <dir>]';

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        repository: { type: 'string' },
        ref: { type: 'string' },
        commit: { type: 'string' },
        path: { type: 'string' },
        version: { type: 'string' },
        digest: { type: 'string' },
        out: { type: 'string' },
      },
    });
  } catch (e) {
    console.error(`addon-contract: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values: o, positionals } = parsed;
  if (positionals.length !== 1 || !o.repository || !o.ref || !o.commit || !o.path) {
    console.error(`addon-contract: needs one chart folder and --repository, --ref, --commit, --path (the provenance recorded in the contract)\n${USAGE}`);
    return 2;
  }
  if (!/^[0-9a-f]{40}$/.test(o.commit)) {
    console.error(`addon-contract: --commit must be a full 40-hex commit, got '${o.commit}'`);
    return 2;
  }
  try {
    const contract = extractContract(positionals[0], {
      version: o.version,
      source: { repository: o.repository, ref: o.ref, commit: o.commit, path: o.path, ...(o.digest ? { digest: o.digest } : {}) },
    });
    const out = o.out ?? CONTRACTS_DIR;
    mkdirSync(out, { recursive: true });
    const file = join(out, contractFileName(contract.chart, contract.version));
    writeFileSync(file, renderContract(contract));
    console.log(`${file}: ${contract.chart} ${contract.version} from ${contract.source.repository} ${contract.source.ref}`);
    return 0;
  } catch (e) {
    console.error(`addon-contract: ${(e as Error).message}`);
    return 1;
  }
}

process.exitCode = main();
