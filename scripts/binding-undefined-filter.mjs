// An esbuild plugin for scripts/build.mjs: the bindings cdk8s generated
// into imports/ drop a converted object's undefined values with
//
//   Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {})
//
// which copies the object once per key: a synthesis ran some 3 % of its
// time in it and in the garbage it leaves. The bundle gets a loop with the
// same result (the same keys in the same order, undefined values left out),
// and the files in imports/ stay as generated. A binding whose filter is
// spelled otherwise is left alone; test/compiled-cli.test.ts holds the
// compiled CLI's output equal to the sources'.
import { readFile } from 'node:fs/promises';

export const GENERATED_FILTER = 'Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {})';
const HELPER = '__clusterStacksWithoutUndefined';

/** The source of a generated binding with its undefined filter replaced, or undefined when it holds none. */
export function withLoopFilter(source) {
  if (!source.includes(GENERATED_FILTER)) return undefined;
  return `${source.split(GENERATED_FILTER).join(`${HELPER}(result)`)}
function ${HELPER}(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
`;
}

export const bindingUndefinedFilterPlugin = {
  name: 'binding-undefined-filter',
  setup(build) {
    build.onLoad({ filter: /[\\/]imports[\\/][^\\/]+\.ts$/ }, async (args) => {
      const contents = withLoopFilter(await readFile(args.path, 'utf8'));
      return contents === undefined ? undefined : { contents, loader: 'ts' };
    });
  },
};
