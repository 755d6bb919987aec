// Package kpt_test runs the function under kpt, the way kpt users do:
// `kpt fn render` on this package and `kpt fn eval --exec`. kpt is not
// installed by `make test` (it is not a Go module dependency), so these
// tests skip, saying so, when it is not on PATH.
package kpt_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
)

func kptBinary(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("kpt")
	if err != nil {
		t.Skip("kpt is not on PATH; install kpt v1 to run the kpt tests")
	}
	return p
}

// copyPackage copies this package's Kptfile and cluster.yaml to a fresh
// directory, since kpt writes the rendered objects into the package.
func copyPackage(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "orders")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, f := range []string{"Kptfile", "cluster.yaml"} {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), data, 0o644))
	}
	return dir
}

func run(t *testing.T, krmFnDir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(kptBinary(t), args...)
	cmd.Env = append(os.Environ(), "PATH="+exampletest.PathWith(krmFnDir))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// snapshot reads every file of a package.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	}))
	return files
}

func TestKptFnRenderIsIdempotent(t *testing.T) {
	kptBinary(t)
	fn := exampletest.KRMFn(t)
	pkg := copyPackage(t)
	out, err := run(t, fn, "fn", "render", "--allow-exec", pkg)
	require.NoError(t, err, out)
	first := snapshot(t, pkg)
	for _, f := range []string{"mq/statefulset_orders-nameserver.yaml", "mq/statefulset_orders-broker-0.yaml",
		"mq/statefulset_orders-broker-1.yaml", "mq/deployment_orders-proxy.yaml"} {
		assert.Contains(t, first, f, "kpt writes each rendered object to its own file")
	}

	out, err = run(t, fn, "fn", "render", "--allow-exec", pkg)
	require.NoError(t, err, out)
	assert.Equal(t, first, snapshot(t, pkg), "a second render changes nothing")
}

func TestKptFnEvalReportsResults(t *testing.T) {
	kptBinary(t)
	pkg := copyPackage(t)
	spec := filepath.Join(pkg, "cluster.yaml")
	data, err := os.ReadFile(spec)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(spec, []byte(strings.Replace(string(data), "nameServer:", "nameserver:", 1)), 0o644))

	results := t.TempDir()
	out, err := run(t, exampletest.KRMFn(t), "fn", "eval", "--exec", "krm-fn", "--results-dir", results, pkg)
	require.Error(t, err, out)
	assert.Contains(t, out, "[error]")
	assert.Contains(t, out, "spec.nameserver")

	saved, err := os.ReadFile(filepath.Join(results, "results.yaml"))
	require.NoError(t, err)
	for _, want := range []string{"kind: FunctionResultList", "severity: error", "path: spec.nameserver", "kind: RocketMQCluster"} {
		assert.Contains(t, string(saved), want)
	}
	assert.Equal(t, []string{"Kptfile", "cluster.yaml"}, keys(snapshot(t, pkg)), "nothing is written on error")
}

func keys(m map[string]string) []string {
	var k []string
	for f := range m {
		k = append(k, f)
	}
	sort.Strings(k)
	return k
}
