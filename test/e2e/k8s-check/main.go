// Command k8s-check runs, on YAML manifests, two pieces of the real
// Kubernetes and Cluster Stack Operator code that the end-to-end tests need
// and no CLI offers without a cluster:
//
//	k8s-check validate -crds DIR [-crds DIR]... [-namespace NS] FILE...
//
// validates every object in the FILEs ("-" is stdin) the way kube-apiserver
// handles a create of a custom resource with field validation Strict (what
// kubectl and server-side apply send by default): unknown fields are errors
// (customresource_handler.go's schema coercer: ObjectMeta coercion, pruning),
// then structural defaulting, then the customresource strategy's
// PrepareForCreate and Validate: ObjectMeta, the OpenAPI v3 schema, list
// types, embedded ObjectMeta and the x-kubernetes-validations CEL rules. The
// CRDs come from the *.yaml files in the DIRs; an object without a CRD there
// is an error. Namespaced objects without a namespace get NS (default
// "default"), as with kubectl apply -n. Code: k8s.io/apiextensions-apiserver at the version in go.mod
// (the Kubernetes minor Cluster API v1.10.9 is built with).
//
//	k8s-check resources [FILE]
//
// parses FILE (default stdin), a `helm template` output, with the operator's
// kube.GetResourcesFromHelmTemplate (parseK8sYaml in pkg/kube/helpers.go of
// cluster-stack-operator v0.2.0-alpha.1), which is what the operator does
// with the output of every `helm template` it runs, and prints one
// "<apiVersion> <kind> <namespace>/<name>" line per object.
//
// Exit codes: 0 ok, 1 a check failed (messages on stderr), 2 bad usage or
// unreadable input.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "validate":
		err = validateCmd(os.Args[2:])
	case "resources":
		err = resourcesCmd(os.Args[2:])
	default:
		usage()
	}
	var failed checkFailed
	switch {
	case err == nil:
	case errors.As(err, &failed):
		os.Exit(1)
	default:
		fmt.Fprintf(os.Stderr, "k8s-check: %v\n", err)
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: k8s-check validate -crds DIR [-crds DIR]... [-namespace NS] FILE...\n       k8s-check resources [FILE]")
	os.Exit(2)
}

// checkFailed: the messages were printed already.
type checkFailed struct{}

func (checkFailed) Error() string { return "check failed" }

type dirs []string

func (d *dirs) String() string     { return strings.Join(*d, ",") }
func (d *dirs) Set(v string) error { *d = append(*d, v); return nil }

func readInput(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(filepath.Clean(path))
}

// ---- resources ----------------------------------------------------------

func resourcesCmd(args []string) error {
	path := "-"
	if len(args) > 1 {
		usage()
	}
	if len(args) == 1 {
		path = args[0]
	}
	data, err := readInput(path)
	if err != nil {
		return err
	}
	objs, err := parseK8sYaml(data)
	if err != nil {
		// The operator wraps it so (GetResourcesFromHelmTemplate).
		fmt.Fprintf(os.Stderr, "failed to get resources from template: %v\n", err)
		return checkFailed{}
	}
	for _, o := range objs {
		fmt.Printf("%s %s %s/%s\n", o.GetAPIVersion(), o.GetKind(), o.GetNamespace(), o.GetName())
	}
	return nil
}

// parseK8sYaml is the operator's function, unchanged.
func parseK8sYaml(template []byte) ([]*unstructured.Unstructured, error) {
	multidocReader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(template)))
	var objs []*unstructured.Unstructured

	for {
		buf, err := multidocReader.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
		}

		jsonbuf, err := utilyaml.ToJSON(buf)
		if err != nil {
			return nil, fmt.Errorf("failed to convert yaml to json: %w", err)
		}

		// ignore empty json
		if string(jsonbuf) == "null" {
			continue
		}

		obj, err := runtime.Decode(unstructured.UnstructuredJSONScheme, jsonbuf)
		if err != nil {
			return nil, fmt.Errorf("failed to decode YAML object: %w", err)
		}
		uobj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return nil, fmt.Errorf("failed to convert YAML to unstructured object: %w", err)
		}
		objs = append(objs, &unstructured.Unstructured{Object: uobj})
	}
	return objs, nil
}

