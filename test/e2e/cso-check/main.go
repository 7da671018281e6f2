// Command cso-check loads cluster stack release directories the way the
// Cluster Stack Operator does before it applies anything, so that the e2e
// tests find out here, and not in a cluster, that the operator would reject a
// release this project generated.
//
//	cso-check [-helm PATH [-namespace NS]] RELEASE-DIR...
//
// Each RELEASE-DIR is named after its release tag, e.g. openstack-scs-1-34-v1,
// and holds metadata.yaml, the cluster-class and cluster-addon chart .tgz
// files, and clusteraddon.yaml (addon stages) or else cluster-addon-values.yaml
// (a single addon chart); hashes.json is not read by the operator. For each directory it prints "ok <tag>"; on the first problem of
// a directory it prints "<tag>: <the operator's error message>" to stderr. The
// exit code is 1 when any directory failed, 2 on bad usage.
//
// With -helm it also renders the cluster-class chart with exactly the command
// line of the operator's ClusterStackRelease controller.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	helm := flag.String("helm", "", "helm binary: also render the cluster-class chart as the operator does")
	namespace := flag.String("namespace", "default", "namespace passed to helm template (the ClusterStackRelease's namespace in the operator)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: cso-check [-helm PATH [-namespace NS]] RELEASE-DIR...\n"+
			"checks release directories with the rules of cluster-stack-operator %s\n", operatorVersion)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}

	failed := false
	for _, dir := range flag.Args() {
		tag := filepath.Base(filepath.Clean(dir))
		if err := check(tag, dir, *helm, *namespace); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", tag, err)
			failed = true
			continue
		}
		fmt.Printf("ok %s\n", tag)
	}
	if failed {
		os.Exit(1)
	}
}

// check runs, in the operator's order, what its controllers do with a freshly
// downloaded release: release.New, Release.CheckHelmCharts, then the
// multi-stage ClusterAddon checks.
func check(tag, dir, helm, namespace string) error {
	// The operator reads <release-dir>/cluster-stacks/<tag>; when that is
	// missing it downloads the release instead of failing, so a missing
	// directory is our own error.
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("release directory %s not found", dir)
	}
	rel, err := loadRelease(tag, dir)
	if err != nil {
		return err
	}
	if err := rel.checkHelmCharts(); err != nil {
		return err
	}
	if err := rel.checkAddonStages(); err != nil {
		return err
	}
	if helm != "" {
		return rel.templateClusterClass(helm, namespace)
	}
	return nil
}

// templateClusterClass is templateClusterClassHelmChart + helmTemplate of the
// ClusterStackRelease controller: the release name is the first four
// dash-separated parts of the tag (<provider>-<name>-<major>-<minor>), the
// chart is passed by file name from inside the release directory, and no
// values or --kube-version are given.
func (r Release) templateClusterClass(helm, namespace string) error {
	chart, err := r.chartPath(r.clusterClassChartName())
	if err != nil {
		return fmt.Errorf("failed to template clusterClass helm chart: %w", err)
	}
	// helm runs inside the release directory: make a relative -helm absolute.
	if helm, err = exec.LookPath(helm); err == nil {
		helm, err = filepath.Abs(helm)
	}
	if err != nil {
		return err
	}
	releaseName := strings.Join(strings.Split(r.Tag, "-")[0:4], "-")
	cmd := exec.Command(helm, "template", releaseName, filepath.Base(chart), "--namespace", namespace)
	cmd.Dir = filepath.Dir(chart)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // stdout, the manifests, would be applied by the operator
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("failed to template clusterClass helm chart: failed to run helm template for %q: %w\n%s", chart, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
