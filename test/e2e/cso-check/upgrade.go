package main

// The ClusterAddon controller's upgrade flow (internal/controller/
// clusteraddon_controller.go of the operator at operatorVersion), for a
// Cluster the operator created (its ClusterAddon carries the stage annotation
// "created", which SetStageAnnotations never replaces) moving from the old
// release to the new one. Everything that needs no workload cluster is done
// as the operator does it, in its order, with its error messages: untar both
// addon archives (unTarContent), run the new BeforeClusterUpgrade stages
// (executeStage: templateNewClusterStackAddonHelmChart, or
// helmTemplateNewClusterStack for a delete), then getOldReleaseObjects,
// getNewReleaseObjects and cleanUpResources. Instead of applying and deleting
// objects it reports them.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

const (
	clusterAddonNamespace        = "kube-system"
	beforeClusterUpgradeHook     = "BeforeClusterUpgrade"
	afterControlPlaneInitialized = "AfterControlPlaneInitialized"
	overwriteYaml                = "overwrite.yaml"
)

// Resource is csov1alpha1.Resource as cleanUpResources compares it (the
// status fields are empty in both lists).
type Resource struct {
	Group, Version, Kind, Namespace, Name string
}

func (r Resource) String() string {
	gv := r.Version
	if r.Group != "" {
		gv = r.Group + "/" + r.Version
	}
	return fmt.Sprintf("%s %s %s/%s", gv, r.Kind, r.Namespace, r.Name)
}

// upgradeEnv is what the controller has at hand: helm, and the
// buildTemplateFromClusterAddonValues rendering (the overwrite-render tool,
// given the workload cluster's objects).
type upgradeEnv struct {
	helm            string
	overwriteRender string
	objects         string
}

// upgradeReport is what the flow would do to the workload cluster.
type upgradeReport struct {
	// Stages of BeforeClusterUpgrade, in order: "apply cni", "skip x (HelmChartFound=False)", …
	Stages []string
	// Objects deleted within a stage (ApplyNewClusterStack: old template minus new).
	StageDeletes []Resource
	// Objects deleted by cleanUpResources after the stages.
	CleanUpDeletes []Resource
	// Applied objects per stage.
	Applied map[string][]Resource
}

// runUpgrade runs the flow; a non-nil error is the error the reconcile
// returns (and retries forever).
func runUpgrade(oldRel, newRel Release, env upgradeEnv, work string) (upgradeReport, error) {
	report := upgradeReport{Applied: map[string][]Resource{}}
	newArchive, err := newRel.chartPath(newRel.clusterAddonChartName())
	if err != nil {
		return report, err
	}
	oldArchive, err := oldRel.chartPath(oldRel.clusterAddonChartName())
	if err != nil {
		return report, err
	}
	// The operator untars next to the archive; here into a scratch copy so
	// the release folders stay untouched.
	newDir := filepath.Join(work, "new", strings.TrimSuffix(filepath.Base(newArchive), ".tgz"))
	if err := unTarContent(newArchive, newDir); err != nil {
		return report, fmt.Errorf("cluster addon config (clusteraddon.yaml) is wrong: failed to untar new cluster stack cluster addon chart: %q: %w", newArchive, err)
	}
	oldDir := filepath.Join(work, "old", strings.TrimSuffix(filepath.Base(oldArchive), ".tgz"))
	if err := unTarContent(oldArchive, oldDir); err != nil {
		return report, fmt.Errorf("failed to untar old cluster stack cluster addon chart: %q: %w", oldArchive, err)
	}
	entries, err := os.ReadDir(newDir)
	if err != nil {
		return report, err
	}
	chartMap := map[string]bool{}
	for _, e := range entries {
		chartMap[e.Name()] = true
	}
	config, err := parseAddonConfig(filepath.Join(newRel.Dir, "clusteraddon.yaml"))
	if err != nil {
		return report, err
	}
	newK8s, oldK8s := newRel.Meta.Versions.Kubernetes, oldRel.Meta.Versions.Kubernetes
	if newK8s == oldK8s && newRel.Meta.Versions.Components.ClusterAddon == oldRel.Meta.Versions.Components.ClusterAddon {
		// "If the cluster addon version don't change we don't want to apply helm charts again."
		report.Stages = append(report.Stages, "none: same Kubernetes and cluster addon version")
		return report, nil
	}

	for _, stage := range config.AddonStages[beforeClusterUpgradeHook] {
		if !chartMap[stage.Name] {
			report.Stages = append(report.Stages, fmt.Sprintf("skip %s (HelmChartFound=False: helm chart name doesn't exists in the cluster addon helm chart)", stage.Name))
			continue
		}
		if stage.Action == "apply" {
			oldTemplate, newTemplate, err := env.templateStage(oldDir, newDir, stage.Name, oldK8s, newK8s)
			if err != nil {
				// The controller marks HelmChartTemplated false and goes on with
				// the next stage; the stage stays unapplied.
				report.Stages = append(report.Stages, fmt.Sprintf("stuck %s: %v", stage.Name, err))
				continue
			}
			oldObjects, err := resources(oldTemplate)
			if err != nil {
				return report, fmt.Errorf("failed to execute stage: failed to apply objects from cluster addon Helm chart: failed to parse old cluster stack template: %w", err)
			}
			newObjects, err := resources(newTemplate)
			if err != nil {
				return report, fmt.Errorf("failed to execute stage: failed to apply objects from cluster addon Helm chart: failed to parse new cluster stack template: %w", err)
			}
			report.Applied[stage.Name] = newObjects
			report.StageDeletes = append(report.StageDeletes, minus(oldObjects, newObjects)...)
			report.Stages = append(report.Stages, "apply "+stage.Name)
			continue
		}
		// Any other action is a delete: the new chart without values.
		if _, err := env.helmTemplate(filepath.Join(newDir, stage.Name), nil, newK8s); err != nil {
			report.Stages = append(report.Stages, fmt.Sprintf("stuck %s: failed to template new helm chart: %v", stage.Name, err))
			continue
		}
		report.Stages = append(report.Stages, "delete "+stage.Name)
	}

	oldList, err := env.releaseObjects(config.AddonStages[afterControlPlaneInitialized], oldDir, oldK8s, "old")
	if err != nil {
		return report, fmt.Errorf("failed to get old cluster stack object list from helm charts: %w", err)
	}
	newList, err := env.releaseObjects(config.AddonStages[beforeClusterUpgradeHook], newDir, newK8s, "new")
	if err != nil {
		return report, fmt.Errorf("failed to get new cluster stack object list from helm charts: %w", err)
	}
	report.CleanUpDeletes = minus(oldList, newList)
	return report, nil
}

