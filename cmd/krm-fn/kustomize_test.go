package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// These tests run the real kustomize binary (KUSTOMIZE, exported by the
// Makefile) on real kustomizations with krm-fn on PATH, the way make demo,
// CI and an Argo CD plugin sidecar run it.

const (
	exampleDir     = "../../examples/kustomize"
	exampleCluster = "../../examples/kustomize/base/cluster.yaml"
	exampleTopics  = "../../examples/topics"
	overlaysDir    = "../../examples/kustomize/overlays"
	renderSh       = "../../hack/render.sh"
)

// kustomizeEnv is what every kustomize test needs: the binary and a PATH
// that finds krm-fn.
type kustomizeEnv struct {
	kustomize string
	krmFn     string // the krm-fn binary
	path      string // PATH with krm-fn's directory first
}

func newKustomizeEnv(t *testing.T) kustomizeEnv {
	t.Helper()
	k := os.Getenv("KUSTOMIZE")
	if k == "" {
		t.Fatal("KUSTOMIZE is not set: run `make test` (it installs kustomize v5.8.2 into ./bin and exports KUSTOMIZE), or set KUSTOMIZE to a kustomize binary")
	}
	if _, err := os.Stat(k); err != nil {
		t.Fatalf("KUSTOMIZE=%s is not usable: %v (run `make test` to install it)", k, err)
	}
	dir := krmFnDir(t)
	return kustomizeEnv{
		kustomize: k,
		krmFn:     filepath.Join(dir, "krm-fn"),
		path:      dir + string(os.PathListSeparator) + os.Getenv("PATH"),
	}
}

// krmFnDir is a directory holding a krm-fn built from this source (or the
// binary named by KRM_FN).
func krmFnDir(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("KRM_FN"); p != "" {
		require.Equal(t, "krm-fn", filepath.Base(p), "KRM_FN must name a file called krm-fn (kustomizations call it by that name)")
		return filepath.Dir(p)
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "krm-fn"), ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building krm-fn: %s", out)
	return dir
}

// run runs name with args and the test PATH (plus extra env).
func (e kustomizeEnv) run(t *testing.T, extraEnv []string, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(append(os.Environ(), "PATH="+e.path), extraEnv...)
	var o, eb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &eb
	err = cmd.Run()
	return o.String(), eb.String(), err
}

func (e kustomizeEnv) build(t *testing.T, dir string, flags ...string) (string, string, error) {
	t.Helper()
	return e.run(t, nil, e.kustomize, append([]string{"build"}, append(flags, dir)...)...)
}

// TestKustomize builds krm-fn once and runs every kustomize scenario.
func TestKustomize(t *testing.T) {
	e := newKustomizeEnv(t)
	t.Run("example", func(t *testing.T) { testKustomizeExample(t, e) })
	t.Run("transformer with separate config", func(t *testing.T) { testKustomizeTransformerWithSeparateConfig(t, e) })
	t.Run("generator drops the cluster itself", func(t *testing.T) { testKustomizeGeneratorDropsTheClusterItself(t, e) })
	t.Run("invalid cluster fails", func(t *testing.T) { testKustomizeInvalidClusterFails(t, e) })
	t.Run("each error once", func(t *testing.T) { testKustomizeEachErrorOnce(t, e) })
	t.Run("render.sh", func(t *testing.T) { testRenderScript(t, e) })
	t.Run("overlays", func(t *testing.T) { testKustomizeOverlays(t, e) })
	t.Run("overlay without the function is stale", func(t *testing.T) { testKustomizeStaleOverlay(t, e) })
}

