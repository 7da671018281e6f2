import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StackVersion } from '../../constructs/stack-version.ts';

const CLASS_FORM_MESSAGE = 'expected v<N> or v<N>-<channel>.<id> (lower-case channel and id, no leading zeros)';
const TAG_FORM_MESSAGE = 'expected v<N> or v<N>-<channel>-<id> (lower-case channel and id, no leading zeros)';

/** Versions as the generator accepts them, in the ClusterClass (dotted) form. */
const classForm = fc.stringMatching(/^v(0|[1-9][0-9]{0,8})(-[a-z][a-z0-9]{0,7}\.[a-z0-9]{1,10})?$/);

describe('StackVersion.parse (ClusterClass form)', () => {
  it('parses a stable version', () => {
    const v = StackVersion.parse('v1');
    expect(v.major).toBe(1);
    expect(v.channel).toBeUndefined();
    expect(v.id).toBeUndefined();
    expect(v.isStable).toBe(true);
    expect(v.toString()).toBe('v1');
    expect(v.toTag()).toBe('v1');
  });

  it('parses a pre-release and writes the dashed tag form', () => {
    const v = StackVersion.parse('v1-alpha.0');
    expect(v.major).toBe(1);
    expect(v.channel).toBe('alpha');
    expect(v.id).toBe('0');
    expect(v.isStable).toBe(false);
    expect(v.toString()).toBe('v1-alpha.0');
    expect(v.toTag()).toBe('v1-alpha-0');
  });

  it("parses csctl's development form", () => {
    const v = StackVersion.parse('v0-sha.abc123');
    expect(v.major).toBe(0);
    expect(v.channel).toBe('sha');
    expect(v.id).toBe('abc123');
    expect(v.toTag()).toBe('v0-sha-abc123');
  });

  it('parses multi-digit majors', () => {
    expect(StackVersion.parse('v10').major).toBe(10);
    expect(StackVersion.parse('v120-rc.3').toTag()).toBe('v120-rc-3');
  });

  it.each(['v01', '1', 'v1-alpha', 'v1-alpha-1.0', 'v1.0-alpha.1', 'V1', 'v1-Alpha.0', 'v1-alpha.0A', 'v1-alpha-0', '', 'v', 'v-1', 'v1-0alpha.1', 'v1-alpha.', ' v1', 'v1.0'])(
    'fails when the ClusterClass form is %j',
    (text) => {
      expect(() => StackVersion.parse(text)).toThrow(`invalid cluster stack version '${text}'; ${CLASS_FORM_MESSAGE}`);
    },
  );

  it('fails when the major version is not a safe integer', () => {
    expect(() => StackVersion.parse('v90071992547409930')).toThrow("invalid cluster stack version 'v90071992547409930': major version too large");
  });
});

describe('StackVersion.parseTag (release tag form)', () => {
  it('parses the dashed forms to the same versions as the dotted forms', () => {
    expect(StackVersion.parseTag('v1').toString()).toBe('v1');
    expect(StackVersion.parseTag('v1-alpha-0').toString()).toBe('v1-alpha.0');
    expect(StackVersion.parseTag('v0-sha-abc123').toString()).toBe('v0-sha.abc123');
    expect(StackVersion.parseTag('v1-alpha-0').equals(StackVersion.parse('v1-alpha.0'))).toBe(true);
  });

  it.each(['v01', '1', 'v1-alpha', 'v1-alpha-1.0', 'v1.0-alpha-1', 'V1', 'v1-ALPHA-0', 'v1-alpha.0', 'v1-alpha-0-1', 'v1-alpha-'])(
    'fails when the tag form is %j',
    (text) => {
      expect(() => StackVersion.parseTag(text)).toThrow(`invalid cluster stack version '${text}'; ${TAG_FORM_MESSAGE}`);
    },
  );
});

describe('factories and helpers', () => {
  it('builds stable and pre-release versions', () => {
    expect(StackVersion.stable(3).toString()).toBe('v3');
    expect(StackVersion.prerelease(0, 'sha', 'abc123').toString()).toBe('v0-sha.abc123');
    expect(StackVersion.prerelease(2, 'beta', '7').toTag()).toBe('v2-beta-7');
  });

  it('fails when a stable major is negative or fractional', () => {
    expect(() => StackVersion.stable(-1)).toThrow('invalid major version -1; expected a non-negative integer');
    expect(() => StackVersion.stable(1.5)).toThrow('invalid major version 1.5; expected a non-negative integer');
  });

  it('fails when a pre-release channel is not lower case', () => {
    expect(() => StackVersion.prerelease(1, 'Alpha', '0')).toThrow("invalid cluster stack version 'v1-Alpha.0'");
  });

  it('gives a stable version its successor', () => {
    expect(StackVersion.parse('v1').next().toString()).toBe('v2');
    expect(StackVersion.stable(0).next().equals(StackVersion.stable(1))).toBe(true);
  });

  it('fails when asked for the successor of a pre-release', () => {
    expect(() => StackVersion.parse('v1-alpha.0').next()).toThrow('version v1-alpha.0 is not stable and has no successor');
  });

  it('compares by value', () => {
    expect(StackVersion.parse('v2').equals(StackVersion.stable(2))).toBe(true);
    expect(StackVersion.parse('v2').equals(StackVersion.parse('v2-rc.1'))).toBe(false);
    expect(StackVersion.parse('v2-rc.1').equals(StackVersion.parse('v2-rc.2'))).toBe(false);
  });
});

describe('round trips (properties)', () => {
  it('parse(text).toString() is text for every ClusterClass form', () => {
    fc.assert(
      fc.property(classForm, (text) => {
        expect(StackVersion.parse(text).toString()).toBe(text);
      }),
    );
  });

  it('the tag form parses back to the same version', () => {
    fc.assert(
      fc.property(classForm, (text) => {
        const version = StackVersion.parse(text);
        const tag = version.toTag();
        expect(tag).toBe(text.replace('.', '-'));
        const back = StackVersion.parseTag(tag);
        expect(back.equals(version)).toBe(true);
        expect(back.toTag()).toBe(tag);
        expect([back.major, back.channel, back.id]).toEqual([version.major, version.channel, version.id]);
      }),
    );
  });

  it('versions built from parts round-trip through both forms', () => {
    const parts = fc.record({
      major: fc.nat({ max: 1_000_000 }),
      channel: fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/),
      id: fc.stringMatching(/^[a-z0-9]{1,12}$/),
    });
    fc.assert(
      fc.property(parts, ({ major, channel, id }) => {
        const v = StackVersion.prerelease(major, channel, id);
        expect(v.toString()).toBe(`v${major}-${channel}.${id}`);
        expect(StackVersion.parse(v.toString()).equals(v)).toBe(true);
        expect(StackVersion.parseTag(v.toTag()).equals(v)).toBe(true);
        // The tag form is usable inside a DNS-1123 label.
        expect(v.toTag()).toMatch(/^[a-z0-9-]+$/);
      }),
    );
  });

  it('no text is accepted by both parsers unless it is stable', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('v', '1', '0', '-', '.', 'a', 'B') , maxLength: 10 }), (text) => {
        let asClass: StackVersion | undefined;
        let asTag: StackVersion | undefined;
        try { asClass = StackVersion.parse(text); } catch { asClass = undefined; }
        try { asTag = StackVersion.parseTag(text); } catch { asTag = undefined; }
        if (asClass && asTag) expect(asClass.isStable && asTag.isStable).toBe(true);
        if (/[A-Z]/.test(text)) expect(asClass ?? asTag).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});