// ---- validate -----------------------------------------------------------

type crdVersion struct {
	crd        string
	namespaced bool
	gvk        schema.GroupVersionKind
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	status     *apiextensions.CustomResourceSubresourceStatus
	scale      *apiextensions.CustomResourceSubresourceScale
	preserve   bool
}

func validateCmd(args []string) error {
	fs := flag.NewFlagSet("validate", flag.ExitOnError)
	var crdDirs dirs
	fs.Var(&crdDirs, "crds", "folder of CustomResourceDefinition *.yaml files (repeatable)")
	namespace := fs.String("namespace", "default", "namespace of namespaced objects that have none (as kubectl apply -n)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(crdDirs) == 0 || fs.NArg() == 0 {
		usage()
	}
	crds, err := loadCRDs(crdDirs)
	if err != nil {
		return err
	}
	failed := false
	for _, file := range fs.Args() {
		data, err := readInput(file)
		if err != nil {
			return err
		}
		objs, err := parseK8sYaml(data)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		for _, u := range objs {
			id := fmt.Sprintf("%s %s %s", u.GetAPIVersion(), u.GetKind(), u.GetName())
			v, ok := crds[u.GroupVersionKind()]
			if !ok {
				fmt.Fprintf(os.Stderr, "%s: %s: no CustomResourceDefinition in %s serves %s\n", file, id, crdDirs.String(), u.GroupVersionKind())
				failed = true
				continue
			}
			if v.namespaced && u.GetNamespace() == "" {
				u.SetNamespace(*namespace)
			}
			if errs := validateObject(v, u); len(errs) > 0 {
				for _, e := range errs {
					fmt.Fprintf(os.Stderr, "%s: %s: %s\n", file, id, e)
				}
				failed = true
				continue
			}
			fmt.Printf("valid %s (%s)\n", id, v.crd)
		}
	}
	if failed {
		return checkFailed{}
	}
	return nil
}

func loadCRDs(crdDirs []string) (map[schema.GroupVersionKind]*crdVersion, error) {
	out := map[schema.GroupVersionKind]*crdVersion{}
	for _, dir := range crdDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("no *.yaml files in %s", dir)
		}
		sort.Strings(files)
		for _, file := range files {
			data, err := os.ReadFile(filepath.Clean(file))
			if err != nil {
				return nil, err
			}
			docs, err := parseK8sYaml(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			for _, doc := range docs {
				if doc.GetKind() != "CustomResourceDefinition" {
					continue
				}
				if err := addCRD(out, doc); err != nil {
					return nil, fmt.Errorf("%s: %w", file, err)
				}
			}
		}
	}
	return out, nil
}

func addCRD(out map[schema.GroupVersionKind]*crdVersion, doc *unstructured.Unstructured) error {
	v1crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(doc.Object, v1crd); err != nil {
		return err
	}
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(v1crd)
	crd := &apiextensions.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(v1crd, crd, nil); err != nil {
		return err
	}
	for _, ver := range crd.Spec.Versions {
		if !ver.Served {
			continue
		}
		gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind}
		if _, dup := out[gvk]; dup {
			return fmt.Errorf("%s is served by two CustomResourceDefinitions", gvk)
		}
		// The internal version keeps a schema shared by all versions in
		// spec.validation; these helpers look in both places.
		validation, err := apiextensions.GetSchemaForVersion(crd, ver.Name)
		if err != nil {
			return err
		}
		if validation == nil || validation.OpenAPIV3Schema == nil {
			return fmt.Errorf("%s %s has no schema", crd.Name, ver.Name)
		}
		subresources, err := apiextensions.GetSubresourcesForVersion(crd, ver.Name)
		if err != nil {
			return err
		}
		structural, err := structuralschema.NewStructural(validation.OpenAPIV3Schema)
		if err != nil {
			return fmt.Errorf("%s %s: not a structural schema: %w", crd.Name, ver.Name, err)
		}
		validator, _, err := apiservervalidation.NewSchemaValidator(validation.OpenAPIV3Schema)
		if err != nil {
			return fmt.Errorf("%s %s: %w", crd.Name, ver.Name, err)
		}
		v := &crdVersion{
			crd:        crd.Name,
			namespaced: crd.Spec.Scope == apiextensions.NamespaceScoped,
			gvk:        gvk,
			structural: structural,
			validator:  validator,
			preserve:   crd.Spec.PreserveUnknownFields != nil && *crd.Spec.PreserveUnknownFields,
		}
		if subresources != nil {
			v.status = subresources.Status
			v.scale = subresources.Scale
		}
		out[gvk] = v
	}
	return nil
}

