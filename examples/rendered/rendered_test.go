// Package rendered_test checks the committed renders of the examples: they
// must equal a fresh render (Flux applies them as they are, reviewers read
// them) and apply cleanly to a real API server.
package rendered_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/renderdiff"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.RunMain(m, &env, testenv.WithServiceMonitorCRD()))
}

// committed lists the manifests.yaml files under examples/rendered.
func committed(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "manifests.yaml" {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	require.NoError(t, err)
	sort.Strings(files)
	return files
}

func TestRenderedIsUpToDate(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	fresh := t.TempDir()
	cmd := exec.Command(filepath.Join(root, "hack", "render-examples.sh"), fresh)
	cmd.Env = append(os.Environ(), "PATH="+exampletest.PathWith(exampletest.KRMFn(t)), "KUSTOMIZE="+exampletest.Kustomize(t))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	want := committed(t, fresh)
	require.NotEmpty(t, want)
	assert.Equal(t, want, committed(t, "."), "examples/rendered holds exactly the overlays of overlays.txt; run make rendered")
	for _, f := range want {
		got, _ := os.ReadFile(f)
		exp, err := os.ReadFile(filepath.Join(fresh, f))
		require.NoError(t, err)
		if string(got) != string(exp) {
			t.Errorf("examples/rendered/%s is stale; run `make rendered` and commit it. What changed:\n%s",
				f, describe(t, got, exp))
		}
	}
}

// describe says how a stale render differs, object by object.
func describe(t *testing.T, old, fresh []byte) string {
	t.Helper()
	o, err1 := renderdiff.Parse(old)
	n, err2 := renderdiff.Parse(fresh)
	if err1 != nil || err2 != nil {
		return "(unreadable render)"
	}
	r, err := renderdiff.Diff(o, n)
	if err != nil {
		return err.Error()
	}
	if r.Empty() {
		return "(same objects; formatting or comments differ)"
	}
	var b strings.Builder
	_ = r.WriteMarkdown(&b, "committed → fresh")
	return b.String()
}

// TestRenderedAppliesCleanly dry-runs every committed object with
// server-side apply into namespaces enforcing the restricted Pod Security
// profile, the way Argo CD (ServerSideApply=true) and Flux apply them.
func TestRenderedAppliesCleanly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, f := range committed(t, ".") {
		t.Run(f, func(t *testing.T) {
			objs := exampletest.ReadObjects(t, f)
			require.NotEmpty(t, objs)
			for _, o := range objs {
				u := &unstructured.Unstructured{Object: o}
				if ns := u.GetNamespace(); ns != "" {
					ensureRestrictedNamespace(ctx, t, ns)
				}
				warnings, err := env.ApplyDryRun(ctx, u, "rendered-test")
				require.NoError(t, err)
				assert.Empty(t, warnings, "%s/%s: API warnings", u.GetKind(), u.GetName())
			}
		})
	}
}

func ensureRestrictedNamespace(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
	}}}
	err := env.Client.Create(ctx, ns)
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		require.NoError(t, err)
	}
}
