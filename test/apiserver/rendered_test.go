package apiserver_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
)

// localConfigAnnotation marks objects kustomize drops from its output (a
// generator's functionConfig): they never reach a cluster.
const localConfigAnnotation = "config.kubernetes.io/local-config"

// TestGoldenOutputsPassDryRun applies every object of every expected.yaml
// with server-side apply (dryRun=All) into namespaces enforcing the
// restricted Pod Security profile (warn mode too, so violations by Pod
// templates show as warnings) and wants neither an error nor a warning.
// Cases whose input sets hostNetwork go into privileged namespaces.
func TestGoldenOutputsPassDryRun(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		if c.invalid() {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			level := podSecurityLevel(c.inputs)
			applyAllDryRun(t, level, c.expected)
		})
	}
}

// TestRenderedExamplePassesDryRun renders examples/kustomize with the real
// kustomize and krm-fn (hack/render.sh) and applies the result like the
// golden outputs.
func TestRenderedExamplePassesDryRun(t *testing.T) {
	out := renderExample(t, "examples/kustomize")
	objs, err := parseObjects(out, "rendered examples/kustomize")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) < 2 {
		t.Fatalf("the example rendered %d objects; want the cluster and what it renders", len(objs))
	}
	applyAllDryRun(t, podSecurityLevel(objs), objs)
}

func podSecurityLevel(inputs []*unstructured.Unstructured) string {
	if usesHostNetwork(inputs) {
		return testenv.PodSecurityPrivileged
	}
	return testenv.PodSecurityRestricted
}

func applyAllDryRun(t *testing.T, level string, objs []*unstructured.Unstructured) {
	t.Helper()
	ctx := testContext(t)
	ns := newNamespaceMap(t, level, objs)
	applied := 0
	for _, obj := range objs {
		if obj.GetAnnotations()[localConfigAnnotation] == "true" {
			continue
		}
		o := ns.remap(t, obj)
		warnings, err := env.ApplyDryRun(ctx, o, fieldManager)
		if err != nil {
			t.Errorf("%s: %v", objectKey(obj), err)
			continue
		}
		for _, w := range warnings {
			t.Errorf("%s: API warning: %s", objectKey(obj), w)
		}
		applied++
	}
	if applied == 0 {
		t.Error("no object was applied")
	}
}

// renderExample runs hack/render.sh on dir with the kustomize the Makefile
// pins ($KUSTOMIZE, else bin/kustomize) and bin/krm-fn first on PATH.
func renderExample(t *testing.T, dir string) []byte {
	t.Helper()
	bin := filepath.Join(env.Root, "bin")
	kustomize := os.Getenv("KUSTOMIZE")
	if kustomize == "" {
		kustomize = filepath.Join(bin, "kustomize")
	}
	for _, tool := range []string{kustomize, filepath.Join(bin, "krm-fn")} {
		if _, err := os.Stat(tool); err != nil {
			t.Fatalf("%v: run `make test` (or `make build demo`), which builds krm-fn and kustomize into bin/", err)
		}
	}
	cmd := exec.CommandContext(testContext(t), filepath.Join(env.Root, "hack", "render.sh"), dir)
	cmd.Dir = env.Root
	cmd.Env = append(os.Environ(), "KUSTOMIZE="+kustomize, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("hack/render.sh %s: %v\n%s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes()
}
