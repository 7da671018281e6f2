// An esbuild plugin for scripts/build.mjs: cdk8s's modules require the `yaml`
// package (cdk8s's own YAML reader and writer) and fast-json-patch when they
// load, which costs every process and worker thread some 6 ms of start-up.
// The project writes its YAML itself, reads none through cdk8s, and applies
// cdk8s JSON patches only in provider overlays, so the bundle gives cdk8s a
// stand-in for each that requires the real module on first use. cdk8s reads
// both only as `require(...)` objects, through `__importStar` (which passes
// an object marked `__esModule` through untouched) and property access.
export const LAZY_IN_CDK8S = ['yaml', 'fast-json-patch'];

export const lazyRequirePlugin = {
  name: 'lazy-require-in-cdk8s',
  setup(build) {
    const names = new RegExp(`^(${LAZY_IN_CDK8S.map((n) => n.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter: names }, (args) => {
      if (!/[\\/]node_modules[\\/]cdk8s[\\/]lib[\\/]/.test(args.importer)) return undefined;
      return { path: args.path, namespace: 'lazy-require', pluginData: { resolveDir: args.resolveDir } };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({
      // The inner require resolves from cdk8s's folder, as cdk8s's own would.
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
