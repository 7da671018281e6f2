// Command cso-check loads cluster stack release directories the way the
// Cluster Stack Operator does before it applies anything, so that the e2e
// tests find out here, and not in a cluster, that the operator would reject a
// release this project generated.
//
//	cso-check [-helm PATH [-namespace NS]] RELEASE-DIR...
//	cso-check -upgrade -helm PATH [-overwrite-render PATH -objects FILE] OLD-RELEASE-DIR NEW-RELEASE-DIR
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
//
// With -upgrade it loads both releases and runs the ClusterAddon controller's
// upgrade flow for a Cluster the operator created on the old release and
// moved to the new one (upgrade.go): it prints "stage <what>" per
// BeforeClusterUpgrade stage, "delete <object>" for what the stages and the
// clean-up would delete, and "upgrade ok <old> -> <new>"; the error the
// reconcile would return (and retry forever) goes to stderr, exit code 1.
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
			"       cso-check -upgrade -helm PATH [-overwrite-render PATH -objects FILE] OLD-RELEASE-DIR NEW-RELEASE-DIR\n"+
			"checks release directories with the rules of cluster-stack-operator %s\n", operatorVersion)
		flag.PrintDefaults()
	}
	upgrade := flag.Bool("upgrade", false, "run the operator's upgrade flow from the first release directory to the second")
	overwriteRender := flag.String("overwrite-render", "", "with -upgrade: the overwrite-render binary, for addons with an overwrite.yaml")
	objects := flag.String("objects", "", "with -upgrade: the workload Cluster's objects for overwrite-render")
	flag.Parse()
	if *upgrade {
		if flag.NArg() != 2 || *helm == "" {
			flag.Usage()
			os.Exit(2)
		}
		os.Exit(upgradeMain(flag.Arg(0), flag.Arg(1), upgradeEnv{helm: *helm, overwriteRender: *overwriteRender, objects: *objects}))
	}
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

// upgradeMain loads both releases as the operator does, then runs the
// upgrade flow in a scratch folder.
func upgradeMain(oldDir, newDir string, env upgradeEnv) int {
	load := func(dir string) (Release, error) {
		tag := filepath.Base(filepath.Clean(dir))
		rel, err := loadRelease(tag, dir)
		if err != nil {
			return Release{}, fmt.Errorf("%s: %w", tag, err)
		}
		if err := rel.checkHelmCharts(); err != nil {
			return Release{}, fmt.Errorf("%s: %w", tag, err)
		}
		return rel, nil
	}
	oldRel, err := load(oldDir)
	if err == nil {
		var newRel Release
		if newRel, err = load(newDir); err == nil {
			var work string
			if work, err = os.MkdirTemp("", "cso-check-upgrade-"); err == nil {
				defer os.RemoveAll(work)
				var helm string
				if helm, err = exec.LookPath(env.helm); err == nil {
					env.helm, err = filepath.Abs(helm)
				}
				if err == nil {
					var report upgradeReport
					report, err = runUpgrade(oldRel, newRel, env, work)
					for _, s := range report.Stages {
						fmt.Printf("stage %s\n", s)
					}
					for _, r := range report.StageDeletes {
						fmt.Printf("delete %s (stage)\n", r)
					}
					for _, r := range report.CleanUpDeletes {
						fmt.Printf("delete %s (clean-up)\n", r)
					}
					if err == nil {
						fmt.Printf("upgrade ok %s -> %s\n", oldRel.Tag, newRel.Tag)
						return 0
					}
				}
			}
		}
	}
	fmt.Fprintf(os.Stderr, "%s -> %s: %v\n", filepath.Base(oldDir), filepath.Base(newDir), err)
	return 1
}
