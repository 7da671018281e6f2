// Command v1beta2-convert checks the v1beta2 output of lib/v1beta2 against
// Cluster API v1.13.5's own code, for pairs of cluster-class.yaml files
// (the v1beta1 synthesis and its v1beta2 conversion):
//
//		v1beta2-convert V1BETA1.yaml V1BETA2.yaml [V1BETA1.yaml V1BETA2.yaml]...
//
//	 1. webhook: the v1beta2 ClusterClass passes Cluster API's ClusterClass
//	    webhook (internal/webhooks/clusterclass.go ValidateCreate: template
//	    references, variables, patches incl. validateIndexAccess and selectors).
//	 2. class: Cluster API's conversion of the v1beta1 ClusterClass
//	    (api/core/v1beta1 ClusterClass.ConvertTo) equals ours, except for
//	    spec.patches, which Cluster API never rewrites, and the apiVersion of
//	    template references, which Cluster API keeps (its ClusterClass
//	    controller then reports RefVersionsUpToDate=False) while ours name the
//	    v1beta2 templates.
//	 3. patches: for the variables' defaults, each variable's example, each
//	    boolean flipped and all examples together, the class's inline patches
//	    are applied to its templates with Cluster API's own patch generator
//	    (internal/controllers/topology/cluster/patches/inline) and JSON patch
//	    application (as patches/engine.go applyPatchToRequest does), once for
//	    each file. The v1beta1 results, converted with Cluster API's ConvertTo
//	    (KubeadmControlPlaneTemplate, KubeadmConfigTemplate; CAPD templates only
//	    change apiVersion, test/infrastructure/docker/api/v1beta1/conversion.go,
//	    whose module the Go proxy does not serve), must equal the v1beta2
//	    results; lists of {name, value} args are compared ignoring order.
//
// From the project root, with `synth --cluster-api` wired:
//
//	node bin/cluster-stacks.cjs synth --cluster-api v1beta2 --output-dir /tmp/v1beta2
//	cd test/e2e/v1beta2-convert && go run . \
//	  ../../../dist/docker/scs/1-34/cluster-class.yaml /tmp/v1beta2/docker/scs/1-34/cluster-class.yaml
//
// The module path is below sigs.k8s.io/cluster-api on purpose: Go's internal
// package rule is path based, and this is the only way to run Cluster API's
// own patch generator and webhook outside a management cluster.
//
// Exit codes: 0 ok, 1 a check failed (messages on stderr), 2 bad usage or
// unreadable input.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/yaml"

	bootstrapv1beta1 "sigs.k8s.io/cluster-api/api/bootstrap/kubeadm/v1beta1"
	bootstrapv1 "sigs.k8s.io/cluster-api/api/bootstrap/kubeadm/v1beta2"
	kcpv1beta1 "sigs.k8s.io/cluster-api/api/controlplane/kubeadm/v1beta1"
	kcpv1 "sigs.k8s.io/cluster-api/api/controlplane/kubeadm/v1beta2"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	runtimehooksv1 "sigs.k8s.io/cluster-api/api/runtime/hooks/v1alpha1"
	"sigs.k8s.io/cluster-api/feature"
	"sigs.k8s.io/cluster-api/internal/controllers/topology/cluster/patches/inline"
	patchutil "sigs.k8s.io/cluster-api/internal/util/patch"
	"sigs.k8s.io/cluster-api/internal/webhooks"
)

type object = map[string]interface{}