// validateObject is what kube-apiserver does with a create request body for
// a custom resource, from decoding to validation, with fieldValidation=Strict.
func validateObject(v *crdVersion, in *unstructured.Unstructured) []string {
	u := in.DeepCopy()
	var problems []string

	// The decoder's unstructuredSchemaCoercer.apply with
	// returnUnknownFieldPaths (Strict) and without dropping invalid metadata.
	unknown, err := coerce(v, u)
	if err != nil {
		return []string{err.Error()}
	}
	for _, p := range unknown {
		problems = append(problems, fmt.Sprintf("unknown field %q", p))
	}
	// The decoder's defaulting (crdConversionRESTOptionsGetter's defaulter).
	structuraldefaulting.Default(u.Object, v.structural)

	// The registry: BeforeCreate calls PrepareForCreate, then Validate.
	ctx := genericapirequest.WithNamespace(context.Background(), u.GetNamespace())
	strategy := customresource.NewStrategy(nil, v.namespaced, v.gvk, v.validator, nil, v.structural, v.status, v.scale, nil)
	strategy.PrepareForCreate(ctx, u)
	for _, e := range strategy.Validate(ctx, u) {
		problems = append(problems, e.Error())
	}
	return problems
}

// coerce is customresource_handler.go's unstructuredSchemaCoercer.apply.
func coerce(v *crdVersion, u *unstructured.Unstructured) ([]string, error) {
	var unknownFieldPaths []string
	kind, foundKind, err := unstructured.NestedString(u.UnstructuredContent(), "kind")
	if err != nil {
		return nil, err
	}
	apiVersion, foundAPIVersion, err := unstructured.NestedString(u.UnstructuredContent(), "apiVersion")
	if err != nil {
		return nil, err
	}
	objectMeta, foundObjectMeta, metaUnknownFields, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{
		DropMalformedFields:     false,
		ReturnUnknownFieldPaths: true,
	})
	if err != nil {
		return nil, err
	}
	unknownFieldPaths = append(unknownFieldPaths, metaUnknownFields...)
	if !v.preserve {
		unknownFieldPaths = append(unknownFieldPaths, structuralpruning.PruneWithOptions(u.Object, v.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
		structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, v.structural)
	}
	// (a *field.Error: keep it out of the error variable, a typed nil is not nil)
	metaErr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, v.structural, false, schemaobjectmeta.CoerceOptions{
		DropInvalidFields:       false,
		ReturnUnknownFieldPaths: true,
	})
	if metaErr != nil {
		return nil, metaErr
	}
	unknownFieldPaths = append(unknownFieldPaths, paths...)
	if foundKind {
		u.SetKind(kind)
	}
	if foundAPIVersion {
		u.SetAPIVersion(apiVersion)
	}
	if foundObjectMeta {
		if err := schemaobjectmeta.SetObjectMeta(u.Object, objectMeta); err != nil {
			return nil, err
		}
	}
	return unknownFieldPaths, nil
}
