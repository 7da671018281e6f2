package main

import "testing"

// The operator at operatorVersion has no unit tests for pkg/version; these
// cases come from the doc comment of version.New and from the names its
// controller and integration tests use.
func TestVersionForms(t *testing.T) {
	for _, tc := range []struct {
		in     string
		dot    bool // pkg/version.New (metadata.yaml, ClusterStack spec)
		dash   bool // pkg/version.ParseVersionString (release tags)
		tagged string
	}{
		{in: "v1", dot: true, dash: true, tagged: "v1"},
		{in: "v1-alpha.1", dot: true, tagged: "v1-alpha-1"},
		{in: "v1-alpha.0", dot: true, tagged: "v1-alpha-0"},
		{in: "v3-alpha.0", dot: true, tagged: "v3-alpha-0"},
		{in: "v0-sha.hipstsw", dot: true, tagged: "v0-sha-hipstsw"},
		{in: "v1-alpha-1", dash: true},
		{in: "v0-sha-hipstsw", dash: true},
		{in: "v1-alpha"},
		{in: "v1-alpha-1.0"},
		{in: "v1-alpha-1.0.0"},
		{in: "v1-alpha."},
		{in: "v1.0-alpha.1"},
		{in: "1"},
		{in: "v1.0.0"},
		{in: ""},
	} {
		v, err := parseVersion(tc.in, dotVersionRe, ".")
		if (err == nil) != tc.dot {
			t.Errorf("dot form %q: err = %v, want accepted = %v", tc.in, err, tc.dot)
		}
		if err == nil && v.String() != tc.tagged {
			t.Errorf("dot form %q: String() = %q, want %q", tc.in, v.String(), tc.tagged)
		}
		if _, err := parseVersion(tc.in, tagVersionRe, "-"); (err == nil) != tc.dash {
			t.Errorf("dash form %q: err = %v, want accepted = %v", tc.in, err, tc.dash)
		}
	}
}

func TestReleaseTags(t *testing.T) {
	for tag, want := range map[string]string{
		"docker-ferrol-1-27-v1":             "docker-ferrol-1-27-cluster-class-v1",
		"docker-ferrol-1-21-v3-alpha-0":     "docker-ferrol-1-21-cluster-class-v3-alpha.0",
		"docker-ferrol-1-27-v0-sha-hipstsw": "docker-ferrol-1-27-cluster-class-v0-sha.hipstsw",
		"openstack-scs-1-34-v1":             "openstack-scs-1-34-cluster-class-v1",
		"docker-ferrol-1-27-v0-sha.hipstsw": "", // a ClusterClass name, not a tag: 6 parts
		"docker-ferrol-1-27":                "",
		"my-provider-scs-1-34-v1":           "", // no "-" inside provider or name
		"docker-scs-1-x-v1":                 "",
		"docker-scs-1-34-1":                 "",
	} {
		cs, err := parseReleaseTag(tag)
		if (err == nil) != (want != "") {
			t.Errorf("%q: err = %v, want accepted = %v", tag, err, want != "")
			continue
		}
		if err == nil {
			if got := (Release{ClusterStack: cs}).clusterClassChartName(); got != want {
				t.Errorf("%q: cluster class chart name %q, want %q", tag, got, want)
			}
		}
	}
}
