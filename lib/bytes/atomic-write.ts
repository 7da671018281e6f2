import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A file to write: path relative to the tree root, and its content. */
export interface TreeFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/** A sub-folder of an output folder and the files it will hold. */
export interface SubtreeReplacement {
  /** Relative to the output folder, e.g. `docker/scs/1-34`. */
  readonly path: string;
  readonly files: readonly TreeFile[];
}

/**
 * The marker file that makes a folder this tool's to replace. It is written
 * into every output folder; a folder without it is the user's, and is only
 * written when it is new or empty.
 */
export const OUTPUT_MARKER = '.cluster-stacks-output';

/** The kinds of trees the commands write; a folder holding one kind is never given another. */
export type OutputKind = 'synth' | 'docs' | 'release';

const KIND_TEXT: Record<OutputKind, string> = {
  synth: 'synthesized bundles (`cluster-stacks synth`, `release`, `new`)',
  docs: 'generated documentation (`cluster-stacks docs`)',
  release: 'release folders (`cluster-stacks release`)',
};

/** The marker's content: what wrote the folder, and how to take it back. Deterministic, as it is committed in dist/ and docs/. */
export function outputMarker(kind: OutputKind): string {
  return [
    `# This folder holds ${KIND_TEXT[kind]}.`,
    '# cluster-stacks replaces everything in it on each run. Delete this file to stop it from writing here.',
    `kind: ${kind}`,
    '',
  ].join('\n');
}

/** The output folder cannot be written as asked; the message says which folder, why, and what to do. */
export class OutputFolderError extends Error {}

/** Staging and old-content folders this module creates inside an output folder (left behind only by a killed run). */
const SCRATCH = /^\.cluster-stacks-(?:staging|old)-[0-9a-f]{12}$/;

function scratchName(what: 'staging' | 'old'): string {
  return `.cluster-stacks-${what}-${randomBytes(6).toString('hex')}`;
}

/**
 * One line for a file-system error while writing `path`, instead of Node's
 * raw `ENAMETOOLONG: name too long, mkdir '…'`.
 */
export function describeFsError(e: unknown, path: string): Error {
  if (e instanceof OutputFolderError || !(e instanceof Error)) return e instanceof Error ? e : new Error(String(e));
  const code = (e as NodeJS.ErrnoException).code;
  // Name the user's path, not the staging folder inside it.
  const at = ((e as NodeJS.ErrnoException).path ?? path).replace(/\/\.cluster-stacks-(?:staging|old)-[0-9a-f]{12}(?=\/|$)/, '');
  switch (code) {
    case 'ENAMETOOLONG': {
      const longest = at.split('/').reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a), '');
      return new OutputFolderError(`${at}: name too long for the file system ('${longest.length > 40 ? `${longest.slice(0, 40)}…` : longest}' has ${Buffer.byteLength(longest)} bytes; most file systems allow 255 per name); choose a shorter folder or name`);
    }
    case 'ENOTDIR':
      return new OutputFolderError(`${at}: a part of this path is a file, not a folder; choose another output folder`);
    case 'EACCES':
    case 'EPERM':
      return new OutputFolderError(`${at}: permission denied (${code}); choose a folder you can write, or fix its permissions`);
    case 'EROFS':
      return new OutputFolderError(`${at}: the file system is read-only; choose another output folder`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new OutputFolderError(`${at}: no space left on the device (${code}); nothing was replaced`);
    default:
      return e;
  }
}

/** undefined when nothing is at `path` (also when a parent is a file: the callers then name that parent). */
function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw describeFsError(e, path);
  }
}

/** The nearest existing ancestor must be a folder (symbolic links to folders are fine there), or `path` cannot be created. */
function assertCreatable(path: string): void {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const stat = lstatOrUndefined(dir);
    if (!stat) continue;
    let isDir = stat.isDirectory();
    if (stat.isSymbolicLink()) {
      try {
        isDir = statSync(dir).isDirectory();
      } catch {
        isDir = false;
      }
    }
    if (!isDir) throw new OutputFolderError(`${dir} is not a folder; cannot write ${path}`);
    return;
  }
}

/** How an output folder stands before it is written. */
export type OutputFolderState = 'new' | 'empty' | 'owned';

/**
 * Whether `folder` may be written as output of `kind`, and how it stands:
 * it does not exist ('new'), is empty ('empty', possibly with scratch
 * folders of a killed run), or carries this tool's marker of the same kind
 * ('owned'). Anything else throws an OutputFolderError that names the
 * folder, says why and what to do: a folder with other files (`.`, a home
 * folder, a typo), a folder of another kind, a file, or a symbolic link —
 * links are never followed, so a link cannot turn a run into replacing
 * whatever it points at.
 */