type classFile struct {
	path      string
	rawClass  []byte
	class     *clusterv1.ClusterClass
	templates map[string]object // kind/name
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 || len(args)%2 != 0 {
		fmt.Fprintln(os.Stderr, "usage: v1beta2-convert V1BETA1.yaml V1BETA2.yaml [V1BETA1.yaml V1BETA2.yaml]...")
		os.Exit(2)
	}
	if err := feature.MutableGates.Set("ClusterTopology=true"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	failed := false
	for i := 0; i < len(args); i += 2 {
		v1, err1 := load(args[i])
		v2, err2 := load(args[i+1])
		if err1 != nil || err2 != nil {
			fmt.Fprintln(os.Stderr, err1, err2)
			os.Exit(2)
		}
		problems := check(v1, v2)
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "%s: %s\n", v2.path, p)
		}
		if len(problems) > 0 {
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func load(path string) (*classFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &classFile{path: path, templates: map[string]object{}}
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		doc = strings.TrimPrefix(doc, "---\n")
		if strings.TrimSpace(doc) == "" {
			continue
		}
		o := object{}
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if o["kind"] != "ClusterClass" {
			meta, _ := o["metadata"].(object)
			f.templates[fmt.Sprintf("%v/%v", o["kind"], meta["name"])] = o
			continue
		}
		f.rawClass = []byte(doc)
		f.class = &clusterv1.ClusterClass{}
		switch o["apiVersion"] {
		case clusterv1beta1.GroupVersion.String():
			old := &clusterv1beta1.ClusterClass{}
			if err := yaml.Unmarshal([]byte(doc), old); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if err := old.ConvertTo(f.class); err != nil {
				return nil, fmt.Errorf("%s: ConvertTo: %w", path, err)
			}
		case clusterv1.GroupVersion.String():
			if err := yaml.UnmarshalStrict([]byte(doc), f.class); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		default:
			return nil, fmt.Errorf("%s: ClusterClass apiVersion %v", path, o["apiVersion"])
		}
	}
	if f.class == nil {
		return nil, fmt.Errorf("%s: no ClusterClass", path)
	}
	return f, nil
}

func check(v1, v2 *classFile) []string {
	var problems []string
	// 1. webhook
	if _, err := (&webhooks.ClusterClass{}).ValidateCreate(context.Background(), v2.class); err != nil {
		problems = append(problems, fmt.Sprintf("webhook: %v", err))
	}
	// 2. class
	want := v1.class.DeepCopy()
	got := v2.class.DeepCopy()
	want.Spec.Patches, got.Spec.Patches = nil, nil
	want.TypeMeta = got.TypeMeta // ConvertTo fills the object, not its TypeMeta
	refs := func(c *clusterv1.ClusterClass) []*clusterv1.ClusterClassTemplateReference {
		out := []*clusterv1.ClusterClassTemplateReference{&c.Spec.Infrastructure.TemplateRef, &c.Spec.ControlPlane.TemplateRef, &c.Spec.ControlPlane.MachineInfrastructure.TemplateRef}
		for i := range c.Spec.Workers.MachineDeployments {
			out = append(out, &c.Spec.Workers.MachineDeployments[i].Bootstrap.TemplateRef, &c.Spec.Workers.MachineDeployments[i].Infrastructure.TemplateRef)
		}
		return out
	}
	for _, r := range refs(want) {
		if _, ok := v2.templates[r.Kind+"/"+r.Name]; ok {
			r.APIVersion = apiVersionOf(v2.templates[r.Kind+"/"+r.Name])
		}
	}
	if !reflect.DeepEqual(want, got) {
		problems = append(problems, "class: Cluster API's conversion of the v1beta1 ClusterClass differs from ours:\n"+diff(want, got))
	}
	// 3. patches
	for _, c := range cases(v1.class) {
		r1, err1 := applyPatches(v1, c.variables)
		r2, err2 := applyPatches(v2, c.variables)
		if (err1 == nil) != (err2 == nil) {
			problems = append(problems, fmt.Sprintf("patches %s: v1beta1 error %v, v1beta2 error %v", c.name, err1, err2))
			continue
		}
		if err1 != nil {
			continue // both refuse the same variables
		}
		for key, o1 := range r1 {
			w, err := convert(o1)
			if err != nil {
				problems = append(problems, fmt.Sprintf("patches %s %s: %v", c.name, key, err))
				continue
			}
			if g := r2[key]; !reflect.DeepEqual(normalize(w), normalize(g)) {
				problems = append(problems, fmt.Sprintf("patches %s %s: v1beta1 patched and converted by Cluster API differs from v1beta2 patched:\n%s", c.name, key, diff(normalize(w), normalize(g))))
			}
		}
	}
	fmt.Printf("%s: webhook, class and %d variable cases checked\n", v2.path, len(cases(v1.class)))
	return problems
}

func apiVersionOf(o object) string {
	s, _ := o["apiVersion"].(string)
	return s
}

type variableCase struct {
	name      string
	variables map[string]interface{}
}

// cases: the defaults, each example, each boolean flipped, all examples.
func cases(c *clusterv1.ClusterClass) []variableCase {
	decode := func(j *apiextensionsv1.JSON) interface{} {
		var v interface{}
		_ = json.Unmarshal(j.Raw, &v)
		return v
	}
	defaults := map[string]interface{}{}
	examples := map[string]interface{}{}
	for _, v := range c.Spec.Variables {
		if v.Schema.OpenAPIV3Schema.Default != nil {
			defaults[v.Name] = decode(v.Schema.OpenAPIV3Schema.Default)
		}
		if v.Schema.OpenAPIV3Schema.Example != nil {
			examples[v.Name] = decode(v.Schema.OpenAPIV3Schema.Example)
		}
	}
	with := func(changes map[string]interface{}) map[string]interface{} {
		out := map[string]interface{}{}
		for k, v := range defaults {
			out[k] = v
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}
	out := []variableCase{{"defaults", defaults}}
	names := make([]string, 0, len(examples))
	for k := range examples {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		out = append(out, variableCase{"example " + k, with(map[string]interface{}{k: examples[k]})})
		if b, ok := defaults[k].(bool); ok {
			out = append(out, variableCase{"flipped " + k, with(map[string]interface{}{k: !b})})
		}
	}
	return append(out, variableCase{"all examples", with(examples)})
}

func jsonValue(v interface{}) apiextensionsv1.JSON {
	b, _ := json.Marshal(v)
	return apiextensionsv1.JSON{Raw: b}
}

// applyPatches runs the class's inline patches over its templates in order,
// returning the patched templates by "<kind>/<holder field path>".
func applyPatches(f *classFile, variables map[string]interface{}) (map[string]object, error) {
	req := &runtimehooksv1.GeneratePatchesRequest{}
	names := make([]string, 0, len(variables))
	for k := range variables {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		req.Variables = append(req.Variables, runtimehooksv1.Variable{Name: k, Value: jsonValue(variables[k])})
	}
	version := "v1.34.7"
	cluster := map[string]interface{}{"name": "c1", "namespace": "ns", "topology": map[string]interface{}{"version": version, "class": f.class.Name}}
	controlPlane := []runtimehooksv1.Variable{{Name: "builtin", Value: jsonValue(map[string]interface{}{"cluster": cluster, "controlPlane": map[string]interface{}{"version": version, "name": "c1-cp", "replicas": 3}})}}
	worker := func(class string) []runtimehooksv1.Variable {
		return []runtimehooksv1.Variable{{Name: "builtin", Value: jsonValue(map[string]interface{}{"cluster": cluster, "machineDeployment": map[string]interface{}{"version": version, "class": class, "name": "c1-" + class, "topologyName": "md-0", "replicas": 1}})}}
	}
	add := func(ref clusterv1.ClusterClassTemplateReference, holderKind, fieldPath string, vars []runtimehooksv1.Variable) error {
		o, ok := f.templates[ref.Kind+"/"+ref.Name]
		if !ok {
			return fmt.Errorf("no template %s/%s", ref.Kind, ref.Name)
		}
		raw, _ := json.Marshal(o)
		req.Items = append(req.Items, runtimehooksv1.GeneratePatchesRequestItem{
			UID:             types.UID(ref.Kind + "/" + fieldPath),
			HolderReference: runtimehooksv1.HolderReference{APIVersion: "v1", Kind: holderKind, Namespace: "ns", Name: "holder", FieldPath: fieldPath},
			Object:          runtime.RawExtension{Raw: raw},
			Variables:       vars,
		})
		return nil
	}
	s := f.class.Spec
	if err := add(s.Infrastructure.TemplateRef, "Cluster", "spec.infrastructureRef", controlPlane); err != nil {
		return nil, err
	}
	if err := add(s.ControlPlane.TemplateRef, "Cluster", "spec.controlPlaneRef", controlPlane); err != nil {
		return nil, err
	}
	if err := add(s.ControlPlane.MachineInfrastructure.TemplateRef, "KubeadmControlPlane", "spec.machineTemplate.spec.infrastructureRef", controlPlane); err != nil {
		return nil, err
	}
	for _, md := range s.Workers.MachineDeployments {
		if err := add(md.Bootstrap.TemplateRef, "MachineDeployment", "spec.template.spec.bootstrap.configRef", worker(md.Class)); err != nil {
			return nil, err
		}
		if err := add(md.Infrastructure.TemplateRef, "MachineDeployment", "spec.template.spec.infrastructureRef", worker(md.Class)); err != nil {
			return nil, err
		}
	}
	// The generator reads each template's GroupVersionKind from Object.
	for i := range req.Items {
		obj := object{}
		_ = json.Unmarshal(req.Items[i].Object.Raw, &obj)
		req.Items[i].Object.Object = &unstructured.Unstructured{Object: obj}
	}
	for i := range s.Patches {
		p := s.Patches[i]
		resp, err := inline.NewGenerator(&p).Generate(context.Background(), nil, req)
		if err != nil {
			return nil, fmt.Errorf("patch %s: %w", p.Name, err)
		}
		for _, item := range resp.Items {
			if err := applyPatch(req, item); err != nil {
				return nil, fmt.Errorf("patch %s: %w", p.Name, err)
			}
		}
	}
	out := map[string]object{}
	for _, item := range req.Items {
		o := object{}
		if err := json.Unmarshal(item.Object.Raw, &o); err != nil {
			return nil, err
		}
		out[string(item.UID)] = o
	}
	return out, nil
}

// applyPatch is patches/engine.go applyPatchToRequest for JSON patches.
func applyPatch(req *runtimehooksv1.GeneratePatchesRequest, item runtimehooksv1.GeneratePatchesResponseItem) error {
	for i := range req.Items {
		if req.Items[i].UID != item.UID {
			continue
		}
		patch, err := jsonpatch.DecodePatch(item.Patch)
		if err != nil {
			return err
		}
		if len(patch) == 0 {
			return nil
		}
		patched, err := patch.Apply(req.Items[i].Object.Raw)
		if err != nil {
			return err
		}
		return patchutil.Patch(&req.Items[i].Object, patched, "spec")
	}
	return fmt.Errorf("no request item %s", item.UID)
}

// convert: Cluster API's v1beta1 → v1beta2 conversion of a patched template.
func convert(o object) (object, error) {
	raw, _ := json.Marshal(o)
	var hub interface{}
	switch {
	case o["kind"] == "KubeadmControlPlaneTemplate" && o["apiVersion"] == kcpv1beta1.GroupVersion.String():
		src := &kcpv1beta1.KubeadmControlPlaneTemplate{}
		if err := json.Unmarshal(raw, src); err != nil {
			return nil, err
		}
		dst := &kcpv1.KubeadmControlPlaneTemplate{}
		if err := src.ConvertTo(dst); err != nil {
			return nil, err
		}
		dst.APIVersion, dst.Kind = kcpv1.GroupVersion.String(), "KubeadmControlPlaneTemplate"
		hub = dst
	case o["kind"] == "KubeadmConfigTemplate" && o["apiVersion"] == bootstrapv1beta1.GroupVersion.String():
		src := &bootstrapv1beta1.KubeadmConfigTemplate{}
		if err := json.Unmarshal(raw, src); err != nil {
			return nil, err
		}
		dst := &bootstrapv1.KubeadmConfigTemplate{}
		if err := src.ConvertTo(dst); err != nil {
			return nil, err
		}
		dst.APIVersion, dst.Kind = bootstrapv1.GroupVersion.String(), "KubeadmConfigTemplate"
		hub = dst
	case o["apiVersion"] == "infrastructure.cluster.x-k8s.io/v1beta1" && strings.HasPrefix(o["kind"].(string), "Docker"):
		out := runtime.DeepCopyJSON(o)
		out["apiVersion"] = "infrastructure.cluster.x-k8s.io/v1beta2"
		return out, nil
	default:
		return o, nil
	}
	raw, _ = json.Marshal(hub)
	out := object{}
	err := json.Unmarshal(raw, &out)
	return out, err
}

// normalize drops metadata and status and sorts {name, value} lists by name.
func normalize(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, e := range x {
			if k != "metadata" && k != "status" {
				out[k] = normalize(e)
			}
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(x))
		args := len(x) > 0
		for i, e := range x {
			out[i] = normalize(e)
			m, ok := out[i].(map[string]interface{})
			_, hasName := m["name"].(string)
			_, hasValue := m["value"].(string)
			if !ok || len(m) != 2 || !hasName || !hasValue {
				args = false
			}
		}
		if args {
			sort.SliceStable(out, func(i, j int) bool {
				return out[i].(map[string]interface{})["name"].(string) < out[j].(map[string]interface{})["name"].(string)
			})
		}
		return out
	}
	return v
}

// diff lists the JSON paths where a (Cluster API) and b (ours) differ.
func diff(a, b interface{}) string {
	var ga, gb interface{}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &ga)
	_ = json.Unmarshal(jb, &gb)
	var out bytes.Buffer
	var walk func(path string, x, y interface{})
	walk = func(path string, x, y interface{}) {
		if out.Len() > 4000 || reflect.DeepEqual(x, y) {
			return
		}
		mx, okx := x.(map[string]interface{})
		my, oky := y.(map[string]interface{})
		if okx && oky {
			keys := map[string]bool{}
			for k := range mx {
				keys[k] = true
			}
			for k := range my {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				walk(path+"/"+k, mx[k], my[k])
			}
			return
		}
		ax, okx := x.([]interface{})
		ay, oky := y.([]interface{})
		if okx && oky && len(ax) == len(ay) {
			for i := range ax {
				walk(fmt.Sprintf("%s/%d", path, i), ax[i], ay[i])
			}
			return
		}
		vx, _ := json.Marshal(x)
		vy, _ := json.Marshal(y)
		fmt.Fprintf(&out, "  %s: cluster api %s, ours %s\n", path, vx, vy)
	}
	walk("", ga, gb)
	return out.String()
}
