// Package exampletest holds what the tests of the GitOps examples share:
// finding the module root and the pinned kustomize, building krm-fn from
// the current tree, and reading multi-document YAML.
package exampletest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/renderdiff"
)

// ModuleRoot is the directory holding go.mod, found upwards from the
// test's working directory.
func ModuleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("exampletest: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("exampletest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Kustomize returns the kustomize binary: $KUSTOMIZE (the Makefile exports
// the pinned one) or <root>/bin/kustomize. A missing binary fails the test
// rather than skipping it: a green run must mean the examples render.
func Kustomize(tb testing.TB) string {
	tb.Helper()
	candidates := []string{os.Getenv("KUSTOMIZE"), filepath.Join(ModuleRoot(tb), "bin", "kustomize")}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			if _, err := os.Stat(abs); err == nil {
				return abs
			}
		}
	}
	tb.Fatalf("exampletest: kustomize not found ($KUSTOMIZE or bin/kustomize); `make test` installs it")
	return ""
}

// KRMFn builds cmd/krm-fn of the current tree into a fresh directory and
// returns that directory, to be put first on PATH (examples reference the
// function as `path: krm-fn`).
func KRMFn(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "krm-fn"), "./cmd/krm-fn")
	cmd.Dir = ModuleRoot(tb)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("exampletest: building krm-fn: %v\n%s", err, out)
	}
	return dir
}

// PathWith returns a PATH value with dirs in front of the current PATH.
func PathWith(dirs ...string) string {
	p := os.Getenv("PATH")
	for i := len(dirs) - 1; i >= 0; i-- {
		p = dirs[i] + string(os.PathListSeparator) + p
	}
	return p
}

// ReadObjects reads every object of a multi-document YAML file.
func ReadObjects(tb testing.TB, path string) []renderdiff.Object {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("exampletest: %v", err)
	}
	objs, err := renderdiff.Parse(data)
	if err != nil {
		tb.Fatalf("exampletest: %s: %v", path, err)
	}
	return objs
}

// ExitCode is the exit status of a command that ran, or -1.
func ExitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err == nil {
		return 0
	}
	return -1
}
