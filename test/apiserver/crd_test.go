package apiserver_test

import (
	"context"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
)

// TestCRDsAreEstablished checks that every CRD in config/crd/bases was
// installed and that the API server accepted its names and serves it.
func TestCRDsAreEstablished(t *testing.T) {
	ctx := testContext(t)
	crds := projectCRDs(t)
	for _, want := range crds {
		got := &apiextensionsv1.CustomResourceDefinition{}
		if err := env.Client.Get(ctx, client.ObjectKey{Name: want.Name}, got); err != nil {
			t.Errorf("CRD %s: %v", want.Name, err)
			continue
		}
		for _, cond := range []apiextensionsv1.CustomResourceDefinitionConditionType{
			apiextensionsv1.Established, apiextensionsv1.NamesAccepted,
		} {
			if !crdCondition(got, cond) {
				t.Errorf("CRD %s: condition %s is not True: %+v", want.Name, cond, got.Status.Conditions)
			}
		}
	}
}

func crdCondition(crd *apiextensionsv1.CustomResourceDefinition, typ apiextensionsv1.CustomResourceDefinitionConditionType) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == typ {
			return c.Status == apiextensionsv1.ConditionTrue
		}
	}
	return false
}

func projectCRDs(t *testing.T) []*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(env.Root, testenv.CRDDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRD in %s (%v): run `make manifests`", testenv.CRDDir, err)
	}
	var out []*apiextensionsv1.CustomResourceDefinition
	for _, f := range files {
		objs, err := readObjects(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, crd); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, crd)
		}
	}
	return out
}

// TestCRDFieldsHaveDescriptions walks the schema of every served version of
// every project CRD: each field under spec must carry a description, which
// is what kubectl explain and editors show.
func TestCRDFieldsHaveDescriptions(t *testing.T) {
	for _, crd := range projectCRDs(t) {
		for _, v := range crd.Spec.Versions {
			spec, ok := v.Schema.OpenAPIV3Schema.Properties["spec"]
			if !ok {
				t.Errorf("%s %s: no spec in the schema", crd.Name, v.Name)
				continue
			}
			for _, p := range undocumented(".spec", spec) {
				t.Errorf("%s %s: %s has no description", crd.Name, v.Name, p)
			}
		}
	}
}

func undocumented(path string, s apiextensionsv1.JSONSchemaProps) []string {
	var out []string
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		child := s.Properties[n]
		if strings.TrimSpace(child.Description) == "" {
			out = append(out, path+"."+n)
		}
		out = append(out, undocumented(path+"."+n, child)...)
	}
	if s.Items != nil && s.Items.Schema != nil {
		out = append(out, undocumented(path+"[]", *s.Items.Schema)...)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		out = append(out, undocumented(path+"[*]", *s.AdditionalProperties.Schema)...)
	}
	return out
}

// TestKubectlExplainDocumentsBroker runs the real kubectl explain against
// the API server: it must list every field of spec.broker with the start of
// the description the CRD gives it.
func TestKubectlExplainDocumentsBroker(t *testing.T) {
	out := explain(t, "rocketmqcluster.spec.broker")
	text := collapseSpace(string(out))
	if !strings.Contains(text, "FIELD: broker") || !strings.Contains(text, "DESCRIPTION:") {
		t.Fatalf("kubectl explain printed no description of spec.broker:\n%s", out)
	}
	broker := rocketMQClusterSchema(t).Properties["spec"].Properties["broker"]
	if len(broker.Properties) == 0 {
		t.Fatal("the CRD declares no field under spec.broker")
	}
	for name, field := range broker.Properties {
		if !regexp.MustCompile(`(^| )` + regexp.QuoteMeta(name) + ` <`).MatchString(text) {
			t.Errorf("kubectl explain does not list field %s", name)
		}
		if words := firstWords(field.Description, 4); words == "" || !strings.Contains(text, words) {
			t.Errorf("kubectl explain does not show the description of %s (%q)", name, words)
		}
	}
}

func rocketMQClusterSchema(t *testing.T) apiextensionsv1.JSONSchemaProps {
	t.Helper()
	for _, crd := range projectCRDs(t) {
		if crd.Spec.Names.Kind == "RocketMQCluster" {
			return *crd.Spec.Versions[0].Schema.OpenAPIV3Schema
		}
	}
	t.Fatalf("no RocketMQCluster CRD in %s", testenv.CRDDir)
	return apiextensionsv1.JSONSchemaProps{}
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) > n {
		words = words[:n]
	}
	return strings.Join(words, " ")
}

// explain runs kubectl explain, retrying while the API server has not yet
// published the OpenAPI document of a CRD installed moments ago.
func explain(t *testing.T, field string) []byte {
	t.Helper()
	var out []byte
	var err error
	poll := func(ctx context.Context) (bool, error) {
		out, err = env.Kubectl(ctx, "explain", field)
		return err == nil, nil
	}
	if perr := wait.PollUntilContextTimeout(testContext(t), 200*time.Millisecond, 30*time.Second, true, poll); perr != nil {
		t.Fatalf("kubectl explain %s: %v (last error: %v)", field, perr, err)
	}
	return out
}
