package main

// This file re-implements, rule for rule and message for message, how the
// Cluster Stack Operator (github.com/SovereignCloudStack/cluster-stack-operator)
// loads a release directory. It is written against the operator at
// operatorVersion, whose packages are named next to each function.
//
// Why not import the operator's own packages? The Go module proxy reachable
// from this project's machines refuses every github.com/SovereignCloudStack
// module ("403 This module version is not available"), and the tests may only
// build Go modules from that proxy. When that changes, replace these functions
// by imports of pkg/release, pkg/clusterstack, pkg/version and pkg/clusteraddon:
// main.go only uses the names below.

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3" // the YAML library the operator itself parses with
)

// operatorVersion is the operator tag these rules were read from.
// scripts/e2e-tools.sh refuses to build when versions.env pins another one.
const operatorVersion = "v0.2.0-alpha.1"

// Version is pkg/version.Version: "v<major>" (channel stable) or
// "v<major>-<channel>-<patch>" / "v<major>-<channel>.<patch>".
type Version struct {
	Major   int
	Channel string
	Patch   string
}

const channelStable = "stable"

var (
	// Release tags use dashes: v1, v1-alpha-1 (pkg/version.ParseVersionString).
	tagVersionRe = regexp.MustCompile(`^v\d+(-\b\w+\b\-\w+)?$`)
	// metadata.yaml and ClusterStack specs use a dot: v1, v1-alpha.1 (pkg/version.New).
	dotVersionRe = regexp.MustCompile(`^v\d+(-\b\w+\b\.\w+)?$`)
)

// parseVersion is both parsers of pkg/version; sep is "-" or ".".
func parseVersion(s string, re *regexp.Regexp, sep string) (Version, error) {
	if !re.MatchString(s) {
		return Version{}, fmt.Errorf("invalid version string %s", s)
	}
	major, rest, hasChannel := strings.Cut(s, "-")
	n, err := strconv.Atoi(strings.TrimPrefix(major, "v"))
	if err != nil {
		return Version{}, fmt.Errorf("invalid major version %s", major)
	}
	v := Version{Major: n, Channel: channelStable}
	if hasChannel {
		v.Channel, v.Patch, _ = strings.Cut(rest, sep) // the regexp guarantees sep
	}
	// Version.Validate: a non-stable channel needs a patch; the regexps
	// already guarantee that, and a non-negative major.
	return v, nil
}

// String is Version.String: the dash form used in release tags.
func (v Version) String() string {
	if v.Channel == channelStable {
		return fmt.Sprintf("v%d", v.Major)
	}
	return fmt.Sprintf("v%d-%s-%s", v.Major, v.Channel, v.Patch)
}

// StringWithDot is Version.StringWithDot: the form in chart names.
func (v Version) StringWithDot() string {
	if v.Channel == channelStable {
		return fmt.Sprintf("v%d", v.Major)
	}
	return fmt.Sprintf("v%d-%s.%s", v.Major, v.Channel, v.Patch)
}

// ClusterStack is pkg/clusterstack.ClusterStack, parsed from a release tag
// <provider>-<name>-<k8s major>-<k8s minor>-<version> by
// NewFromClusterStackReleaseProperties. Provider and name cannot contain "-".
type ClusterStack struct {
	Provider, Name string
	K8sMajor       int
	K8sMinor       int
	Version        Version
}

func parseReleaseTag(tag string) (ClusterStack, error) {
	parts := strings.Split(tag, "-")
	if len(parts) != 5 && len(parts) != 7 {
		return ClusterStack{}, errors.New("invalid format")
	}
	cs := ClusterStack{Provider: parts[0], Name: parts[1]}
	if cs.Provider == "" {
		return ClusterStack{}, errors.New("invalid provider")
	}
	if cs.Name == "" {
		return ClusterStack{}, errors.New("invalid name")
	}
	var err error
	// pkg/kubernetesversion.New (no Validate here: "0" would pass).
	if cs.K8sMajor, err = strconv.Atoi(parts[2]); err != nil {
		return ClusterStack{}, fmt.Errorf("failed to create Kubernetes version from %s-%s: %w", parts[2], parts[3], errors.New("invalid major version"))
	}
	if cs.K8sMinor, err = strconv.Atoi(parts[3]); err != nil {
		return ClusterStack{}, fmt.Errorf("failed to create Kubernetes version from %s-%s: %w", parts[2], parts[3], errors.New("invalid minor version"))
	}
	versionString := strings.Join(parts[4:], "-")
	if cs.Version, err = parseVersion(versionString, tagVersionRe, "-"); err != nil {
		return ClusterStack{}, fmt.Errorf("failed to create version from %s: %w", versionString, err)
	}
	return cs, nil
}

