import { StackVersion } from '../../constructs/stack-version.ts';

/** A release tag `<provider>-<stack>-<major>-<minor>-<version>` taken apart. */
export interface ReleaseTag {
  readonly tag: string;
  readonly provider: string;
  readonly stack: string;
  readonly major: number;
  readonly minor: number;
  readonly version: StackVersion;
  /** `<provider>-<stack>-<major>-<minor>`: the chart name prefix and the operator's cluster stack name. */
  readonly name: string;
}

// The Cluster Stack Operator splits a release name on '-': provider and stack
// hold no '-', then Kubernetes major and minor, then the version in tag form.
const RELEASE_TAG = /^([a-z][a-z0-9]*)-([a-z][a-z0-9]*)-([0-9]+)-([0-9]+)-(v.*)$/;

/** The parts of a release tag, or undefined when the tag is not one (e.g. `latest`). */
export function parseReleaseTag(tag: string): ReleaseTag | undefined {
  const m = RELEASE_TAG.exec(tag);
  if (!m) return undefined;
  let version: StackVersion;
  try {
    version = StackVersion.parseTag(m[5] as string);
  } catch {
    return undefined;
  }
  const [provider, stack, major, minor] = [m[1] as string, m[2] as string, Number(m[3]), Number(m[4])];
  return { tag, provider, stack, major, minor, version, name: `${provider}-${stack}-${major}-${minor}` };
}

/**
 * Release order: stable versions by number (v2 before v10), then
 * pre-releases by major, channel and id (ids compared as numbers when both
 * are numbers).
 */
export function compareVersions(a: StackVersion, b: StackVersion): number {
  if (a.isStable !== b.isStable) return a.isStable ? -1 : 1;
  if (a.major !== b.major) return a.major - b.major;
  if (a.isStable) return 0;
  const channel = compareText(a.channel ?? '', b.channel ?? '');
  if (channel !== 0) return channel;
  const [x, y] = [a.id ?? '', b.id ?? ''];
  if (/^[0-9]+$/.test(x) && /^[0-9]+$/.test(y)) return x.length !== y.length ? x.length - y.length : compareText(x, y);
  return compareText(x, y);
}

/** Orders release tags by provider, stack, Kubernetes minor (numerically), then version. */
export function compareReleaseTags(a: ReleaseTag, b: ReleaseTag): number {
  return compareText(a.provider, b.provider) || compareText(a.stack, b.stack) || a.major - b.major || a.minor - b.minor || compareVersions(a.version, b.version);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
