package release_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
)

const fluxCluster = `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata:
  name: payments
  namespace: mq
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: krm-fn
spec:
  broker: {replicasPerGroup: 2}
`

// TestFluxCIRender walks the composite action's two steps offline: install
// a release of krm-fn with its checksum check, render with hack/render.sh,
// and fail on a render that holds no RocketMQ object.
func TestFluxCIRender(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	kustomize := exampletest.Kustomize(t)
	base, sum := fakeRelease(t)
	bin := filepath.Join(t.TempDir(), "krm-fn-bin")
	out, err := installKRMFn(t, []string{"KRM_FN_BASE_URL=" + base, "KRM_FN_SHA256=" + sum}, testRelease, bin)
	require.NoError(t, err, out)

	render := func(kustomization string) (string, string, error) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kustomization), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "cluster.yaml"), []byte(fluxCluster), 0o644))
		cmd := exec.Command(filepath.Join(root, "hack", "render.sh"), dir)
		// The installed krm-fn first, before any other on PATH.
		cmd.Env = append(os.Environ(), "KUSTOMIZE="+kustomize, "PATH="+exampletest.PathWith(bin))
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}

	stdout, stderr, err := render("resources: [cluster.yaml]\ntransformers: [cluster.yaml]\n")
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "app.kubernetes.io/managed-by: rocketmq-gitops")
	assert.Contains(t, stdout, "kind: StatefulSet")

	// Without the function only the cluster object comes out: refused.
	stdout, stderr, err = render("resources: [cluster.yaml]\n")
	require.Error(t, err)
	assert.Empty(t, stdout, "nothing for Flux to apply")
	assert.Contains(t, stderr, "rendered no RocketMQ object")
}
