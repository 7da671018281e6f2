import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CrdSchemaRegistry } from '../pipeline/crd-schema.ts';
import { crdRoot } from '../pipeline/crd-root.ts';

/** One pinned CRD file (a row of crds/SOURCES.md) and what it validated. */
export interface CrdPin {
  /** Path below crds/, e.g. capi-v1.10.9/cluster.x-k8s.io_clusterclasses.yaml. */
  readonly file: string;
  /** Upstream repository (`owner/name`), tag and path the file was copied from. */
  readonly repository: string;
  readonly tag: string;
  readonly path: string;
  /** sha256 of the file as carried here. */
  readonly digest: string;
  /** apiVersion/kind pairs of the release that this file's schema validated. */
  readonly validates: readonly { readonly apiVersion: string; readonly kind: string }[];
}

/** The rows of crds/SOURCES.md: `| file | repository | tag | path |`. */
export function readCrdSources(root: string = crdRoot()): Map<string, { repository: string; tag: string; path: string }> {
  const sources = join(root, 'SOURCES.md');
  const rows = new Map<string, { repository: string; tag: string; path: string }>();
  if (!existsSync(sources)) return rows;
  for (const line of readFileSync(sources, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // '| a | b | c | d |' splits into ['', a, b, c, d, '']
    if (cells.length !== 6 || !cells[1]?.endsWith('.yaml')) continue;
    rows.set(cells[1], { repository: cells[2] as string, tag: cells[3] as string, path: cells[4] as string });
  }
  return rows;
}

/**
 * The CRD files the release's objects validate against — the same choice
 * `validate` and the tests make (CrdSchemaRegistry: the file where the
 * version is current) — with the upstream origin SOURCES.md records.
 * Kinds without a CRD (core Kubernetes, config files) are left out.
 */
export function validatedCrds(kinds: readonly { readonly apiVersion: string; readonly kind: string }[], registry: CrdSchemaRegistry = CrdSchemaRegistry.load()): CrdPin[] {
  const root = crdRoot();
  const sources = readCrdSources(root);
  const byFile = new Map<string, { apiVersion: string; kind: string }[]>();
  for (const k of kinds) {
    const info = registry.describe(k.apiVersion, k.kind);
    if (!info) continue;
    byFile.set(info.file, [...(byFile.get(info.file) ?? []), { apiVersion: k.apiVersion, kind: k.kind }]);
  }
  return [...byFile.entries()]
    .map(([abs, validates]) => {
      const file = relative(root, abs).split('\\').join('/');
      const source = sources.get(file);
      return {
        file,
        repository: source?.repository ?? '',
        tag: source?.tag ?? '',
        path: source?.path ?? '',
        digest: `sha256:${createHash('sha256').update(readFileSync(abs)).digest('hex')}`,
        validates,
      };
    })
    .sort((a, b) => (a.file < b.file ? -1 : 1));
}
