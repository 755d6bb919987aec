package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAssetsDirFailsWithBuildHintWhenBinariesAreMissing(t *testing.T) {
	empty := t.TempDir()
	t.Setenv(assetsEnvVar, empty)
	_, err := assetsDir("/nonexistent-root")
	if err == nil {
		t.Fatal("assetsDir accepted a directory without binaries")
	}
	for _, want := range []string{"make kube-assets", "etcd", "kube-apiserver", empty} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestAssetsDirResolvesRelativePathsFromTheModuleRoot(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "bin", "k8s")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range requiredBinaries {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, setting := range []string{"./bin/k8s", ""} {
		t.Setenv(assetsEnvVar, setting)
		got, err := assetsDir(root)
		if err != nil || got != dir {
			t.Errorf("KUBEBUILDER_ASSETS=%q: assetsDir = %q, %v; want %q", setting, got, err, dir)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "etcd"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := assetsDir(root); err == nil || !strings.Contains(err.Error(), "not an executable") {
		t.Errorf("non-executable etcd: err = %v", err)
	}
}

func TestModuleRoot(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := moduleRoot(deep); err != nil || got != root {
		t.Errorf("moduleRoot = %q, %v; want %q", got, err, root)
	}
}

func TestNamespacePrefix(t *testing.T) {
	for name, want := range map[string]string{
		"TestApply/case_a": "testapply-case-a-",
		"Test__x":          "test-x-",
		"9lives":           "t-9lives-",
		"TestAVeryLongNameThatGoesOnAndOnAndOnForever": "testaverylongnamethatgoesonandonandonfor-",
	} {
		if got := namespacePrefix(name); got != want {
			t.Errorf("namespacePrefix(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestPodSecurityLabels(t *testing.T) {
	if _, ok := podSecurityLabels("strict"); ok {
		t.Error("accepted an unknown level")
	}
	if l, ok := podSecurityLabels(""); !ok || l != nil {
		t.Errorf("empty level: labels %v, ok %v; want none", l, ok)
	}
	l, _ := podSecurityLabels(PodSecurityBaseline)
	if len(l) != 6 || l["pod-security.kubernetes.io/warn"] != "baseline" || l["pod-security.kubernetes.io/enforce-version"] != "latest" {
		t.Errorf("baseline labels = %v", l)
	}
}

func TestStartWithRetriesRetriesOnlyStartFailures(t *testing.T) {
	want := &Env{}
	calls := 0
	e, err := startWithRetries(3, func() (*Env, error) {
		calls++
		if calls < 3 {
			return nil, errors.New("kube-apiserver: address already in use")
		}
		return want, nil
	})
	if err != nil || e != want || calls != 3 {
		t.Fatalf("third attempt: env=%p err=%v calls=%d, want %p, nil, 3", e, err, calls, want)
	}

	calls = 0
	_, err = startWithRetries(3, func() (*Env, error) {
		calls++
		return nil, fmt.Errorf("port %d taken", calls)
	})
	if calls != 3 || err == nil || !strings.Contains(err.Error(), "attempt 1: port 1 taken") || !strings.Contains(err.Error(), "attempt 3: port 3 taken") {
		t.Errorf("three failures: calls=%d err=%v", calls, err)
	}

	calls = 0
	missing := errors.New("kubernetes test binaries missing")
	_, err = startWithRetries(3, func() (*Env, error) {
		calls++
		return nil, noRetry{missing}
	})
	if calls != 1 || !errors.Is(err, missing) || strings.Contains(err.Error(), "attempt") {
		t.Errorf("missing binaries: calls=%d err=%v, want one call and the error as it is", calls, err)
	}
}
