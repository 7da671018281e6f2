// Command values-render renders the valuesTemplate of HelmChartProxy objects
// exactly as Cluster API Add-on Provider for Helm (CAAPH) v0.6.4 does before
// it installs a chart on a workload cluster (ParseValues and
// initializeBuiltins in internal/value_substitutions.go of
// sigs.k8s.io/cluster-api-addon-provider-helm v0.6.4):
//
//   - the Cluster is the typed cluster.x-k8s.io/v1beta2 Cluster of
//     sigs.k8s.io/cluster-api v1.13.0 (the version CAAPH v0.6.4 is built
//     with), converted with runtime.DefaultUnstructuredConverter. A v1beta1
//     Cluster is first converted to v1beta2 with Cluster API's own conversion
//     (what its conversion webhook does when CAAPH reads a Cluster that was
//     applied as v1beta1);
//   - ControlPlane and InfraCluster are the referenced objects as unstructured
//     maps, present only when the Cluster's ref has a name and a kind;
//   - the template is parsed with text/template, named
//     "<chartName>-<cluster name>", with Masterminds sprig v3.3.0's
//     TxtFuncMap, and executed on the map {Cluster, ControlPlane, InfraCluster}.
//
//	values-render -objects OBJECTS.yaml PROXIES.yaml
//
// OBJECTS.yaml is a YAML map with the keys Cluster (required), ControlPlane
// and InfraCluster (optional), each a Kubernetes object (the same input as
// test/e2e/overwrite-render). PROXIES.yaml holds HelmChartProxy documents.
// stdout: a JSON object from each proxy's metadata.name to its rendered
// values (absent when the proxy has no valuesTemplate). Errors go to stderr
// with exit code 1 (2 on bad usage).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/template"

	sprig "github.com/Masterminds/sprig/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/yaml"
	goyaml "sigs.k8s.io/yaml/goyaml.v3"
)

func main() {
	objectsPath := flag.String("objects", "", "YAML map with the keys Cluster, ControlPlane, InfraCluster (Kubernetes objects)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: values-render -objects OBJECTS.yaml PROXIES.yaml")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *objectsPath == "" || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	out, err := run(*objectsPath, flag.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "values-render: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}

type proxy struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Kind string `json:"kind"`
	Spec struct {
		ChartName      string `json:"chartName"`
		ValuesTemplate string `json:"valuesTemplate"`
	} `json:"spec"`
}

func run(objectsPath, proxiesPath string) ([]byte, error) {
	lookup, cluster, err := readObjects(objectsPath)
	if err != nil {
		return nil, err
	}
	proxies, err := readProxies(proxiesPath)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range proxies {
		if p.Spec.ValuesTemplate == "" {
			continue
		}
		// From here on, CAAPH's ParseValues.
		tmpl, err := template.New(p.Spec.ChartName + "-" + cluster.GetName()).
			Funcs(sprig.TxtFuncMap()).
			Parse(p.Spec.ValuesTemplate)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Metadata.Name, err)
		}
		var buffer bytes.Buffer
		if err := tmpl.Execute(&buffer, lookup); err != nil {
			return nil, fmt.Errorf("%s: error executing template string on cluster '%s': %w", p.Metadata.Name, cluster.GetName(), err)
		}
		out[p.Metadata.Name] = buffer.String()
	}
	return json.MarshalIndent(out, "", "  ")
}

// readObjects builds the template data as CAAPH's initializeBuiltins does.
func readObjects(path string) (map[string]interface{}, *clusterv1.Cluster, error) {
	raw, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return nil, nil, err
	}
	var objects map[string]json.RawMessage
	if err := yaml.Unmarshal(raw, &objects); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	for key := range objects {
		switch key {
		case "Cluster", "ControlPlane", "InfraCluster":
		default:
			return nil, nil, fmt.Errorf("%s: unknown key %q (expected Cluster, ControlPlane, InfraCluster)", path, key)
		}
	}
	clusterJSON, ok := objects["Cluster"]
	if !ok {
		return nil, nil, fmt.Errorf("%s: no Cluster object", path)
	}
	cluster, err := typedCluster(clusterJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: Cluster: %w", path, err)
	}
	if cluster.GetName() == "" {
		return nil, nil, fmt.Errorf("%s: the Cluster has no metadata.name", path)
	}

	lookup := map[string]interface{}{}
	clusterUnstructured, err := runtime.DefaultUnstructuredConverter.ToUnstructured(cluster)
	if err != nil {
		return nil, nil, fmt.Errorf("error converting cluster '%s' to unstructured: %w", cluster.GetName(), err)
	}
	lookup["Cluster"] = clusterUnstructured
	if cluster.Spec.ControlPlaneRef.Name != "" && cluster.Spec.ControlPlaneRef.Kind != "" {
		if obj, ok := objects["ControlPlane"]; ok {
			if lookup["ControlPlane"], err = unstructuredObject(obj); err != nil {
				return nil, nil, fmt.Errorf("%s: ControlPlane: %w", path, err)
			}
		}
	}
	if cluster.Spec.InfrastructureRef.Name != "" && cluster.Spec.InfrastructureRef.Kind != "" {
		if obj, ok := objects["InfraCluster"]; ok {
			if lookup["InfraCluster"], err = unstructuredObject(obj); err != nil {
				return nil, nil, fmt.Errorf("%s: InfraCluster: %w", path, err)
			}
		}
	}
	return lookup, cluster, nil
}

// typedCluster decodes a Cluster as CAAPH's client gets it: v1beta2, converted
// by Cluster API's conversion when it was written as v1beta1.
func typedCluster(raw json.RawMessage) (*clusterv1.Cluster, error) {
	var meta struct {
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, err
	}
	switch meta.APIVersion {
	case clusterv1.GroupVersion.String():
		cluster := &clusterv1.Cluster{}
		if err := json.Unmarshal(raw, cluster); err != nil {
			return nil, err
		}
		return cluster, nil
	case clusterv1beta1.GroupVersion.String():
		old := &clusterv1beta1.Cluster{}
		if err := json.Unmarshal(raw, old); err != nil {
			return nil, err
		}
		cluster := &clusterv1.Cluster{}
		if err := old.ConvertTo(cluster); err != nil {
			return nil, fmt.Errorf("converting v1beta1 to v1beta2: %w", err)
		}
		return cluster, nil
	default:
		return nil, fmt.Errorf("apiVersion %q is not %s or %s", meta.APIVersion, clusterv1.GroupVersion, clusterv1beta1.GroupVersion)
	}
}

// unstructuredObject decodes an object as client-go's unstructured decoding
// does (integers become int64, other numbers float64), which is how
// external.GetObjectFromContractVersionedRef returns it.
func unstructuredObject(raw json.RawMessage) (map[string]interface{}, error) {
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(raw); err != nil {
		return nil, err
	}
	return u.Object, nil
}

func readProxies(path string) ([]proxy, error) {
	raw, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return nil, err
	}
	dec := goyaml.NewDecoder(bytes.NewReader(raw))
	var out []proxy
	for {
		var doc interface{}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if doc == nil {
			continue
		}
		j, err := json.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var p proxy
		if err := json.Unmarshal(j, &p); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if p.Kind != "HelmChartProxy" {
			return nil, fmt.Errorf("%s: a %q document; expected HelmChartProxy", path, p.Kind)
		}
		out = append(out, p)
	}
	return out, nil
}