// templateStage is templateNewClusterStackAddonHelmChart: the old chart is
// templated only when the old release has <name>/overwrite.yaml (else the
// old template is empty), the new one always.
func (env upgradeEnv) templateStage(oldDir, newDir, name, oldK8s, newK8s string) (oldTemplate, newTemplate []byte, err error) {
	oldSub := filepath.Join(oldDir, name)
	if _, statErr := os.Stat(filepath.Join(oldSub, overwriteYaml)); statErr == nil {
		values, err := env.buildValues(filepath.Join(oldSub, overwriteYaml))
		if err != nil {
			return nil, nil, fmt.Errorf("failed to build template from old cluster addon values: %w", err)
		}
		if oldTemplate, err = env.helmTemplate(oldSub, values, oldK8s); err != nil {
			return nil, nil, fmt.Errorf("failed to template old helm chart: %w", err)
		}
	}
	newSub := filepath.Join(newDir, name)
	var values []byte
	if _, statErr := os.Stat(filepath.Join(newSub, overwriteYaml)); statErr == nil {
		if values, err = env.buildValues(filepath.Join(newSub, overwriteYaml)); err != nil {
			return nil, nil, fmt.Errorf("failed to build template from new cluster addon values: %w", err)
		}
	}
	if newTemplate, err = env.helmTemplate(newSub, values, newK8s); err != nil {
		return nil, nil, fmt.Errorf("failed to template new helm chart: %w", err)
	}
	return oldTemplate, newTemplate, nil
}

// releaseObjects is getOldReleaseObjects ("old", the new release's stages
// of the hook the stage annotation names, over the OLD folder) and
// getNewReleaseObjects ("new", the new release's stages over the new
// folder). Values of a stage's overwrite.yaml carry over to later stages
// without one, and a delete stage removes nothing: the operator compares
// pointers (removeResourcesFromCurrentListOfObjects).
func (env upgradeEnv) releaseObjects(stages []*Stage, dir, k8s, which string) ([]Resource, error) {
	var values []byte
	var out []Resource
	for _, stage := range stages {
		if stage == nil {
			continue
		}
		overwrite := filepath.Join(dir, stage.Name, overwriteYaml)
		if _, err := os.Stat(overwrite); err == nil {
			if values, err = env.buildValues(overwrite); err != nil {
				if which == "old" {
					return nil, fmt.Errorf("failed to build template from new cluster addon values: %w", err)
				}
				return nil, fmt.Errorf("failed to build template from new cluster addon values of the latest cluster stack: %w", err)
			}
		}
		template, err := env.helmTemplate(filepath.Join(dir, stage.Name), values, k8s)
		if err != nil {
			if which == "old" {
				return nil, fmt.Errorf("failed to template new helm chart: %w", err)
			}
			return nil, fmt.Errorf("failed to template new helm chart of the latest cluster stack: %w", err)
		}
		objects, err := resources(template)
		if err != nil {
			return nil, fmt.Errorf("failed to get resources form old cluster stack helm template: %w", err)
		}
		if stage.Action == "apply" {
			out = append(out, objects...)
		}
	}
	return out, nil
}

