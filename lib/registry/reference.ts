/**
 * Names in the OCI distribution spec: registry host, repository path and tag.
 * Checked before any request so that a typo is a usage error, not a 404.
 */

/** A path component of a repository name (distribution/reference grammar). */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/;

/** `host[:port]` without a scheme or path; returns it lower-cased. */
export function parseRegistryHost(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Error(`registry '${value}' has a scheme; expected host[:port] (e.g. ghcr.io or 127.0.0.1:5000), and --plain-http for a registry without TLS`);
  }
  const m = HOST.exec(value);
  const port = m?.[1] === undefined ? undefined : Number(m[1]);
  if (!m || (port !== undefined && (port < 1 || port > 65535))) {
    throw new Error(`registry '${value}' is not a host[:port]; expected e.g. ghcr.io or 127.0.0.1:5000`);
  }
  return value.toLowerCase();
}

export function assertRepository(value: string): void {
  const components = value.split('/');
  if (value.length > 255 || components.some((c) => !PATH_COMPONENT.test(c))) {
    throw new Error(`repository '${value}' is not a valid OCI repository name; expected lower-case path components of letters and digits separated by '.', '_', '__' or '-', joined by '/', at most 255 characters`);
  }
}

export function assertTag(value: string): void {
  if (!TAG.test(value)) {
    throw new Error(`tag '${value}' is not a valid OCI tag; expected letters, digits, '_', '.' and '-', at most 128 characters, not starting with '.' or '-'`);
  }
}

/** `registry/repository:tag`, for messages. */
export function formatReference(registry: string, repository: string, tagOrDigest: string): string {
  return tagOrDigest.startsWith('sha256:') ? `${registry}/${repository}@${tagOrDigest}` : `${registry}/${repository}:${tagOrDigest}`;
}
