/**
 * Regenerates the typed bindings in imports/ from the pinned CRDs named in
 * cdk8s.yaml. The CRD folder defaults to the project's own pinned copy in
 * crds/ and can be pointed elsewhere with CLUSTER_STACK_CRDS (same sub-folder
 * layout).
 *
 * The bindings are generated into a temporary folder and swapped into place,
 * so a failed import leaves imports/ as it was.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { crdRoot, PINNED_CRD_PREFIX } from '../lib/pipeline/crd-root.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Cdk8sConfig {
  readonly imports?: readonly string[];
}

function main(): void {
  const config = yaml.load(readFileSync(join(projectRoot, 'cdk8s.yaml'), 'utf8')) as Cdk8sConfig;
  const specs = (config.imports ?? []).map((spec) => {
    const [module, file] = spec.split(':=');
    if (!module || !file || !file.startsWith(PINNED_CRD_PREFIX)) {
      throw new Error(`cdk8s.yaml: import '${spec}' must look like <module>:=${PINNED_CRD_PREFIX}<folder>/<file>.yaml`);
    }
    const path = join(crdRoot(), file.slice(PINNED_CRD_PREFIX.length));
    if (!existsSync(path)) {
      throw new Error(`cdk8s.yaml: import '${module}' names ${path}, which does not exist (set CLUSTER_STACK_CRDS to the CRD folder)`);
    }
    return `${module}:=${path}`;
  });

  const staging = mkdtempSync(join(projectRoot, '.imports.tmp-'));
  try {
    for (const spec of specs) {
      process.stdout.write(`import ${spec}\n`);
      execFileSync(
        join(projectRoot, 'node_modules', '.bin', 'cdk8s'),
        ['import', '--no-check-upgrade', '--no-save', '-l', 'typescript', '-o', staging, spec],
        { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] },
      );
    }
    const generated = readdirSync(staging).filter((f) => f.endsWith('.ts'));
    if (generated.length < specs.length) {
      throw new Error(`cdk8s import wrote ${generated.length} files for ${specs.length} imports`);
    }
    const target = join(projectRoot, 'imports');
    const old = `${target}.old-${process.pid}`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    chmodSync(target, 0o755);
    rmSync(old, { recursive: true, force: true });
    process.stdout.write(`wrote ${generated.length} binding files to imports/\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

main();
