package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
)

// kustomizeBinary is the pinned kustomize `make test` installs; a missing
// one fails the test.
func kustomizeBinary(t *testing.T) string { return exampletest.Kustomize(t) }

// fakeFn is the source of a stand-in krm-fn: it ignores its input and
// emits a fixed ResourceList, so each commit below can change "the
// renderer" and the test knows exactly what changed.
const fakeFn = `package main

import (
	"fmt"
	"io"
	"os"
)

const items = %q

func main() {
	_, _ = io.Copy(io.Discard, os.Stdin)
	fmt.Print("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:" + items)
}
`

func brokerItem(g int) string {
	return fmt.Sprintf(`
- apiVersion: apps/v1
  kind: StatefulSet
  metadata:
    name: orders-broker-%d
    namespace: mq
    labels: {app.kubernetes.io/component: broker}
  spec: {replicas: 2}`, g)
}

func proxyItem(replicas int) string {
	return fmt.Sprintf(`
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: orders-proxy
    namespace: mq
    labels: {app.kubernetes.io/component: proxy}
  spec: {replicas: %d}`, replicas)
}

const clusterSpec = `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata:
  name: orders
  namespace: mq
  annotations:
    config.kubernetes.io/function: |
      exec: {path: krm-fn}
spec: {}
`

type testRepo struct {
	t   *testing.T
	dir string
}