// Metadata is pkg/release.Metadata, read from metadata.yaml.
type Metadata struct {
	Versions struct {
		ClusterStack string `yaml:"clusterStack"`
		Kubernetes   string `yaml:"kubernetes"`
		Components   struct {
			ClusterAddon string `yaml:"clusterAddon"`
			NodeImage    string `yaml:"nodeImage"`
		} `yaml:"components"`
	} `yaml:"versions"`
}

// Release is pkg/release.Release.
type Release struct {
	Tag          string
	Dir          string // LocalDownloadPath: <release-dir>/cluster-stacks/<tag> in the operator
	ClusterStack ClusterStack
	Meta         Metadata
}

// loadRelease is pkg/release.New for a directory that exists, including
// ensureMetadata and Release.Validate.
func loadRelease(tag, dir string) (Release, error) {
	cs, err := parseReleaseTag(tag)
	if err != nil {
		return Release{}, fmt.Errorf("failed to parse cluster stack release: %w", err)
	}
	meta, err := readMetadata(dir)
	if err != nil {
		return Release{}, fmt.Errorf("failed to get metadata: %w", err)
	}
	// Release.Validate: only the Kubernetes version can still be missing here,
	// the other required fields were parsed by readMetadata.
	if meta.Versions.Kubernetes == "" {
		return Release{}, fmt.Errorf("failed to validate release: %w",
			fmt.Errorf("failed to validate metadata: %w", errors.New("kubernetes version empty: empty version")))
	}
	return Release{Tag: tag, Dir: dir, ClusterStack: cs, Meta: meta}, nil
}

// readMetadata is pkg/release.ensureMetadata: all three component versions
// must parse in the dot form (nodeImage too), and are normalised to the dash form.
func readMetadata(dir string) (Metadata, error) {
	file := filepath.Join(dir, "metadata.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		return Metadata{}, fmt.Errorf("failed to read metadata file %s: %w", file, err)
	}
	var m Metadata
	if err := yaml.Unmarshal(data, &m); err != nil {
		return Metadata{}, fmt.Errorf("failed to unmarshal metadata: %w", err)
	}
	for _, f := range []struct {
		what string
		v    *string
	}{
		{"ClusterStack", &m.Versions.ClusterStack},
		{"ClusterAddon", &m.Versions.Components.ClusterAddon},
		{"NodeImage", &m.Versions.Components.NodeImage},
	} {
		v, err := parseVersion(*f.v, dotVersionRe, ".")
		if err != nil {
			return Metadata{}, fmt.Errorf("failed to parse %s version from metadata: %w", f.what, err)
		}
		*f.v = v.String()
	}
	return m, nil
}

// clusterClassChartName and clusterAddonChartName are the name filters of
// pkg/release. The cluster class version comes from the tag, the addon
// version from metadata.yaml.
func (r Release) clusterClassChartName() string {
	cs := r.ClusterStack
	return fmt.Sprintf("%s-%s-%d-%d-cluster-class-%s", cs.Provider, cs.Name, cs.K8sMajor, cs.K8sMinor, cs.Version.StringWithDot())
}

func (r Release) clusterAddonChartName() string {
	cs := r.ClusterStack
	v, _ := parseVersion(r.Meta.Versions.Components.ClusterAddon, tagVersionRe, "-")
	return fmt.Sprintf("%s-%s-%d-%d-cluster-addon-%s", cs.Provider, cs.Name, cs.K8sMajor, cs.K8sMinor, v.StringWithDot())
}

// chartPath is Release.helmChartNamePath: the first regular file, in name
// order, whose name CONTAINS the filter and ends in ".tgz".
func (r Release) chartPath(nameFilter string) (string, error) {
	entries, err := os.ReadDir(r.Dir)
	if err != nil {
		return "", fmt.Errorf("failed to read directory %s: %w", r.Dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() && strings.Contains(e.Name(), nameFilter) && filepath.Ext(e.Name()) == ".tgz" {
			return filepath.Join(r.Dir, e.Name()), nil
		}
	}
	return "", fmt.Errorf("helm chart matching the name filter %s not found in %s", nameFilter, r.Dir)
}

// checkHelmCharts is Release.CheckHelmCharts with the prefix the controllers
// put in front of its error.
func (r Release) checkHelmCharts() error {
	if _, err := r.chartPath(r.clusterClassChartName()); err != nil {
		return fmt.Errorf("failed to validate helm charts: failed to get cluster class chart path: %w", err)
	}
	if _, err := r.chartPath(r.clusterAddonChartName()); err != nil {
		return fmt.Errorf("failed to validate helm charts: failed to get cluster addon chart path: %w", err)
	}
	return nil
}

// Stage and AddonConfig are pkg/clusteraddon.Stage and Config (the
// pre/post conditions are left out: they need a cluster to evaluate).
type Stage struct {
	Name   string `yaml:"name"`
	Action string `yaml:"action"`
}

type AddonConfig struct {
	APIVersion          string              `yaml:"apiVersion"`
	ClusterAddonVersion string              `yaml:"clusterAddonVersion"`
	AddonStages         map[string][]*Stage `yaml:"addonStages"`
}

// parseAddonConfig is clusteraddon.ParseConfig with the ClusterAddon
// controller's prefix.
func parseAddonConfig(file string) (AddonConfig, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return AddonConfig{}, fmt.Errorf("failed to parse clusteraddon.yaml config: failed to read file: %q: %w", file, err)
	}
	var c AddonConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		return AddonConfig{}, fmt.Errorf("failed to parse clusteraddon.yaml config: failed to parse cluster addon yaml: %w", err)
	}
	return c, nil
}

