import { ScaffoldInputError, type StackName } from './stack-name.ts';

/** The module specifier of a stack's definition, relative to stacks/index.ts. */
function stackModule(name: Pick<StackName, 'provider' | 'stack'>): string {
  return `./${name.provider}/${name.stack}/stack.ts`;
}

/** The entries of an array literal's body, split at commas outside brackets and generics. */
function topLevelEntries(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    const c = body[i];
    if (c === '<' || c === '(' || c === '[' || c === '{') depth++;
    else if (c === '>' || c === ')' || c === ']' || c === '}') depth--;
    else if ((c === ',' && depth === 0) || i === body.length) {
      const entry = body.slice(start, i).trim();
      if (entry.length > 0) out.push(entry);
      start = i + 1;
    }
  }
  return out;
}

/** Where the STACKS array literal is: the offsets of its `[` and matching `]`. */
function findStacksArray(source: string, file: string): { open: number; close: number } {
  const declaration = /export\s+const\s+STACKS\b[^=]*=\s*\[/.exec(source);
  if (!declaration) throw new Error(`${file}: found no 'export const STACKS … = [' to register the stack in`);
  const open = declaration.index + declaration[0].length - 1;
  // The entries are identifiers and type assertions; generics such as
  // ClusterStackDefinition<StackVersionsRow> hold no brackets, but comments
  // and strings might, so they are skipped.
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i);
      if (i < 0) break;
    } else if (c === '/' && source[i + 1] === '*') {
      i = source.indexOf('*/', i + 2) + 1;
      if (i <= 0) break;
    } else if (c === "'" || c === '"' || c === '`') {
      i = source.indexOf(c, i + 1);
      if (i < 0) break;
    } else if (c === '[') {
      depth++;
    } else if (c === ']') {
      depth--;
      if (depth === 0) return { open, close: i };
    }
  }
  throw new Error(`${file}: the STACKS array is not closed`);
}

/**
 * stacks/index.ts with the stack registered: its import after the other
 * stack imports, its entry last in STACKS, in the style of the existing
 * entries (the same type assertion, one entry per line). Pure; refuses
 * when the stack is already imported or listed, so applying it twice is
 * an error and never a duplicate.
 */
export function registerStack(source: string, name: StackName, file = 'stacks/index.ts'): string {
  const module = stackModule(name);
  const identifier = new RegExp(`\\b${name.identifier}\\b`);
  if (source.includes(`'${module}'`) || source.includes(`"${module}"`)) {
    throw new ScaffoldInputError(`${name.path} is already registered: ${file} imports '${module}'`);
  }
  if (identifier.test(source)) throw new ScaffoldInputError(`${name.path} is already registered: ${file} already uses the name '${name.identifier}'`);

  const { open, close } = findStacksArray(source, file);
  const body = source.slice(open + 1, close);
  const entries = topLevelEntries(body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, ''));
  const assertion = entries.length > 0 ? /\s+as\s+([\s\S]+)$/.exec(entries[entries.length - 1])?.[1] : undefined;
  const entry = assertion ? `${name.identifier} as ${assertion}` : name.identifier;

  let array: string;
  if (entries.length === 0) {
    array = `[\n  ${entry},\n]`;
  } else if (body.includes('\n')) {
    const lastLine = body.slice(0, body.trimEnd().length);
    const indent = /\n([ \t]*)\S[^\n]*$/.exec(lastLine)?.[1] ?? '  ';
    const closingIndent = body.slice(body.lastIndexOf('\n') + 1);
    const separator = lastLine.trimEnd().endsWith(',') ? '' : ',';
    array = `[${lastLine}${separator}\n${indent}${entry},\n${closingIndent}]`;
  } else {
    const trimmed = body.trimEnd();
    array = `[${trimmed.endsWith(',') ? trimmed : `${trimmed},`} ${entry}]`;
  }

  const importLine = `import { ${name.identifier} } from '${module}';`;
  const withEntry = source.slice(0, open) + array + source.slice(close + 1);
  const imports = [...withEntry.matchAll(/^import\s[^;]*?from\s+['"]([^'"]+)['"];?[^\n]*$/gm)];
  const stackImports = imports.filter((m) => /^\.\/[^/]+\/[^/]+\/stack\.ts$/.test(m[1]));
  const after = (stackImports.length > 0 ? stackImports : imports).at(-1);
  if (after === undefined) return `${importLine}\n${withEntry}`;
  const at = after.index + after[0].length;
  return `${withEntry.slice(0, at)}\n${importLine}${withEntry.slice(at)}`;
}
