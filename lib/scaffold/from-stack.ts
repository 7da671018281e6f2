import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readmeFile, type ScaffoldFile } from './templates.ts';
import { parseStackName, ScaffoldInputError, type StackName } from './stack-name.ts';

/** Folders and files of a stack that belong to it alone and are never copied. */
const NOT_COPIED = new Set(['version-record', 'README.md']);

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (d === dir && NOT_COPIED.has(entry)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The files of an existing stack, renamed for the new one: the exported
 * definition (`dockerScs` → `acmeScs`), the versions row interface, the
 * `provider:`/`stack:` fields of the definition and `<provider>/<stack>` in
 * comments. Version records stay behind (the copy is released on its own)
 * and the README is written new. The folder depth is the same, so relative
 * imports keep working.
 */
export function copiedStackFiles(root: string, from: string, name: StackName): ScaffoldFile[] {
  let source: StackName;
  try {
    source = parseStackName(from);
  } catch (e) {
    throw new ScaffoldInputError(`--from ${(e as Error).message}`);
  }
  const dir = join(root, 'stacks', source.provider, source.stack);
  if (!existsSync(join(dir, 'stack.ts'))) throw new ScaffoldInputError(`--from '${from}': stacks/${from}/stack.ts does not exist`);

  const files = listFiles(dir).map((path) => ({ path, content: readFileSync(join(dir, path), 'utf8') }));
  const stackTs = files.find((f) => f.path === 'stack.ts');
  const definition = stackTs && /export\s+const\s+([A-Za-z_$][\w$]*)\s*=\s*defineClusterStack\b/.exec(stackTs.content)?.[1];
  if (!definition) throw new Error(`stacks/${from}/stack.ts: found no 'export const <name> = defineClusterStack(' to rename`);
  const versionsType = files
    .filter((f) => f.path.endsWith('.ts'))
    .map((f) => /export\s+interface\s+([A-Za-z_$][\w$]*)\s+extends\s+StackVersionsRow\b/.exec(f.content)?.[1])
    .find((t) => t !== undefined);

  const renames: [RegExp, string][] = [[new RegExp(`\\b${escape(definition)}\\b`, 'g'), name.identifier]];
  if (versionsType) renames.push([new RegExp(`\\b${escape(versionsType)}\\b`, 'g'), name.versionsType]);
  renames.push([new RegExp(`(?<![\\w./-])${escape(source.path)}(?![\\w-])`, 'g'), name.path]);

  const out = files.map((f) => {
    if (!f.path.endsWith('.ts')) return f;
    let content = f.content;
    for (const [pattern, replacement] of renames) content = content.replace(pattern, replacement);
    if (f.path === 'stack.ts') {
      // Only the definition's own fields: the first `provider:` and `stack:` after defineClusterStack(.
      const at = content.indexOf('defineClusterStack(');
      const head = content.slice(0, at);
      const tail = content
        .slice(at)
        .replace(new RegExp(`(\\bprovider:\\s*)(['"])${escape(source.provider)}\\2`), `$1$2${name.provider}$2`)
        .replace(new RegExp(`(\\bstack:\\s*)(['"])${escape(source.stack)}\\2`), `$1$2${name.stack}$2`);
      content = head + tail;
    }
    return { path: f.path, content };
  });
  return [...out, { path: 'README.md', content: readmeFile(name, source.path) }];
}
