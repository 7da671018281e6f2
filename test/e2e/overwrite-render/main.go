// Command overwrite-render renders a cluster addon's overwrite.yaml exactly
// as the Cluster Stack Operator's ClusterAddon controller does before it runs
// `helm template` for an addon stage (buildTemplateFromClusterAddonValues in
// internal/controller/clusteraddon_controller.go of cluster-stack-operator
// v0.2.0-alpha.1).
//
//	overwrite-render -objects OBJECTS.yaml OVERWRITE.yaml
//
// OBJECTS.yaml is a YAML map with the keys Cluster (required), ControlPlane
// and InfraCluster (optional), each a Kubernetes object. The values file is
// written to stdout; errors go to stderr with exit code 1 (2 on bad usage).
//
// As the operator: the file is parsed with Go's text/template, named
// "cluster-addon-values-<cluster name>", with slim-sprig's TxtFuncMap; the
// data is the map {Cluster, ControlPlane, InfraCluster} of the objects as the
// operator reads them from the API server (unstructured objects: JSON numbers
// become int64 or float64); the result is parsed with gopkg.in/yaml.v3, and
// when it is a map with a string "values", that string is the values file,
// else the whole result.
//
// The operator imports github.com/go-task/slim-sprig at
// v0.0.0-20230315185526-52ccab3ef572; its Go sources are byte-identical to
// those of github.com/go-task/slim-sprig/v3 v3.0.0 (both vendored by the
// operator), which is the module path Go resolves today, so this program
// uses v3.0.0.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"text/template"

	sprig "github.com/go-task/slim-sprig/v3"
	"gopkg.in/yaml.v3"
)

func main() {
	objectsPath := flag.String("objects", "", "YAML map with the keys Cluster, ControlPlane, InfraCluster (Kubernetes objects)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: overwrite-render -objects OBJECTS.yaml OVERWRITE.yaml")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *objectsPath == "" || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	out, err := render(flag.Arg(0), *objectsPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "overwrite-render: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}

func render(overwritePath, objectsPath string) ([]byte, error) {
	lookup, clusterName, err := readObjects(objectsPath)
	if err != nil {
		return nil, err
	}

	// From here on, the operator's buildTemplateFromClusterAddonValues.
	data, err := os.ReadFile(filepath.Clean(overwritePath))
	if err != nil {
		return nil, fmt.Errorf("failed to read the file %s: %w", overwritePath, err)
	}
	tmpl, err := template.New("cluster-addon-values" + "-" + clusterName).
		Funcs(sprig.TxtFuncMap()).
		Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("failed to create new template: %w", err)
	}
	var buffer bytes.Buffer
	if err := tmpl.Execute(&buffer, lookup); err != nil {
		return nil, fmt.Errorf("failed to execute template string %q on cluster %q: %w", string(data), clusterName, err)
	}
	var unmarshalData interface{}
	if err := yaml.Unmarshal(buffer.Bytes(), &unmarshalData); err != nil {
		return nil, fmt.Errorf("unmarshal expanded template: %w", err)
	}
	// The operator type-asserts without checking (and would panic on a
	// non-map document); report that instead.
	m, isMap := unmarshalData.(map[string]interface{})
	if !isMap {
		return nil, fmt.Errorf("the rendered overwrite.yaml is not a YAML map (the operator would panic): %q", buffer.String())
	}
	values, ok := m["values"].(string)
	// we ignore if values prefix is not there
	if !ok {
		return buffer.Bytes(), nil
	}
	return []byte(values), nil
}

// readObjects returns the template data as the operator builds it with
// initializeBuiltins: each object as the map of an unstructured.Unstructured.
func readObjects(path string) (map[string]interface{}, string, error) {
	raw, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return nil, "", err
	}
	var objects map[string]interface{}
	if err := yaml.Unmarshal(raw, &objects); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	lookup := map[string]interface{}{}
	for key, obj := range objects {
		switch key {
		case "Cluster", "ControlPlane", "InfraCluster":
		default:
			return nil, "", fmt.Errorf("%s: unknown key %q (expected Cluster, ControlPlane, InfraCluster)", path, key)
		}
		u, err := asUnstructured(obj)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %s: %w", path, key, err)
		}
		lookup[key] = u
	}
	cluster, ok := lookup["Cluster"].(map[string]interface{})
	if !ok {
		return nil, "", fmt.Errorf("%s: no Cluster object", path)
	}
	meta, _ := cluster["metadata"].(map[string]interface{})
	name, _ := meta["name"].(string)
	if name == "" {
		return nil, "", fmt.Errorf("%s: the Cluster has no metadata.name", path)
	}
	return lookup, name, nil
}

// asUnstructured round-trips through JSON with the number rules of
// k8s.io/apimachinery's unstructured JSON decoding: integers become int64,
// other numbers float64.
func asUnstructured(obj interface{}) (map[string]interface{}, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v interface{}
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	m, ok := convertNumbers(v).(map[string]interface{})
	if !ok {
		return nil, errors.New("not an object")
	}
	return m, nil
}

func convertNumbers(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, e := range t {
			t[k] = convertNumbers(e)
		}
		return t
	case []interface{}:
		for i, e := range t {
			t[i] = convertNumbers(e)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	default:
		return v
	}
}