export function assertOutputFolder(folder: string, kind: OutputKind): OutputFolderState {
  const stat = lstatOrUndefined(folder);
  if (!stat) {
    assertCreatable(folder);
    return 'new';
  }
  if (stat.isSymbolicLink()) {
    let to = '';
    try {
      to = ` to ${resolve(dirname(folder), readlinkSync(folder))}`;
    } catch {
      // unreadable link: name it without its target
    }
    throw new OutputFolderError(`refusing to write into ${folder}: it is a symbolic link${to}, and links are not followed; pass the folder itself`);
  }
  if (!stat.isDirectory()) throw new OutputFolderError(`cannot write into ${folder}: it is a file, not a folder; choose another output folder`);
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch (e) {
    throw describeFsError(e, folder);
  }
  if (entries.every((e) => SCRATCH.test(e))) return 'empty';
  if (!entries.includes(OUTPUT_MARKER)) {
    throw new OutputFolderError(`refusing to write into ${folder}: it is not empty and was not written by cluster-stacks (it has no ${OUTPUT_MARKER}); its files would be replaced. Choose a new or empty folder`);
  }
  const markerPath = join(folder, OUTPUT_MARKER);
  const found = markerKind(markerPath);
  if (found !== kind) {
    throw new OutputFolderError(`refusing to write ${kind} output into ${folder}: its ${OUTPUT_MARKER} says it holds ${found === undefined ? 'something unknown' : `${found} output`}; choose another folder`);
  }
  return 'owned';
}

function markerKind(path: string): OutputKind | string | undefined {
  const stat = lstatOrUndefined(path);
  if (!stat?.isFile()) return undefined;
  const m = /^kind: ([a-z]+)$/m.exec(readFileSync(path, 'utf8'));
  return m?.[1];
}

function assertRelative(path: string, root: string): void {
  if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`refusing to write '${path}' outside ${root}`);
}

/** Creates `dir` and its missing parents; returns the top-most folder it created, if any. */
function makeFolders(dir: string): string | undefined {
  let top: string | undefined;
  for (let d = dir; !lstatOrUndefined(d); d = dirname(d)) top = d;
  mkdirSync(dir, { recursive: true });
  return top;
}

interface Staged {
  readonly target: string;
  readonly staging: string;
}

/**
 * Replaces the content of `target` by that of `staging` (a folder inside it):
 * the old entries move into a scratch folder, the staged ones move up, the
 * scratch folder is removed. The folder itself stays — its inode, mode,
 * owner and any link to it — so a shell inside it or a bind mount of it is
 * not left on a deleted folder. A rename failing half-way is rolled back.
 */
