// An esbuild plugin for scripts/build.mjs: modules that a bundled module
// requires when it loads but uses on few paths get a stand-in that requires
// the real module on first use, so a process that never uses them does not
// pay for loading them:
//   - cdk8s requires the `yaml` package (cdk8s's own YAML reader and writer)
//     and fast-json-patch, some 6 ms of every process's and worker thread's
//     start-up. The project writes its YAML itself, reads none through
//     cdk8s, and applies cdk8s JSON patches only in provider overlays.
//     cdk8s also requires child_process, to fetch YAML from URLs and (through
//     its ./_child_process) to run helm for its Helm construct, neither of
//     which the project asks of it.
//   - commander requires node:child_process for executable subcommands,
//     which the CLI has none of. Loading child_process brings node:net and
//     node:dgram: some 3 ms (1 ms when node:net is loaded anyway).
// The importers read each only as `require(...)` objects, directly or through
// TypeScript's `__importStar` (which passes an object marked `__esModule`
// through untouched), and through property access. Not for a module the
// project's own sources import: esbuild's `__toESM` copies the stand-in's own
// properties, which it has none of.
export const LAZY = [
  { module: 'yaml', importer: /[\\/]node_modules[\\/]cdk8s[\\/]lib[\\/]/ },
  { module: 'fast-json-patch', importer: /[\\/]node_modules[\\/]cdk8s[\\/]lib[\\/]/ },
  { module: 'child_process', importer: /[\\/]node_modules[\\/]cdk8s[\\/]lib[\\/]/ },
  { module: './_child_process', importer: /[\\/]node_modules[\\/]cdk8s[\\/]lib[\\/]/ },
  { module: 'node:child_process', importer: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]/ },
];

export const lazyRequirePlugin = {
  name: 'lazy-require',
  setup(build) {
    const names = new RegExp(`^(${LAZY.map((l) => l.module.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter: names }, (args) => {
      if (!LAZY.some((l) => l.module === args.path && l.importer.test(args.importer))) return undefined;
      return { path: args.path, namespace: 'lazy-require', pluginData: { resolveDir: args.resolveDir } };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({
      // The inner require resolves from the importer's folder, as its own would.
      contents: [
        'let loaded;',
        `const load = () => (loaded ??= require(${JSON.stringify(args.path)}));`,
        "module.exports = new Proxy({ __esModule: true }, { get: (_, key) => (key === '__esModule' ? true : load()[key]) });",
        '',
      ].join('\n'),
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
  },
};
