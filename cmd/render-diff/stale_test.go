package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRenderDiffRefusesAStaleOverlay: at the head revision, an overlay that
// patches the spec without listing the function fails the render with
// krm-fn check's message, naming the cluster and the overlay to fix. The
// base revision is not checked (it may predate the annotation).
func TestRenderDiffRefusesAStaleOverlay(t *testing.T) {
	kustomize := kustomizeBinary(t)
	krmFn := filepath.Join(t.TempDir(), "krm-fn")
	build := exec.Command("go", "build", "-o", krmFn, "../krm-fn")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building krm-fn: %s", out)

	repo := testRepo{t: t, dir: t.TempDir()}
	repo.git("init", "-q")
	repo.write("deploy/base/kustomization.yaml", "resources: [cluster.yaml]\ntransformers: [cluster.yaml]\n")
	repo.write("deploy/base/cluster.yaml", clusterSpec)
	repo.write("deploy/prod/kustomization.yaml", `resources: [../base]
patches:
- target: {kind: RocketMQCluster, name: orders}
  patch: |-
    - op: add
      path: /spec/broker
      value: {groups: 3}
`)
	repo.git("add", "-A")
	repo.git("commit", "-q", "-m", "a stale overlay")
	sha := repo.git("rev-parse", "HEAD")

	opts := options{repo: repo.dir, base: sha, head: sha, kustomize: kustomize, krmFn: krmFn, overlays: []string{"deploy/base", "deploy/prod"}}
	var report, errOut strings.Builder
	err = run(context.Background(), opts, &report, &errOut)
	require.Error(t, err, "render-diff accepted a stale overlay; report:\n%s", report.String())
	msg := err.Error() + errOut.String()
	require.Contains(t, msg, "head "+sha)
	require.Contains(t, msg, "rendering deploy/prod: stale render")
	require.Contains(t, msg, "RocketMQCluster mq/orders: stale render")
	require.Contains(t, msg, "list the krm-fn function as a transformer in deploy/prod/kustomization.yaml")

	// The base overlay alone is fresh.
	opts.overlays = []string{"deploy/base"}
	report.Reset()
	require.NoError(t, run(context.Background(), opts, &report, &errOut), errOut.String())
}
