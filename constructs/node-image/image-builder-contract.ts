import contractData from './image-builder-contract.json' with { type: 'json' };

/** The image-builder targets this project writes build instructions for. */
export type ImageBuilderTarget = 'openstack' | 'hcloud';

/** A Packer user variable's declared default type: a string, or null for "unset". */
export type PackerVariableType = 'string' | 'null';

/**
 * What the pinned kubernetes-sigs/image-builder release reads, per target: the
 * Packer user variables (from its var files and templates) and the OS builds
 * (`make build-<target>-<build>`). Derived from the upstream files by
 * `npm run image-builder-contract`; the source names the tag, commit and paths.
 */
export interface ImageBuilderContract {
  readonly source: { readonly repository: string; readonly tag: string; readonly commit: string; readonly paths: readonly string[] };
  readonly targets: Readonly<Record<ImageBuilderTarget, {
    /** The Packer template below images/capi/. */
    readonly template: string;
    /** Var files the Makefile passes for every build of the target (e.g. hcloud-config.json). */
    readonly extraVarFiles: readonly string[];
    /** OS builds: `make build-<target>-<build>`. */
    readonly builds: readonly string[];
    readonly variables: Readonly<Record<string, PackerVariableType>>;
  }>>;
}

/** The contract of the pinned image-builder release. */
export const IMAGE_BUILDER: ImageBuilderContract = contractData as ImageBuilderContract;

/** Levenshtein distance, for "did you mean" hints on unknown variables. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * Problems with a set of Packer variables for a target: unknown names (with
 * the nearest known one) and values that are not strings. `where` prefixes
 * each message.
 */
export function checkPackerVariables(contract: ImageBuilderContract, target: ImageBuilderTarget, variables: Readonly<Record<string, unknown>>, where: string): string[] {
  const known = contract.targets[target].variables;
  const names = Object.keys(known);
  const problems: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    if (!(name in known)) {
      const nearest = names.reduce((best, n) => (distance(name, n) < distance(name, best) ? n : best), names[0]!);
      problems.push(`${where}: '${name}' is not a variable of image-builder ${contract.source.tag} for ${target} (did you mean '${nearest}'?)`);
    } else if (typeof value !== 'string') {
      problems.push(`${where}: '${name}' must be a string (Packer user variables are strings), got ${JSON.stringify(value)}`);
    }
  }
  return problems;
}