func testKustomizeExample(t *testing.T, e kustomizeEnv) {
	out, stderr, err := e.build(t, exampleDir, "--enable-alpha-plugins", "--enable-exec")
	require.NoError(t, err, "kustomize build failed: %s", stderr)
	objs := parseObjects(t, out)

	want := []string{
		"RocketMQCluster/orders",
		"StatefulSet/orders-nameserver", "Service/orders-nameserver",
		"StatefulSet/orders-controller", "Service/orders-controller",
		"StatefulSet/orders-broker-0", "StatefulSet/orders-broker-1",
		"Service/orders-broker-0", "Service/orders-broker-1",
		"Deployment/orders-proxy", "Service/orders-proxy",
		"Deployment/orders-dashboard", "Service/orders-dashboard",
		"Namespace/team-orders", "RocketMQTopic/orders", "RocketMQConsumerGroup/billing",
	}
	for _, id := range want {
		require.Contains(t, objs, id, "kustomize output lacks %s; got %v", id, keys(objs))
	}
	requireRenderedLabels(t, objs, "orders", "mq")

	again, _, err := e.build(t, exampleDir, "--enable-alpha-plugins", "--enable-exec")
	require.NoError(t, err)
	require.Equal(t, out, again, "two kustomize builds differ")

	// The function through kustomize and `krm-fn render` agree object by object.
	// The example adds the team's topics (../topics) to the cluster.
	standalone, stderr, err := e.run(t, nil, e.krmFn, "render", exampleCluster,
		exampleTopics+"/namespace.yaml", exampleTopics+"/topics.yaml", exampleTopics+"/groups.yaml")
	require.NoError(t, err, stderr)
	direct := parseObjects(t, standalone)
	require.ElementsMatch(t, keys(direct), keys(objs))
	for id, obj := range direct {
		require.Equal(t, obj, objs[id], "%s differs between kustomize build and krm-fn render", id)
	}
}

func testKustomizeTransformerWithSeparateConfig(t *testing.T, e kustomizeEnv) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"kustomization.yaml": "resources:\n- clusters.yaml\n- secret.yaml\ntransformers:\n- render.yaml\n",
		"render.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: render-rocketmq
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: krm-fn
`,
		"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: rocketmq-admin, namespace: team-a}\nstringData: {username: admin, password: x}\n",
		"clusters.yaml": `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: alpha, namespace: team-a}
spec:
  broker: {replicasPerGroup: 2}
  acl: {enabled: true, adminSecretRef: {name: rocketmq-admin}}
---
apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: beta, namespace: team-b}
spec:
  broker: {groups: 2, replicasPerGroup: 2}
`,
	})
	out, stderr, err := e.build(t, dir, "--enable-alpha-plugins", "--enable-exec")
	require.NoError(t, err, "kustomize build failed: %s", stderr)
	objs := parseObjects(t, out)
	for _, id := range []string{
		"Secret/rocketmq-admin", "RocketMQCluster/alpha", "RocketMQCluster/beta",
		"StatefulSet/alpha-nameserver", "StatefulSet/alpha-broker-0",
		"StatefulSet/beta-nameserver", "StatefulSet/beta-broker-0", "StatefulSet/beta-broker-1",
	} {
		require.Contains(t, objs, id, "got %v", keys(objs))
	}
	require.NotContains(t, objs, "ConfigMap/render-rocketmq", "the function's config must not be applied")
	requireRenderedLabels(t, filterCluster(objs, "alpha"), "alpha", "team-a")
	requireRenderedLabels(t, filterCluster(objs, "beta"), "beta", "team-b")
}

func testKustomizeGeneratorDropsTheClusterItself(t *testing.T, e kustomizeEnv) {
	dir := t.TempDir()
	cluster, err := os.ReadFile(exampleCluster)
	require.NoError(t, err)
	writeFiles(t, dir, map[string]string{
		"kustomization.yaml": "generators:\n- cluster.yaml\n",
		"cluster.yaml":       string(cluster),
	})
	out, stderr, err := e.build(t, dir, "--enable-alpha-plugins", "--enable-exec")
	require.NoError(t, err, stderr)
	objs := parseObjects(t, out)
	require.Contains(t, objs, "StatefulSet/orders-broker-1")
	require.NotContains(t, objs, "RocketMQCluster/orders", "kustomize drops a generator's config (local-config)")

	// The documented trap: without --enable-exec kustomize skips the
	// function, prints nothing and exits 0.
	out, _, err = e.build(t, dir, "--enable-alpha-plugins")
	require.NoError(t, err)
	require.Empty(t, strings.TrimSpace(out))
}

func testKustomizeInvalidClusterFails(t *testing.T, e kustomizeEnv) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"kustomization.yaml": "resources:\n- cluster.yaml\ntransformers:\n- cluster.yaml\n",
		"cluster.yaml": `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata:
  name: broken
  namespace: mq
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: krm-fn
spec:
  nameserver: {replicas: 3}