func (r testRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	require.NoError(r.t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

func (r testRepo) write(path, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, path)
	require.NoError(r.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(r.t, os.WriteFile(p, []byte(content), 0o644))
}

// commitRenderer commits a fake function emitting items, returning the sha.
func (r testRepo) commitRenderer(msg, items string) string {
	r.write("cmd/krm-fn/main.go", fmt.Sprintf(fakeFn, items))
	r.git("add", "-A")
	r.git("commit", "-q", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func newTestRepo(t *testing.T) testRepo {
	r := testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q")
	r.write("go.mod", "module example.com/fake\n\ngo 1.26\n")
	r.write("deploy/orders/kustomization.yaml", "generators: [cluster.yaml]\n")
	r.write("deploy/orders/cluster.yaml", clusterSpec)
	r.write("deploy/plain/kustomization.yaml", "resources: [cm.yaml]\n")
	r.write("deploy/plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n")
	return r
}

func TestRenderDiffBetweenRevisions(t *testing.T) {
	kustomize := kustomizeBinary(t)
	repo := newTestRepo(t)
	base := repo.commitRenderer("two groups", brokerItem(0)+brokerItem(1)+proxyItem(2))
	repo.write("deploy/payments/kustomization.yaml", "resources: [../orders]\nnamespace: payments\n")
	head := repo.commitRenderer("three groups, three proxies", brokerItem(0)+brokerItem(1)+brokerItem(2)+proxyItem(3))

	var out, errOut strings.Builder
	err := run(context.Background(), options{
		repo: repo.dir, base: base, head: head, kustomize: kustomize, krmFn: "build", exitCode: true,
	}, &out, &errOut)
	require.ErrorIs(t, err, errDifferences, "stderr: %s", errOut.String())

	report := out.String()
	assert.Contains(t, report, "### `deploy/orders`\n\n1 added, 0 removed, 1 changed, 2 unchanged.\n\n"+
		"- orders-proxy replicas 2 → 3\n- broker group orders-broker-2 added\n")
	assert.Contains(t, report, "#### ~ Deployment/mq/orders-proxy\n\n- `spec.replicas`: `2` → `3`\n")
	assert.Contains(t, report, "### `deploy/payments` (new overlay)\n\n4 added, 0 removed, 0 changed, 0 unchanged.")
	assert.Contains(t, report, "Added:\n\n- + Deployment/payments/orders-proxy\n")
	assert.NotContains(t, report, "deploy/plain", "a kustomization without the function is not an overlay")
	assert.NotContains(t, repo.git("worktree", "list"), "render-diff-", "worktrees are removed")

	out.Reset()
	require.NoError(t, run(context.Background(), options{
		repo: repo.dir, base: head, head: head, kustomize: kustomize, krmFn: "build", exitCode: true,
	}, &out, &errOut))
	assert.Contains(t, out.String(), "### `deploy/orders`\n\nNo change (4 objects).")
}

func TestRenderDiffFailsOnEmptyRender(t *testing.T) {
	kustomize := kustomizeBinary(t)
	repo := newTestRepo(t)
	base := repo.commitRenderer("one group", brokerItem(0))
	head := repo.commitRenderer("renders nothing", "")

	var out, errOut strings.Builder
	err := run(context.Background(), options{
		repo: repo.dir, base: base, head: head, kustomize: kustomize, krmFn: "build",
		overlays: []string{"deploy/orders"},
	}, &out, &errOut)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "head "+head+": rendering deploy/orders: kustomize build rendered nothing")
	// The report says so, so that a posted comment replaces the old diff.
	assert.True(t, strings.HasPrefix(out.String(), "## Rendered diff "+base+" → "+head+"\n\n**Render failed**: no diff, "+
		"the error below must be fixed first.\n\n```text\nhead "+head+": rendering deploy/orders: kustomize build rendered nothing"),
		"report: %s", out.String())
	assert.True(t, strings.HasSuffix(out.String(), "\n```\n"), "report: %s", out.String())
}

// Uncommitted edits to what the diff compares are named, on stderr and in
// the report; other edits are not.
func TestRenderDiffWarnsAboutUncommittedChanges(t *testing.T) {
	kustomize := kustomizeBinary(t)
	repo := newTestRepo(t)
	repo.write("deploy/payments/kustomization.yaml", "resources: [../orders]\nnamespace: payments\n")
	repo.write("cmd/krm-fn/main_test.go", "package main\n")
	base := repo.commitRenderer("one group", brokerItem(0))

	opts := options{repo: repo.dir, base: base, head: "HEAD", kustomize: kustomize, krmFn: "build",
		overlays: []string{"deploy/payments"}}
	var out, errOut strings.Builder
	require.NoError(t, run(context.Background(), opts, &out, &errOut))
	assert.Empty(t, errOut.String(), "a clean tree: no warning")
	assert.NotContains(t, out.String(), "Warning")

	repo.write("deploy/orders/cluster.yaml", strings.Replace(clusterSpec, "spec: {}", "spec: {proxy: {replicas: 3}}", 1))
	repo.write("cmd/krm-fn/extra.go", "package main\n")
	repo.write("cmd/krm-fn/main_test.go", "package main\n\n// edited\n")
	repo.write("deploy/plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: b}\n")
	repo.write("NOTES.md", "x\n")
	out.Reset()
	require.NoError(t, run(context.Background(), opts, &out, &errOut))
	want := "uncommitted changes are not included (render-diff compares the commits " + base +
		" and HEAD; commit them to see their effect): cmd/krm-fn/extra.go, deploy/orders/cluster.yaml"
	assert.Equal(t, "render-diff: warning: "+want+"\n", errOut.String())
	assert.True(t, strings.HasPrefix(out.String(), "## Rendered diff "+base+" → HEAD\n\n> **Warning:** "+want+"\n\n### `deploy/payments`"),
		"report: %s", out.String())

	// With a given krm-fn binary, the renderer's source is not compared.
	assert.Equal(t, "uncommitted changes are not included (render-diff compares the commits "+base+
		" and HEAD; commit them to see their effect): deploy/orders/cluster.yaml",
		uncommittedWarning(context.Background(), options{repo: repo.dir, base: base, head: "HEAD",
			krmFn: "/bin/true", overlays: []string{"deploy/payments"}}))
}

func TestPorcelainPaths(t *testing.T) {
	assert.Equal(t, []string{"a.go", "new.yaml", "old.yaml", "dir/x y.yaml", "u.txt"},
		porcelainPaths(" M a.go\x00R  new.yaml\x00old.yaml\x00AM dir/x y.yaml\x00?? u.txt\x00"))
	assert.Empty(t, porcelainPaths(""))
}

func TestDiscoverOverlays(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"a/kustomization.yaml":           "generators: [fn.yaml]\n",
		"a/fn.yaml":                      clusterSpec,
		"b/kustomization.yml":            "resources: [../a]\n",
		"c/Kustomization":                "transformers:\n- |\n  " + strings.ReplaceAll(clusterSpec, "\n", "\n  ") + "\n",
		"d/kustomization.yaml":           "resources: [https://example.com/x.yaml, ../missing]\n",
		"e/kustomization.yaml":           "components: [../e2]\n",
		"e2/kustomization.yaml":          "kind: Component\ngenerators: [gen]\n",
		"e2/gen/kustomization.yaml":      "resources: [fn.yaml]\n",
		"e2/gen/fn.yaml":                 clusterSpec,
		"loop/kustomization.yaml":        "resources: [../loop2]\n",
		"loop2/kustomization.yaml":       "resources: [../loop]\n",
		"testdata/x/kustomization.yaml":  "generators: [fn.yaml]\n",
		"testdata/x/fn.yaml":             clusterSpec,
		".hidden/kustomization.yaml":     "generators: [fn.yaml]\n",
		".hidden/fn.yaml":                clusterSpec,
		"plainfn/kustomization.yaml":     "generators: [other.yaml]\n",
		"plainfn/other.yaml":             "kind: Other\nmetadata:\n  annotations:\n    config.kubernetes.io/function: 'exec: {path: x}'\n",
		"topics/kustomization.yaml":      "resources: [ns.yaml, t.yaml]\n",
		"topics/ns.yaml":                 "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n",
		"topics/t.yaml":                  "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQTopic\nmetadata: {name: a}\n",
		"othertopics/kustomization.yaml": "resources: [t.yaml]\n",
		"othertopics/t.yaml":             "apiVersion: example.com/v1\nkind: Topic\nmetadata: {name: a}\n",
	}
	for p, c := range files {
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, p), []byte(c), 0o644))
	}
	got, err := discoverOverlays(root)
	require.NoError(t, err)
	// e2/gen lists fn.yaml as a resource: a plain object there; listed as
	// a generator by e2, it is a function config. topics declares
	// RocketMQTopics without the function.
	assert.Equal(t, []string{"a", "b", "c", "e", "e2", "topics"}, got)

	require.NoError(t, os.MkdirAll(filepath.Join(root, "bad"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "bad", "kustomization.yaml"), []byte("resources: {a: b}"), 0o644))
	_, err = discoverOverlays(root)
	assert.ErrorContains(t, err, "bad/kustomization.yaml")
}

