import yaml from 'js-yaml';

/**
 * The documents of a multi-document YAML (or JSON) text a command reads
 * back (a release, a bundle, a file of a template), without the empty ones
 * a leading or trailing `---` leaves. The core schema keeps every value
 * JSON-like (no Date for timestamps), as Kubernetes reads them. Throws one
 * line naming `where` when the text is not YAML.
 */
export function loadYamlDocuments(text: string, where: string): unknown[] {
  try {
    return yaml.loadAll(text, null, { schema: yaml.CORE_SCHEMA }).filter((d) => d !== null && d !== undefined);
  } catch (e) {
    throw new Error(`${where}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}
