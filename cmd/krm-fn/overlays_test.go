package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// testKustomizeOverlays renders examples/kustomize/overlays/{dev,prod}
// through hack/render.sh (which runs krm-fn check) and checks that each
// overlay's patch reaches the rendered objects, not only the cluster.
func testKustomizeOverlays(t *testing.T, e kustomizeEnv) {
	env := []string{"KUSTOMIZE=" + e.kustomize}
	render := func(t *testing.T, overlay string) map[string]map[string]any {
		t.Helper()
		out, stderr, err := e.run(t, env, renderSh, filepath.Join(overlaysDir, overlay))
		require.NoError(t, err, "render.sh %s failed: %s", overlay, stderr)
		_, stderr, err = e.runStdin(t, out, e.krmFn, "check")
		require.NoError(t, err, "krm-fn check refused overlay %s: %s", overlay, stderr)
		objs := parseObjects(t, out)
		requireRenderedLabels(t, objs, "orders", "mq")
		requireFreshHash(t, e, out)
		return objs
	}

	t.Run("prod", func(t *testing.T) {
		objs := render(t, "prod")
		require.Equal(t, float64(3), dig(t, objs["RocketMQCluster/orders"], "spec", "broker", "groups"))
		for _, id := range []string{"StatefulSet/orders-broker-0", "StatefulSet/orders-broker-1", "StatefulSet/orders-broker-2", "Service/orders-broker-2"} {
			require.Contains(t, objs, id, "the prod patch (3 broker groups) did not reach the render; got %v", keys(objs))
		}
		require.NotContains(t, objs, "StatefulSet/orders-broker-3")
	})
	t.Run("dev", func(t *testing.T) {
		objs := render(t, "dev")
		require.Contains(t, objs, "StatefulSet/orders-broker-0")
		require.NotContains(t, objs, "StatefulSet/orders-broker-1", "the dev patch (1 broker group) did not reach the render")
		require.NotContains(t, objs, "Deployment/orders-dashboard", "the dev patch disables the dashboard")
		require.Equal(t, float64(1), dig(t, objs["Deployment/orders-proxy"], "spec", "replicas"))
		claims := dig(t, objs["StatefulSet/orders-broker-0"], "spec", "volumeClaimTemplates").([]any)
		require.NotEmpty(t, claims)
		require.Equal(t, "10Gi", dig(t, claims[0].(map[string]any), "spec", "resources", "requests", "storage"))
		require.NotContains(t, objs, "ConfigMap/krm-fn", "the overlay's function config must not be applied")
	})
}

// testKustomizeStaleOverlay: an overlay that patches the spec but does not
// list the function builds fine with kustomize (the trap), and krm-fn check,
// render.sh and the Argo CD generate script refuse it, naming the cluster
// and the kustomization that must list the function.
func testKustomizeStaleOverlay(t *testing.T, e kustomizeEnv) {
	root := t.TempDir()
	cluster, err := os.ReadFile(exampleCluster)
	require.NoError(t, err)
	base, err := os.ReadFile(filepath.Join(filepath.Dir(exampleCluster), "kustomization.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "base"), 0o755))
	writeFiles(t, filepath.Join(root, "base"), map[string]string{"kustomization.yaml": string(base), "cluster.yaml": string(cluster)})
	overlay := filepath.Join(root, "overlays", "prod")
	require.NoError(t, os.MkdirAll(overlay, 0o755))
	writeFiles(t, overlay, map[string]string{"kustomization.yaml": `resources:
- ../../base
patches:
- target: {kind: RocketMQCluster, name: orders}
  patch: |-
    - op: replace
      path: /spec/broker/groups
      value: 3
`})
	out, stderr, err := e.build(t, overlay, "--enable-alpha-plugins", "--enable-exec")
	require.NoError(t, err, stderr)
	objs := parseObjects(t, out)
	require.Equal(t, float64(3), dig(t, objs["RocketMQCluster/orders"], "spec", "broker", "groups"))
	require.NotContains(t, objs, "StatefulSet/orders-broker-2", "the trap: kustomize emits the base's render")

	_, stderr, err = e.runStdin(t, out, e.krmFn, "check", "--kustomization", overlay)
	require.Error(t, err, "krm-fn check accepted a stale render")
	require.Contains(t, stderr, "RocketMQCluster mq/orders: stale render")
	require.Contains(t, stderr, "list the krm-fn function as a transformer in "+overlay+"/kustomization.yaml")

	env := []string{"KUSTOMIZE=" + e.kustomize}
	out, stderr, err = e.run(t, env, renderSh, overlay)
	require.Error(t, err, "render.sh accepted a stale render")
	require.Empty(t, out)
	require.Contains(t, stderr, "RocketMQCluster mq/orders: stale render")

	gen, err := filepath.Abs("../../hack/argocd-generate.sh")
	require.NoError(t, err)
	cmdOut, cmdErr, err := e.runIn(t, overlay, env, gen)
	require.Error(t, err, "argocd-generate.sh accepted a stale render")
	require.Empty(t, cmdOut)
	require.Contains(t, cmdErr, "RocketMQCluster mq/orders: stale render")
	require.Contains(t, cmdErr, "list the krm-fn function as a transformer in ./kustomization.yaml")

	// Listing the function in the overlay fixes it.
	writeFiles(t, overlay, map[string]string{
		"krm-fn.yaml":        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: krm-fn\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: krm-fn\n",
		"kustomization.yaml": strings.Replace(readString(t, filepath.Join(overlay, "kustomization.yaml")), "patches:", "transformers:\n- krm-fn.yaml\npatches:", 1),
	})
	out, stderr, err = e.run(t, env, renderSh, overlay)
	require.NoError(t, err, stderr)
	require.Contains(t, parseObjects(t, out), "StatefulSet/orders-broker-2")
}

// requireFreshHash: the cluster in a rendered stream records the hash of
// its own spec.
func requireFreshHash(t *testing.T, e kustomizeEnv, stream string) {
	t.Helper()
	var c *v1alpha1.RocketMQCluster
	for doc := range strings.SplitSeq(stream, "\n---\n") {
		if strings.Contains(doc, "kind: RocketMQCluster\n") {
			var err error
			c, err = v1alpha1.DecodeCluster([]byte(doc))
			require.NoError(t, err)
		}
	}
	require.NotNil(t, c, "no RocketMQCluster in the render")
	want, err := c.SpecHash()
	require.NoError(t, err)
	require.Equal(t, want, c.Annotations[v1alpha1.AnnotationRenderedSpecHash])
}

func dig(t *testing.T, obj map[string]any, path ...string) any {
	t.Helper()
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		require.True(t, ok, "%v: %s is not a mapping", path, p)
		cur = m[p]
	}
	return cur
}

func readString(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return string(b)
}

// runStdin runs name with stdin and the test PATH.
func (e kustomizeEnv) runStdin(t *testing.T, stdin, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "PATH="+e.path)
	cmd.Stdin = strings.NewReader(stdin)
	var o, eb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &eb
	err = cmd.Run()
	return o.String(), eb.String(), err
}

// runIn runs name in dir with the test PATH (plus extra env).
func (e kustomizeEnv) runIn(t *testing.T, dir string, extraEnv []string, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "PATH="+e.path), extraEnv...)
	var o, eb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &eb
	err = cmd.Run()
	return o.String(), eb.String(), err
}