// helmTemplate is helmTemplateClusterAddon: helm runs in the chart's parent
// folder with the chart's base name, so a missing folder is read as a chart
// reference ("non-absolute URLs should be in form of repo_name/path_to_chart").
// Helm's stderr is part of the error here (the operator sends it to its log).
func (env upgradeEnv) helmTemplate(chartPath string, values []byte, kubernetesVersion string) ([]byte, error) {
	args := []string{"template", "--include-crds", "--dependency-update", "--kube-version", kubernetesVersion, "cluster-addon", filepath.Base(chartPath), "--namespace", clusterAddonNamespace, "-f", "-"}
	cmd := exec.Command(env.helm, args...)
	cmd.Dir = filepath.Dir(chartPath)
	cmd.Stdin = bytes.NewReader(values)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("failed to run helm template for %q: %w: %s", chartPath, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// buildValues is buildTemplateFromClusterAddonValues, through the
// overwrite-render tool (the same text/template + slim-sprig rendering).
func (env upgradeEnv) buildValues(path string) ([]byte, error) {
	if env.overwriteRender == "" || env.objects == "" {
		return nil, errors.New("an overwrite.yaml needs -overwrite-render and -objects")
	}
	cmd := exec.Command(env.overwriteRender, "-objects", env.objects, path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// resources is kube.GetResourcesFromHelmTemplate: every YAML document that
// is not empty becomes a Resource (group, version, kind, namespace, name).
func resources(template []byte) ([]Resource, error) {
	dec := yaml.NewDecoder(bytes.NewReader(template))
	var out []Resource
	for {
		var doc map[string]interface{}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("failed to get resources from template: %w", err)
		}
		if doc == nil {
			continue
		}
		apiVersion, _ := doc["apiVersion"].(string)
		kind, _ := doc["kind"].(string)
		meta, _ := doc["metadata"].(map[string]interface{})
		name, _ := meta["name"].(string)
		namespace, _ := meta["namespace"].(string)
		group, version, found := strings.Cut(apiVersion, "/")
		if !found {
			group, version = "", apiVersion
		}
		out = append(out, Resource{Group: group, Version: version, Kind: kind, Namespace: namespace, Name: name})
	}
}

// minus is what cleanUpResources deletes: items of old not in new (the
// whole Resource, so an apiVersion change of an object deletes it too), with
// the namespace defaulted as the operator does before deleting.
func minus(old, new []Resource) []Resource {
	keep := map[Resource]bool{}
	for _, r := range new {
		keep[r] = true
	}
	var out []Resource
	for _, r := range old {
		if keep[r] {
			continue
		}
		if r.Namespace == "" {
			r.Namespace = clusterAddonNamespace
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// unTarContent is the controller's unTarContent: directories and regular
// files only, written to filepath.Join(dst, header.Name).
func unTarContent(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("%q: creating directory: %w", dst, err)
	}
	f, err := os.Open(filepath.Clean(src))
	if err != nil {
		return fmt.Errorf("%q: opening file: %w", src, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("failed to init gzip.NewReader for %q: %w", src, err)
	}
	tr := tar.NewReader(gz)
	for {
		header, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading tar archive: %w", err)
		}
		target := filepath.Join(dst, header.Name)
		// The operator does not check this; a release of ours never escapes.
		if !strings.HasPrefix(target, filepath.Clean(dst)+string(os.PathSeparator)) {
			return fmt.Errorf("%q: entry %q leaves the folder", src, header.Name)
		}
		switch header.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("%q: creating directory: %w", target, err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return fmt.Errorf("%q: creating directory: %w", filepath.Dir(target), err)
			}
			out, err := os.Create(target)
			if err != nil {
				return fmt.Errorf("%q: creating file: %w", target, err)
			}
			if _, err := io.Copy(out, io.LimitReader(tr, 256<<20)); err != nil {
				out.Close()
				return fmt.Errorf("reading output file: %w", err)
			}
			if err := out.Close(); err != nil {
				return fmt.Errorf("failed to close output file: %w", err)
			}
		default:
			return fmt.Errorf("unsupported type: %c in file %s", header.Typeflag, header.Name)
		}
	}
}
