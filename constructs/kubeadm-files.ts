/**
 * A file cloud-init writes on a node (`kubeadmConfigSpec.files[]`), shared by
 * the control plane and worker bootstrap templates.
 */
export interface KubeadmFile {
  readonly path: string;
  /** Inline content. Exactly one of content and secret. */
  readonly content?: string;
  /** Content from a Secret in the Cluster's namespace (never inline for keys). */
  readonly secret?: { readonly name: string; readonly key: string };
  /** @default 'root:root' */
  readonly owner?: string;
  /** @default '0644' */
  readonly permissions?: string;
}

/** Largest inline file the v1beta1 CRDs accept (`files[].content` maxLength). */
export const MAX_FILE_CONTENT = 10240;

/** A files[] entry as the bindings type it (props given directly to a template). */
export interface KubeadmFileEntry {
  readonly path: string;
  readonly content?: string;
  readonly contentFrom?: unknown;
  readonly permissions?: string;
}

/**
 * Applies the checks of renderFiles to entries given in a template's own
 * spec, so both ways of adding a file are held to the same rules.
 */
export function assertFileEntries(files: readonly KubeadmFileEntry[], where: string): void {
  renderFiles(
    files.map((f) => ({
      path: f.path,
      ...(f.content !== undefined ? { content: f.content } : {}),
      // Only whether a Secret is named matters here.
      ...(f.contentFrom !== undefined ? { secret: { name: '', key: '' } } : {}),
      ...(f.permissions !== undefined ? { permissions: f.permissions } : {}),
    })),
    where,
  );
}

/** Renders files in the shape both bindings share, validating each. */
export function renderFiles(files: readonly KubeadmFile[], where: string): { path: string; owner: string; permissions: string; content?: string; contentFrom?: { secret: { name: string; key: string } } }[] {
  const seen = new Set<string>();
  return files.map((f) => {
    if (!f.path.startsWith('/')) throw new Error(`${where}: file path '${f.path}' must be absolute`);
    if (seen.has(f.path)) throw new Error(`${where}: file '${f.path}' is written twice`);
    seen.add(f.path);
    if ((f.content === undefined) === (f.secret === undefined)) {
      throw new Error(`${where}: file '${f.path}' needs exactly one of 'content' and 'secret'`);
    }
    if (f.content !== undefined && f.content.length > MAX_FILE_CONTENT) {
      throw new Error(`${where}: file '${f.path}' has ${f.content.length} characters; the CRD allows at most ${MAX_FILE_CONTENT}`);
    }
    const permissions = f.permissions ?? '0644';
    if (!/^0[0-7]{3}$/.test(permissions)) throw new Error(`${where}: file '${f.path}' permissions '${permissions}' must be octal like 0600`);
    return {
      path: f.path,
      owner: f.owner ?? 'root:root',
      permissions,
      ...(f.content !== undefined ? { content: f.content } : {}),
      ...(f.secret ? { contentFrom: { secret: { name: f.secret.name, key: f.secret.key } } } : {}),
    };
  });
}