function swapContents({ target, staging }: Staged): void {
  const old = join(target, scratchName('old'));
  mkdirSync(old);
  const movedOld: string[] = [];
  const movedNew: string[] = [];
  try {
    for (const name of readdirSync(target)) {
      if (name === basename(staging) || name === basename(old)) continue;
      renameSync(join(target, name), join(old, name));
      movedOld.push(name);
    }
    for (const name of readdirSync(staging)) {
      renameSync(join(staging, name), join(target, name));
      movedNew.push(name);
    }
  } catch (e) {
    for (const name of movedNew) renameSync(join(target, name), join(staging, name));
    for (const name of movedOld) renameSync(join(old, name), join(target, name));
    rmSync(old, { recursive: true, force: true });
    throw e;
  }
  rmdirSync(staging);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Writes output of `kind` below the output folder `root`: each tree replaces
 * the folder at its path (`''` for `root` itself, which then holds exactly
 * its files and the marker), each of `files` replaces the regular file at
 * its path, which must exist outside the trees. `root` must pass
 * assertOutputFolder. Every tree is written to a staging folder and every
 * file to a new sibling first, and only when all are written are they
 * renamed in, so a failure while writing changes nothing (and removes the
 * folders it created).
 */
function writeOutput(root: string, kind: OutputKind, trees: readonly SubtreeReplacement[], files: readonly TreeFile[] = []): void {
  const state = assertOutputFolder(root, kind);
  const replaced = files.map((f) => {
    assertRelative(f.path, root);
    const target = join(root, f.path);
    const inTree = trees.find((t) => t.path === '' || f.path.startsWith(`${t.path}/`));
    if (inTree) throw new Error(`writeOutput: ${target} is replaced both by itself and with the folder ${join(root, inTree.path)}`);
    const stat = lstatOrUndefined(target);
    if (!stat?.isFile()) throw new OutputFolderError(`${target} is ${stat ? 'not a regular file' : 'gone'}${stat?.isSymbolicLink() ? ' (a symbolic link)' : ''}; refusing to replace it`);
    return { target, content: f.content, staged: join(dirname(target), scratchName('staging')) };
  });
  const marker: TreeFile = { path: OUTPUT_MARKER, content: outputMarker(kind) };
  const targets = trees.map((t) => {
    assertRelative(t.path, root);
    const target = t.path === '' ? root : join(root, t.path);
    if (t.path !== '') {
      const stat = lstatOrUndefined(target);
      if (stat && !stat.isDirectory()) throw new OutputFolderError(`${target} is not a folder${stat.isSymbolicLink() ? ' (a symbolic link)' : ''}; cannot write ${target} below ${root}`);
      if (!stat) for (let d = dirname(target); d !== root && d !== dirname(d); d = dirname(d)) {
        const s = lstatOrUndefined(d);
        if (s && !s.isDirectory()) throw new OutputFolderError(`${d} is not a folder; cannot write ${target}`);
      }
    }
    return { target, files: t.path === '' ? [...t.files.filter((f) => f.path !== OUTPUT_MARKER), marker] : t.files };
  });
  const created: string[] = [];
  const staged: Staged[] = [];
  const stagedFiles: string[] = [];
  let current = root;
  try {
    if (state === 'new') {
      const top = makeFolders(root);
      if (top) created.push(top);
    }
    for (const f of replaced) {
      current = f.target;
      // Listed first: a write that fails half-way may leave the file.
      stagedFiles.push(f.staged);
      writeFileSync(f.staged, f.content, { flag: 'wx' });
    }
    for (const { target, files } of targets) {
      current = target;
      const top = makeFolders(target);
      if (top) created.push(top);
      const staging = join(target, scratchName('staging'));
      mkdirSync(staging);
      staged.push({ target, staging });
      writeStagedFiles(staging, files, target, (path) => {
        current = path;
      });
    }
    current = root;
    // A root written through sub-folders only is ours from now on too.
    if (state !== 'owned' && !targets.some((t) => t.target === root)) {
      const staging = join(root, scratchName('staging'));
      mkdirSync(staging);
      writeFileSync(join(staging, OUTPUT_MARKER), marker.content, { flag: 'wx' });
      staged.push({ target: root, staging });
    }
  } catch (e) {
    for (const { staging } of staged) rmSync(staging, { recursive: true, force: true });
    for (const file of stagedFiles) rmSync(file, { force: true });
    for (const dir of created.reverse()) rmSync(dir, { recursive: true, force: true });
    throw describeFsError(e, current);
  }
  // Files first: a rename failing there leaves every folder as it was.
  for (const [i, f] of replaced.entries()) {
    try {
      renameSync(f.staged, f.target);
    } catch (e) {
      for (const rest of replaced.slice(i)) rmSync(rest.staged, { force: true });
      for (const { staging } of staged) rmSync(staging, { recursive: true, force: true });
      throw describeFsError(e, f.target);
    }
  }
  for (const s of staged) {
    if (s.target === root && state !== 'owned' && !targets.some((t) => t.target === root)) {
      renameSync(join(s.staging, OUTPUT_MARKER), join(root, OUTPUT_MARKER));
      rmdirSync(s.staging);
    } else {
      swapContents(s);
    }
  }
}

/**
 * Writes files below a folder inside the staging folder of a tree being
 * replaced (or the staging folder itself), each created new (`wx`). Each
 * folder is made once: a large tree has a few folders for every twenty
 * files, and a recursive mkdir per file was a tenth of a synth. `shownAs` is
 * the folder the staging one stands for, in messages; `onFile` hears the
 * path of each file before it is written.
 */
export function writeStagedFiles(staging: string, files: readonly TreeFile[], shownAs: string, onFile: (path: string) => void = () => undefined): void {
  // `staging` itself may not exist yet (a bundle's folder inside the staging folder).
  const folders = new Set<string>();
  for (const f of files) {
    assertRelative(f.path, shownAs);
    const path = join(staging, f.path);
    onFile(join(shownAs, f.path));
    const folder = dirname(path);
    try {
      if (!folders.has(folder)) {
        mkdirSync(folder, { recursive: true });
        for (let d = folder; !folders.has(d) && d !== dirname(d); d = dirname(d)) folders.add(d);
      }
      writeFileSync(path, f.content, { flag: 'wx' });
    } catch (e) {
      throw describeFsError(e, join(shownAs, f.path));
    }
  }
}

/**
 * A replacement of a whole output folder written by several threads:
 * beginTreeReplacement checks the folder (as replaceTree does) and makes the
 * staging folder inside it; any thread writes below `staging` with
 * writeStagedFiles, each its own files; commit() adds the marker and swaps the
 * staged content in, abort() removes everything it made. Until commit nothing
 * of the new content is visible, so a failure in any thread changes nothing.
 */
export interface TreeReplacement {
  /** The folder to write below; `files` paths are relative to it as to the output folder. */
  readonly staging: string;
  commit(): void;
  abort(): void;
}

export function beginTreeReplacement(target: string, kind: OutputKind): TreeReplacement {
  const state = assertOutputFolder(target, kind);
  let created: string | undefined;
  let staging: string;
  try {
    if (state === 'new') created = makeFolders(target);
    staging = join(target, scratchName('staging'));
    mkdirSync(staging);
  } catch (e) {
    if (created) rmSync(created, { recursive: true, force: true });
    throw describeFsError(e, target);
  }
  const abort = (): void => {
    rmSync(staging, { recursive: true, force: true });
    if (created) rmSync(created, { recursive: true, force: true });
  };
  return {
    staging,
    abort,
    commit: () => {
      try {
        writeFileSync(join(staging, OUTPUT_MARKER), outputMarker(kind), { flag: 'wx' });
      } catch (e) {
        abort();
        throw describeFsError(e, join(target, OUTPUT_MARKER));
      }
      swapContents({ target, staging });
    },
  };
}

/**
 * Replaces everything in the output folder `target` with exactly `files`
 * (and the marker), as far as the file system allows atomically: see
 * writeOutput. Refuses, changing nothing, a folder that is not this tool's
 * output of `kind` (assertOutputFolder).
 */
export function replaceTree(target: string, files: readonly TreeFile[], kind: OutputKind): void {
  writeOutput(target, kind, [{ path: '', files }]);
}

/**
 * Replaces the given sub-folders of the output folder `root` (creating it,
 * with its marker, when it is new or empty), leaving its other content:
 * a filtered run. All or nothing, as replaceTree.
 */
export function replaceSubtrees(root: string, kind: OutputKind, subtrees: readonly SubtreeReplacement[]): void {
  updateOutput(root, kind, { folders: subtrees, files: [] });
}

/**
 * Replaces the sub-folders `folders` and the files `files` of the output
 * folder `root` (each file must exist, a regular file outside `folders`,
 * and keeps its folder): an incremental synth, which replaces a bundle's
 * changed files when the bundle holds the same paths as before
 * (lib/bytes/folder-changes.ts), the whole bundle folder otherwise. All or
 * nothing while writing, as replaceTree; each file and folder is then
 * renamed into place atomically.
 */
export function updateOutput(root: string, kind: OutputKind, change: { readonly folders: readonly SubtreeReplacement[]; readonly files: readonly TreeFile[] }): void {
  for (const s of change.folders) if (s.path === '') throw new Error('a sub-folder path is empty; use replaceTree for the whole folder');
  writeOutput(root, kind, change.folders, change.files);
}

/**
 * Replaces single files below the output folder `root` (checked as
 * replaceTree checks it), each atomically: a filtered `docs` run.
 */
export function replaceOutputFiles(root: string, kind: OutputKind, files: readonly TreeFile[]): void {
  const state = assertOutputFolder(root, kind);
  for (const f of files) assertRelative(f.path, root);
  let created: string | undefined;
  try {
    if (state === 'new') created = makeFolders(root);
    for (const f of files) replaceFile(join(root, f.path), f.content);
    if (state !== 'owned') replaceFile(join(root, OUTPUT_MARKER), outputMarker(kind));
  } catch (e) {
    if (created) rmSync(created, { recursive: true, force: true });
    throw describeFsError(e, root);
  }
}

/**
 * Replaces one file atomically: write a sibling, then rename it over the
 * target. The file's permission bits are kept.
 */
export function replaceFile(path: string, content: string | Uint8Array): void {
  const existing = lstatOrUndefined(path);
  if (existing && !existing.isFile()) throw new OutputFolderError(`${path} is not a regular file${existing.isSymbolicLink() ? ' (a symbolic link)' : ''}; refusing to replace it`);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, content);
    if (existing) chmodSync(tmp, existing.mode & 0o7777);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw describeFsError(e, path);
  }
}
