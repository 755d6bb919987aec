package apiserver_test

import (
	"bytes"
	"io/fs"
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
			if level == testenv.PodSecurityPrivileged {
				checkHostNetworkNeedsPrivileged(t, c.expected)
			}
		})
	}
}

// TestRenderedExamplesPassDryRun renders every example kustomization that
// runs krm-fn with the real kustomize (hack/render.sh) and applies the
// result like the golden outputs.
func TestRenderedExamplesPassDryRun(t *testing.T) {
	dirs := exampleKustomizations(t)
	if len(dirs) == 0 {
		t.Fatal("no example kustomization runs krm-fn")
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			objs, err := parseObjects(renderExample(t, dir), "rendered "+dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(rocketMQClusters(objs)) == 0 || len(objs) < 2 {
				t.Fatalf("%s rendered %d objects; want the cluster and what it renders", dir, len(objs))
			}
			applyAllDryRun(t, podSecurityLevel(objs), objs)
		})
	}
}

// TestCommittedRendersPassDryRun applies the rendered examples committed for
// GitOps engines that cannot run KRM functions (examples/rendered).
func TestCommittedRendersPassDryRun(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(env.Root, "examples", "rendered", "*", "*", "manifests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(env.Root, "examples", "rendered", "*", "manifests.yaml"))
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no committed render in examples/rendered/*/manifests.yaml")
	}
	for _, f := range files {
		rel, _ := filepath.Rel(env.Root, f)
		t.Run(rel, func(t *testing.T) {
			objs, err := readObjects(f)
			if err != nil {
				t.Fatal(err)
			}
			applyAllDryRun(t, podSecurityLevel(objs), objs)
		})
	}
}

// exampleKustomizations lists, relative to the module root, the folders
// under examples/ holding a kustomization.yaml next to a krm-fn function
// config (an object annotated config.kubernetes.io/function).
func exampleKustomizations(t *testing.T) []string {
	t.Helper()
	var dirs []string
	root := filepath.Join(env.Root, "examples")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "rendered") {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() != "kustomization.yaml" {
			return nil
		}
		dir := filepath.Dir(path)
		if runsFunction(t, dir) {
			rel, _ := filepath.Rel(env.Root, dir)
			dirs = append(dirs, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("listing examples: %v", err)
	}
	return dirs
}

func runsFunction(t *testing.T, dir string) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("config.kubernetes.io/function")) {
			return true
		}
	}
	return false
}

// checkHostNetworkNeedsPrivileged proves what the README says: the objects
// of a hostNetwork cluster draw Pod Security warnings under both the
// restricted and the baseline profile, so they need a privileged namespace.
func checkHostNetworkNeedsPrivileged(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	ctx := testContext(t)
	for _, level := range []string{testenv.PodSecurityRestricted, testenv.PodSecurityBaseline} {
		ns := newNamespaceMap(t, level, objs)
		var hostNetworkWarnings int
		for _, obj := range objs {
			warnings, err := env.ApplyDryRun(ctx, ns.remap(t, obj), fieldManager)
			if err != nil {
				t.Errorf("%s under %s: %v", objectKey(obj), level, err)
			}
			for _, w := range warnings {
				if strings.Contains(w, "hostNetwork") {
					hostNetworkWarnings++
				}
			}
		}
		if hostNetworkWarnings == 0 {
			t.Errorf("no object warned about hostNetwork under the %s profile", level)
		}
	}
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