func TestParseFlags(t *testing.T) {
	t.Setenv("RENDER_DIFF_OVERLAYS", "")
	_, err := parseFlags(nil, &strings.Builder{})
	assert.ErrorContains(t, err, "--base is required")

	o, err := parseFlags([]string{"--base", "main", "--overlays", " a , ,b/c "}, &strings.Builder{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b/c"}, o.overlays)
	assert.Equal(t, "HEAD", o.head)
	assert.Equal(t, "build", o.krmFn)
}

func TestRenderDiffFromARevisionWithoutTheFunction(t *testing.T) {
	kustomize := kustomizeBinary(t)
	repo := newTestRepo(t)
	repo.git("add", "-A")
	repo.git("commit", "-q", "-m", "specs only, no renderer yet")
	base := repo.git("rev-parse", "HEAD")
	repo.write("deploy/plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: b}\n")
	head := repo.commitRenderer("renderer", brokerItem(0))

	var out, errOut strings.Builder
	require.NoError(t, run(context.Background(), options{
		repo: repo.dir, base: base, head: head, kustomize: kustomize, krmFn: "build",
		overlays: []string{"deploy/plain"},
	}, &out, &errOut), "stderr: %s", errOut.String())
	assert.Contains(t, out.String(), "#### ~ ConfigMap/plain\n\n- `data`: `(none)` → `{\"a\":\"b\"}`\n")
}
