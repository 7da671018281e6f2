import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { synthesize, type Bundle } from '../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../stacks/index.ts';

// A model that reaches a construct keeps the bundle's whole construct tree
// alive as long as the bundle: at 500 bundles that was most of what each
// scavenge copied. So a bundle must hold plain data only.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** The shipped stacks, each noting the ClusterStack construct it builds. */
function noting(built: WeakRef<object>[]): ClusterStackDefinition<StackVersionsRow>[] {
  return STACKS.map((d) => ({
    ...d,
    build: (stack, row) => {
      built.push(new WeakRef(stack));
      d.build(stack, row);
    },
  }));
}

/** The constructs of `built` still alive once nothing but `bundles` is held. */
async function survivors(built: readonly WeakRef<object>[], bundles: readonly Bundle[]): Promise<number> {
  // A WeakRef's target lives until the job that made it ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  expect(bundles.length).toBe(built.length);
  return built.filter((r) => r.deref() !== undefined).length;
}

describe('a synthesized bundle', () => {
  it.each([true, false])('holds none of the constructs it was built from (GitOps files %s)', async (gitops) => {
    const built: WeakRef<object>[] = [];
    const bundles = synthesize(noting(built), { gitops });
    expect(built.length).toBeGreaterThan(0);
    expect(await survivors(built, bundles)).toBe(0);
  });

  it('is seen to hold its constructs when it does (the control for the check above)', async () => {
    const built: WeakRef<object>[] = [];
    const bundles = synthesize(noting(built)).map((b, i) => ({ ...b, held: built[i]?.deref() }));
    expect(await survivors(built, bundles)).toBe(built.length);
  });
});
