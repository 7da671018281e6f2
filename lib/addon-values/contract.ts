import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PROJECT_ROOT } from '../pipeline/project-root.ts';

/**
 * What an upstream Helm chart at one version reads from its values: a tree
 * of keys with the types a key may hold. Derived from the chart's
 * values.yaml, values.schema.json and the `.Values.…` references in its
 * templates by {@link ../addon-values/extract.ts}; kept as data in
 * `contracts/<chart>-<version>.json` with where it came from.
 */

/** JSON types of a value as Helm hands it to the templates. */
export type ValueType = 'string' | 'number' | 'boolean' | 'map' | 'list' | 'any';

/** One key of the values tree. */
export interface ContractNode {
  /** Types the chart accepts here; `any` when only a template reads it and nothing states a type. */
  readonly types: readonly ValueType[];
  /**
   * The subtree is free-form: the chart passes it on whole (`toYaml`,
   * `toJson`, `tpl`, `range`, a helper include), or it is an empty map or a
   * map the schema leaves open. Keys below it are not checked.
   */
  readonly open?: true;
  /** Known keys of a map that is not open. */
  readonly keys?: Readonly<Record<string, ContractNode>>;
}

/** Where a contract was derived from. */
export interface ContractSource {
  /** Git repository of the chart sources, e.g. https://github.com/cilium/charts. */
  readonly repository: string;
  /** Tag (or branch) the chart was taken at. */
  readonly ref: string;
  /** The commit that tag pointed to. */
  readonly commit: string;
  /** Path of the chart folder or archive in the repository. */
  readonly path: string;
  /** sha256 of the chart archive where the chart came as one, `sha256:<hex>`. */
  readonly digest?: string;
}

export interface ValuesContract {
  /** Chart name as in its Chart.yaml. */
  readonly chart: string;
  /** Chart version as in its Chart.yaml (or the release it was published as). */
  readonly version: string;
  readonly source: ContractSource;
  /** Which inputs of the chart the tree was derived from. */
  readonly derivedFrom: readonly string[];
  /** The values root (a map). */
  readonly values: ContractNode;
}

/** Folder of the committed contracts. */
export const CONTRACTS_DIR = join(PROJECT_ROOT, 'lib', 'addon-values', 'contracts');

/** File name of the contract of one chart version. */
export function contractFileName(chart: string, version: string): string {
  return `${chart}-${version}.json`;
}

/** The committed contracts, keyed `<chart>@<version>`; read once per process. */
let cache: Map<string, ValuesContract> | undefined;

export function loadContracts(dir: string = CONTRACTS_DIR): Map<string, ValuesContract> {
  if (dir === CONTRACTS_DIR && cache) return cache;
  const out = new Map<string, ValuesContract>();
  if (existsSync(dir)) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const contract = readContract(dir, file);
      out.set(`${contract.chart}@${contract.version}`, contract);
    }
  }
  if (dir === CONTRACTS_DIR) cache = out;
  return out;
}

/** The committed contracts read one at a time by pinnedContract, keyed `<chart>@<version>` (null: none). */
const pinned = new Map<string, ValuesContract | null>();

/**
 * The committed contract of one chart version, read on its first use: a
 * run checks the charts its bundles use, not every contract (reading and
 * parsing all of them took some 2.7 ms of an incremental synth).
 */
export function pinnedContract(chart: string, version: string): ValuesContract | undefined {
  const key = `${chart}@${version}`;
  let contract = pinned.get(key);
  if (contract === undefined) {
    const file = contractFileName(chart, version);
    // A name that is not a plain file name names no committed contract.
    contract = basename(file) === file && existsSync(join(CONTRACTS_DIR, file)) ? readContract(CONTRACTS_DIR, file) : null;
    pinned.set(key, contract);
  }
  return contract ?? undefined;
}

/** The contract in `dir/file`, whose name must be its chart's and version's. */
function readContract(dir: string, file: string): ValuesContract {
  const path = join(dir, file);
  let contract: ValuesContract;
  try {
    contract = JSON.parse(readFileSync(path, 'utf8')) as ValuesContract;
  } catch (e) {
    throw new Error(`${path}: not a values contract: ${(e as Error).message}`);
  }
  if (typeof contract.chart !== 'string' || typeof contract.version !== 'string' || typeof contract.values !== 'object') {
    throw new Error(`${path}: not a values contract: needs 'chart', 'version' and 'values'`);
  }
  if (file !== contractFileName(contract.chart, contract.version)) {
    throw new Error(`${path}: holds ${contract.chart} ${contract.version}; expected the file name ${contractFileName(contract.chart, contract.version)}`);
  }
  return contract;
}

/** Serializes a contract deterministically: keys sorted, two-space indent, trailing newline. */
export function renderContract(contract: ValuesContract): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  // Type lists on one line: the files stay short and a diff shows one key per line.
  const text = JSON.stringify(sort(contract), null, 2).replace(/\[\n\s*("[a-z]+"(?:,\n\s*"[a-z]+")*)\n\s*\]/g, (_, items: string) => `[${items.replace(/,\n\s*/g, ', ')}]`);
  return `${text}\n`;
}
