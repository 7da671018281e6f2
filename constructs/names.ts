import type { KubernetesVersion } from './kubernetes-version.ts';
import type { StackVersion } from './stack-version.ts';

/** Longest name that is also valid as a label value and a DNS-1123 label. */
export const MAX_NAME_LENGTH = 63;

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_PART = /^[a-z][a-z0-9]*$/;

/** Throws unless `name` is a DNS-1123 label of at most 63 characters. */
export function assertDnsLabel(name: string, what: string): void {
  if (name.length > MAX_NAME_LENGTH || !DNS_1123_LABEL.test(name)) {
    throw new Error(`${what} '${name}' is not a valid name; expected lower-case letters, digits and '-', at most ${MAX_NAME_LENGTH} characters, starting and ending with a letter or digit`);
  }
}

/** A DNS-1123 subdomain, what most object names may be: labels joined by '.', at most 253 characters. */
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function assertDnsSubdomain(name: string, what: string): void {
  if (name.length > 253 || !DNS_1123_SUBDOMAIN.test(name)) {
    throw new Error(`${what} '${name}' is not a valid name; expected lower-case letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit`);
  }
}

/** A Kubernetes label value: at most 63 characters, alphanumerics with '-', '_' and '.' inside. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function assertLabelValue(value: string, what: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new Error(`${what} '${value}' is not a valid label value; expected at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`);
  }
}

/**
 * Provider and stack names may not contain '-': the Cluster Stack Operator
 * splits release names on it.
 */
export function assertNamePart(value: string, what: string): void {
  if (!NAME_PART.test(value)) {
    throw new Error(`${what} '${value}' is not valid; expected lower-case letters and digits starting with a letter (no '-': the operator splits names on it)`);
  }
}

/** Identity of one cluster stack: provider, stack name and Kubernetes minor. */
export interface ClusterStackIdentity {
  readonly provider: string;
  readonly stack: string;
  readonly kubernetes: KubernetesVersion;
}

/** `<provider>-<stack>-<major>-<minor>`: the Helm release name the operator uses. */
export function clusterStackName(id: ClusterStackIdentity): string {
  return `${id.provider}-${id.stack}-${id.kubernetes.minorSlug}`;
}

/** `<provider>-<stack>-<major>-<minor>-<version>` in the ClusterClass (dotted) form. */
export function clusterClassName(id: ClusterStackIdentity, version: StackVersion): string {
  const name = `${clusterStackName(id)}-${version.toString()}`;
  // The dotted form of a pre-release is a DNS subdomain, not a label.
  assertDnsLabel(name.replace(/\./g, '-'), 'ClusterClass name');
  return name;
}

/** `<provider>-<stack>-<major>-<minor>-<version>` in the release tag (dashed) form. */
export function releaseTag(id: ClusterStackIdentity, version: StackVersion): string {
  return `${clusterStackName(id)}-${version.toTag()}`;
}

/** `<class>-<role>`: the name of a template the ClusterClass references. */
export function templateName(className: string, role: string): string {
  const name = `${className}-${role}`;
  assertDnsLabel(name.replace(/\./g, '-'), 'template name');
  return name;
}
