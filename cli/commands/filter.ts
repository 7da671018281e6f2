import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';

/** `--provider`, `--stack`, `--kubernetes` as given on the command line. */
export interface StackSelection {
  readonly provider?: string;
  readonly stack?: string;
  /** Kubernetes minor, e.g. `1.34`. */
  readonly kubernetes?: string;
}

/**
 * A filter over stacks × minors. A selection that matches nothing is an
 * error, so a typo in `--provider` is not a silent no-op.
 */
export function selectionFilter(selection: StackSelection, definitions: readonly ClusterStackDefinition<StackVersionsRow>[]): ((id: ClusterStackIdentity) => boolean) | undefined {
  if (!selection.provider && !selection.stack && !selection.kubernetes) return undefined;
  if (selection.kubernetes !== undefined && !/^[0-9]+\.[0-9]+$/.test(selection.kubernetes)) {
    throw new Error(`--kubernetes '${selection.kubernetes}' is not a Kubernetes minor; expected <major>.<minor>, e.g. 1.34`);
  }
  const matches = (provider: string, stack: string, minor: string) =>
    (!selection.provider || selection.provider === provider) && (!selection.stack || selection.stack === stack) && (!selection.kubernetes || selection.kubernetes === minor);
  const minorOf = (r: StackVersionsRow) => String(r.kubernetes).split('.').slice(0, 2).join('.');
  const any = definitions.some((d) => d.versions.some((r) => matches(d.provider, d.stack, minorOf(r))));
  if (!any) {
    const known = definitions.map((d) => `${d.provider}/${d.stack} (${d.versions.map(minorOf).join(', ')})`).join('; ');
    throw new Error(`no stack matches ${describeSelection(selection)}; shipped stacks: ${known}`);
  }
  return (id) => matches(id.provider, id.stack, id.kubernetes.minorVersion);
}

export function describeSelection(selection: StackSelection): string {
  return [
    selection.provider ? `--provider ${selection.provider}` : '',
    selection.stack ? `--stack ${selection.stack}` : '',
    selection.kubernetes ? `--kubernetes ${selection.kubernetes}` : '',
  ].filter(Boolean).join(' ');
}
