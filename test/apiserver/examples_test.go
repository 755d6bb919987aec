package apiserver_test

import (
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestCRDExamplesPassDryRun applies every example file under examples/
// that holds only objects of this project's API group (RocketMQCluster and
// TopicTransfer examples, function configs included) with the same server-
// side apply dry run as the rendered objects: no error, no warning.
func TestCRDExamplesPassDryRun(t *testing.T) {
	files := crdExampleFiles(t)
	if len(files) == 0 {
		t.Fatal("no example of this project's kinds under examples/")
	}
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		t.Run(rel, func(t *testing.T) {
			applyAllDryRun(t, testenv.PodSecurityRestricted, files[rel])
		})
	}
}

func crdExampleFiles(t *testing.T) map[string][]*unstructured.Unstructured {
	t.Helper()
	out := map[string][]*unstructured.Unstructured{}
	err := filepath.WalkDir(filepath.Join(env.Root, "examples"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "rendered") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return nil
		}
		objs, err := readObjects(path)
		if err != nil || len(objs) == 0 || !allOfGroup(objs, v1alpha1.Group) {
			return nil //nolint:nilerr // not an example of our kinds
		}
		rel, _ := filepath.Rel(env.Root, path)
		out[rel] = objs
		return nil
	})
	if err != nil {
		t.Fatalf("listing examples: %v", err)
	}
	return out
}

func allOfGroup(objs []*unstructured.Unstructured, group string) bool {
	for _, o := range objs {
		if o.GroupVersionKind().Group != group {
			return false
		}
	}
	return true
}
