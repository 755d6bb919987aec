package apiserver_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// crdRejectsMarker is the file that marks an invalid golden case whose
// errors the CRD's schema and validation rules express. Empty, the API
// server's refusal must name every field path of errors.txt; otherwise it
// lists, one per line, the paths the CRD expresses.
const crdRejectsMarker = "crd-rejects"

// TestInvalidGoldenInputs sends every RocketMQCluster, RocketMQTopic and
// RocketMQConsumerGroup of an invalid golden case to the API server
// (create, dryRun=All, strict field validation). Each one errors.txt names
// must, in a case marked crd-rejects, be refused with a message naming the
// marked fields; in an unmarked case it must be accepted, so that the
// markers always say exactly what the CRD enforces. The case's other
// objects must always be accepted.
func TestInvalidGoldenInputs(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		if !c.invalid() {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			ctx := testContext(t)
			ns := env.NewNamespace(t, "")
			for _, in := range validatedKinds(c.inputs) {
				obj := in.DeepCopy()
				obj.SetNamespace(ns)
				err := env.Client.Create(ctx, obj, client.DryRunAll, client.FieldValidation("Strict"))
				paths := c.errorPaths(in)
				switch {
				case len(paths) == 0 && err != nil:
					t.Errorf("%s is valid in errors.txt but the API server refused it: %v", objectKey(in), err)
				case len(paths) == 0:
				case !c.marked && err != nil:
					t.Errorf("%s: the CRD refuses it (%v): add an empty %s file to %s", objectKey(in), err, crdRejectsMarker, c.dir)
				case !c.marked:
					t.Logf("%s: accepted by the API server; only krm-fn reports %s", objectKey(in), strings.Join(paths, ", "))
				case err == nil:
					t.Errorf("%s: accepted by the API server, but %s says the CRD refuses it (%s)", objectKey(in), crdRejectsMarker, strings.Join(paths, ", "))
				default:
					checkRefusalNames(t, in, c.expectedPaths(paths), err)
				}
			}
		})
	}
}

// errorPaths are the field paths errors.txt reports for obj.
func (c goldenCase) errorPaths(obj *unstructured.Unstructured) []string {
	var out []string
	for _, e := range c.errors {
		if e.kind == obj.GetKind() && e.namespace == obj.GetNamespace() && e.name == obj.GetName() {
			out = append(out, e.path)
		}
	}
	return out
}

// expectedPaths narrows paths to those the marker lists, if it lists any.
func (c goldenCase) expectedPaths(paths []string) []string {
	if len(c.crdRejects) == 0 {
		return paths
	}
	var out []string
	for _, p := range paths {
		for _, m := range c.crdRejects {
			if p == m {
				out = append(out, p)
			}
		}
	}
	return out
}

func checkRefusalNames(t *testing.T, obj *unstructured.Unstructured, paths []string, err error) {
	t.Helper()
	if len(paths) == 0 {
		t.Errorf("%s: %s lists no field path of errors.txt", objectKey(obj), crdRejectsMarker)
	}
	for _, p := range paths {
		if !refusalNames(obj, p, err) {
			t.Errorf("%s: the API server's refusal does not name %s: %v", objectKey(obj), p, err)
		}
	}
}

// refusalNames reports whether err names the field path p. Map keys are
// written config[key] by krm-fn and may be config.key or config[key] in
// API messages. An unserved apiVersion is refused before any schema runs,
// by a message naming the version. A path only counts when whole:
// spec.controller is not named by an error about spec.controller.type.
func refusalNames(obj *unstructured.Unstructured, p string, err error) bool {
	msg := err.Error()
	if p == "apiVersion" && meta.IsNoMatchError(err) {
		return strings.Contains(msg, obj.GetAPIVersion())
	}
	dotted := strings.NewReplacer("[", ".", "]", "").Replace(p)
	for _, candidate := range []string{p, dotted, quotedKeyPath(p)} {
		// spec.controller must not match inside spec.controller.type.
		if regexp.MustCompile(regexp.QuoteMeta(candidate) + `($|[^.\[\w])`).MatchString(msg) {
			return true
		}
	}
	return false
}

// quotedKeyPath writes config[key] as config['key'], as CEL field paths do.
func quotedKeyPath(p string) string {
	i, j := strings.Index(p, "["), strings.Index(p, "]")
	if i < 0 || j < i {
		return p
	}
	return fmt.Sprintf("%s['%s']%s", p[:i], p[i+1:j], p[j+1:])
}

// validatedKinds are the objects of the kinds krm-fn validates: clusters,
// topics and consumer groups.
func validatedKinds(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		switch o.GetKind() {
		case v1alpha1.KindRocketMQCluster, v1alpha1.KindRocketMQTopic, v1alpha1.KindRocketMQConsumerGroup:
			out = append(out, o)
		}
	}
	return out
}
