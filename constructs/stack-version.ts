/**
 * A cluster stack version as the Cluster Stack Operator understands it
 * (its `pkg/version`): `v<N>` for stable releases, `v<N>-<channel>.<id>` in
 * the ClusterClass/metadata form and `v<N>-<channel>-<id>` in the release tag
 * form; `v0-sha.<hash>` is csctl's development form.
 *
 * We accept a subset of what the operator accepts: no leading zeros (so that
 * parsing and formatting round-trip) and only lower-case letters and digits
 * in channel and id (so that the version is valid in a DNS-1123 name).
 */
export class StackVersion {
  private static readonly CLASS_FORM = /^v(0|[1-9][0-9]*)(?:-([a-z][a-z0-9]*)\.([a-z0-9]+))?$/;
  private static readonly TAG_FORM = /^v(0|[1-9][0-9]*)(?:-([a-z][a-z0-9]*)-([a-z0-9]+))?$/;

  /** Parses the ClusterClass form (`v1`, `v1-alpha.0`, `v0-sha.abc123`). */
  public static parse(text: string): StackVersion {
    return StackVersion.match(text, StackVersion.CLASS_FORM, 'v<N> or v<N>-<channel>.<id>');
  }

  /** Parses the release tag form (`v1`, `v1-alpha-0`, `v0-sha-abc123`). */
  public static parseTag(text: string): StackVersion {
    return StackVersion.match(text, StackVersion.TAG_FORM, 'v<N> or v<N>-<channel>-<id>');
  }

  /** A stable version `v<major>`. */
  public static stable(major: number): StackVersion {
    return new StackVersion(major, undefined, undefined);
  }

  /** A pre-release or development version, e.g. `prerelease(0, 'sha', 'abc123')`. */
  public static prerelease(major: number, channel: string, id: string): StackVersion {
    return StackVersion.parse(`v${major}-${channel}.${id}`);
  }

  private static match(text: string, form: RegExp, expected: string): StackVersion {
    const m = form.exec(text);
    if (!m) {
      throw new Error(`invalid cluster stack version '${text}'; expected ${expected} (lower-case channel and id, no leading zeros)`);
    }
    const major = Number(m[1]);
    if (!Number.isSafeInteger(major)) throw new Error(`invalid cluster stack version '${text}': major version too large`);
    return new StackVersion(major, m[2], m[3]);
  }

  private constructor(
    public readonly major: number,
    /** Undefined for stable versions. */
    public readonly channel: string | undefined,
    public readonly id: string | undefined,
  ) {
    if (!Number.isSafeInteger(major) || major < 0) throw new Error(`invalid major version ${major}; expected a non-negative integer`);
  }

  public get isStable(): boolean {
    return this.channel === undefined;
  }

  /** ClusterClass and metadata.yaml form: `v1`, `v1-alpha.0`. */
  public toString(): string {
    return this.isStable ? `v${this.major}` : `v${this.major}-${this.channel}.${this.id}`;
  }

  /** Release tag / directory form: `v1`, `v1-alpha-0`. */
  public toTag(): string {
    return this.isStable ? `v${this.major}` : `v${this.major}-${this.channel}-${this.id}`;
  }

  /** The next stable version. Only stable versions have a successor. */
  public next(): StackVersion {
    if (!this.isStable) throw new Error(`version ${this.toString()} is not stable and has no successor`);
    return StackVersion.stable(this.major + 1);
  }

  public equals(other: StackVersion): boolean {
    return this.toString() === other.toString();
  }
}