`,
	})
	out, stderr, err := e.build(t, dir, "--enable-alpha-plugins", "--enable-exec")
	require.Error(t, err, "kustomize must fail on an invalid cluster; stdout:\n%s", out)
	require.Empty(t, strings.TrimSpace(out))
	require.Contains(t, stderr, "error: RocketMQCluster mq/broken: spec.nameserver: ")
	require.NotContains(t, stderr, "panic")
	// Our message ends with a newline, so kustomize's own line starts afresh.
	require.Regexp(t, `\n\s*Error: `, stderr)
}

// testKustomizeEachErrorOnce checks what a user of kustomize build sees on
// stderr: every error exactly once (kustomize passes a transformer's config
// both as an item and as the functionConfig, and prints only our stderr,
// not the results), with no error that follows from another.
func testKustomizeEachErrorOnce(t *testing.T, e kustomizeEnv) {
	const head = `kind: RocketMQCluster
metadata:
  name: broken
  namespace: mq
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: krm-fn
`
	tests := []struct {
		name, cluster string
		want          []string // the error lines, in order
	}{
		{"wrong apiVersion", "apiVersion: rocketmq.gitops.dev/v1beta1\n" + head + "spec: {}\n", []string{
			`error: RocketMQCluster mq/broken: apiVersion: apiVersion "rocketmq.gitops.dev/v1beta1" is not supported; this function renders rocketmq.gitops.dev/v1alpha1`,
		}},
		{"unsupported broker mode", "apiVersion: rocketmq.gitops.dev/v1alpha1\n" + head + "spec:\n  broker: {mode: controller}\n  controller: {replicas: 3}\n", []string{
			`error: RocketMQCluster mq/broken: spec.broker.mode: Unsupported value: "controller": supported values: "MasterSlave", "Controller"`,
		}},
		{"misspelt fields", "apiVersion: rocketmq.gitops.dev/v1alpha1\n" + head + "spec:\n  nameServer: {replica: 3}\n  broker: {storage: {storageClass: fast}}\n", []string{
			`error: RocketMQCluster mq/broken: spec.broker.storage.storageClass: Forbidden: unknown field "storageClass": did you mean "storageClassName"? (valid fields: size, storageClassName)`,
			`error: RocketMQCluster mq/broken: spec.nameServer.replica: Forbidden: unknown field "replica": did you mean "replicas"? (valid fields: hostNetwork, jvm, placement, replicas, resources)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{
				"kustomization.yaml": "resources:\n- cluster.yaml\ntransformers:\n- cluster.yaml\n",
				"cluster.yaml":       tt.cluster,
			})
			out, stderr, err := e.build(t, dir, "--enable-alpha-plugins", "--enable-exec")
			require.Error(t, err, "kustomize must fail; stdout:\n%s", out)
			var ours []string
			for _, line := range strings.Split(stderr, "\n") {
				if strings.HasPrefix(line, "error: ") {
					ours = append(ours, line)
				}
			}
			require.Equal(t, tt.want, ours, "stderr:\n%s", stderr)
		})
	}
}