// addonChartNames lists the top-level entries of the cluster-addon .tgz: the
// ClusterAddon controller untars it next to itself (unTarContent) and looks a
// stage's chart up by name among the entries of that directory. Like
// unTarContent it accepts only directories and regular files.
// The map says, for each entry, whether it is a directory.
func addonChartNames(tgz string) (map[string]bool, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, fmt.Errorf("%q: opening file: %w", tgz, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("failed to init gzip.NewReader for %q: %w", tgz, err)
	}
	names := map[string]bool{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar archive: %w", err)
		}
		if h.Typeflag != tar.TypeDir && h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("unsupported type: %c in file %s", h.Typeflag, h.Name)
		}
		// The operator writes to filepath.Join(dst, h.Name): "./a/b" is "a/b".
		top, _, isNested := strings.Cut(strings.TrimPrefix(path.Clean("/"+h.Name), "/"), "/")
		if top != "" {
			// true: a directory (a chart can be), false: a plain file.
			names[top] = names[top] || isNested || h.Typeflag == tar.TypeDir
		}
	}
}

// Hooks whose stages the operator runs (internal/controller and extension).
var knownHooks = map[string]bool{"AfterControlPlaneInitialized": true, "BeforeClusterUpgrade": true}

// checkAddonStages does what the multi-stage flow of the ClusterAddon
// controller does before it talks to a cluster, and is stricter where the
// operator would silently do the wrong thing.
func (r Release) checkAddonStages() error {
	configPath := filepath.Join(r.Dir, "clusteraddon.yaml")
	if _, err := os.Stat(configPath); errors.Is(err, os.ErrNotExist) {
		// No clusteraddon.yaml: the single-chart flow. Its values come from
		// cluster-addon-values.yaml (buildTemplateFromClusterAddonValues),
		// which the operator only misses when it applies the addon.
		values := filepath.Join(r.Dir, "cluster-addon-values.yaml")
		if _, err := os.ReadFile(values); err != nil {
			return fmt.Errorf("failed to build template from cluster addon values: failed to read the file %s: %w", values, err)
		}
		return nil
	}
	addonTgz, err := r.chartPath(r.clusterAddonChartName())
	if err != nil {
		return err
	}
	charts, err := addonChartNames(addonTgz)
	if err != nil {
		return fmt.Errorf("cluster addon config (clusteraddon.yaml) is wrong: failed to untar new cluster stack cluster addon chart: %q: %w", addonTgz, err)
	}
	config, err := parseAddonConfig(configPath)
	if err != nil {
		return err
	}
	for hook, stages := range config.AddonStages {
		if !knownHooks[hook] { // the operator would never run these stages
			return fmt.Errorf("clusteraddon.yaml: unknown hook %q (the operator runs AfterControlPlaneInitialized and BeforeClusterUpgrade)", hook)
		}
		for _, s := range stages {
			if s == nil {
				return fmt.Errorf("clusteraddon.yaml: hook %q has an empty stage", hook)
			}
			// executeStage: anything but "apply" is treated as a delete.
			if s.Action != "apply" && s.Action != "delete" {
				return fmt.Errorf("clusteraddon.yaml: stage %q of hook %q has action %q (want apply or delete)", s.Name, hook, s.Action)
			}
			// executeStage only marks HelmChartFound false and skips the stage.
			isDir, ok := charts[s.Name]
			if !ok {
				return fmt.Errorf("helm chart name doesn't exists in the cluster addon helm chart: %q", s.Name)
			}
			if !isDir {
				return fmt.Errorf("clusteraddon.yaml: stage %q names a file, not a chart directory, in %s", s.Name, filepath.Base(addonTgz))
			}
		}
	}
	return nil
}