func testRenderScript(t *testing.T, e kustomizeEnv) {
	env := []string{"KUSTOMIZE=" + e.kustomize}
	out, stderr, err := e.run(t, env, renderSh, exampleDir)
	require.NoError(t, err, "render.sh failed: %s", stderr)
	objects := parseObjects(t, out)
	require.Contains(t, objects, "StatefulSet/orders-broker-0")
	// The count per kind goes to stderr, so stdout stays pure YAML.
	require.Regexp(t, fmt.Sprintf(`render\.sh: rendered %d objects from \S+: .*\d+ StatefulSet`, len(objects)), stderr)
	require.NotContains(t, out, "render.sh:")

	// A kustomize that ignores --enable-exec, as kubectl kustomize or a
	// misconfigured CI would: render.sh must refuse the result.
	noExec := filepath.Join(t.TempDir(), "kustomize-no-exec")
	writeFiles(t, filepath.Dir(noExec), map[string]string{filepath.Base(noExec): `#!/usr/bin/env bash
args=()
for a in "$@"; do [[ $a == --enable-exec ]] || args+=("$a"); done
exec "$REAL_KUSTOMIZE" "${args[@]}"
`})
	require.NoError(t, os.Chmod(noExec, 0o755))
	env = []string{"KUSTOMIZE=" + noExec, "REAL_KUSTOMIZE=" + e.kustomize}

	out, stderr, err = e.run(t, env, renderSh, exampleDir)
	require.Error(t, err, "render.sh accepted a render without the function:\n%s", out)
	require.Empty(t, out)
	require.Contains(t, stderr, "rendered no RocketMQ object")

	genDir := t.TempDir()
	cluster, err := os.ReadFile(exampleCluster)
	require.NoError(t, err)
	writeFiles(t, genDir, map[string]string{"kustomization.yaml": "generators:\n- cluster.yaml\n", "cluster.yaml": string(cluster)})
	out, stderr, err = e.run(t, env, renderSh, genDir)
	require.Error(t, err, "render.sh accepted an empty render")
	require.Empty(t, out)
	require.Contains(t, stderr, "rendered NOTHING")
}

// parseObjects maps Kind/name to the object as plain data.
func parseObjects(t *testing.T, stream string) map[string]map[string]any {
	t.Helper()
	nodes, err := (&kio.ByteReader{Reader: strings.NewReader(stream), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	require.NotEmpty(t, nodes, "no objects in the output")
	objs := map[string]map[string]any{}
	for _, n := range nodes {
		id := n.GetKind() + "/" + n.GetName()
		require.NotContains(t, objs, id, "duplicate object %s", id)
		objs[id] = toMap(t, n)
	}
	return objs
}

func toMap(t *testing.T, n *yaml.RNode) map[string]any {
	t.Helper()
	s, err := n.String()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, sigsyaml.Unmarshal([]byte(s), &m))
	return m
}

// requireRenderedLabels checks that every rendered object of the cluster
// is in its namespace and carries the labels the controller selects by.
func requireRenderedLabels(t *testing.T, objs map[string]map[string]any, cluster, namespace string) {
	t.Helper()
	rendered := 0
	for id, o := range objs {
		if strings.HasPrefix(id, "RocketMQCluster/") || !strings.HasPrefix(nameOf(o), cluster+"-") {
			continue
		}
		rendered++
		meta := o["metadata"].(map[string]any)
		require.Equal(t, namespace, meta["namespace"], "%s namespace", id)
		labels, _ := meta["labels"].(map[string]any)
		require.Equal(t, "rocketmq-gitops", labels["app.kubernetes.io/managed-by"], "%s labels", id)
		require.Equal(t, cluster, labels["rocketmq.gitops.dev/cluster"], "%s labels", id)
		require.Equal(t, "rocketmq", labels["app.kubernetes.io/name"], "%s labels", id)
		require.NotEmpty(t, labels["app.kubernetes.io/component"], "%s labels", id)
	}
	require.Positive(t, rendered, "no rendered objects for cluster %s", cluster)
}

func filterCluster(objs map[string]map[string]any, cluster string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, o := range objs {
		if strings.HasPrefix(nameOf(o), cluster+"-") {
			out[id] = o
		}
	}
	return out
}

func nameOf(o map[string]any) string {
	meta, _ := o["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	return name
}

func keys(m map[string]map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
}
