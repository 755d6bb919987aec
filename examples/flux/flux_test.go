// Package flux_test checks the Flux example: its objects pass a server-side
// dry run, they point at what the repository holds, pruning spares what
// holds data, and the health expressions read the status controller's
// conditions the way kustomize-controller evaluates them.
package flux_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/renderdiff"
)

// build renders one of the deploy kustomizations (plain kustomize, as
// `kubectl apply -k` would).
func build(t *testing.T, dir string) map[string]*unstructured.Unstructured {
	t.Helper()
	out, err := exec.Command(exampletest.Kustomize(t), "build", dir).Output()
	require.NoError(t, err)
	objs, err := renderdiff.Parse(out)
	require.NoError(t, err)
	m := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		m[u.GetKind()+"/"+u.GetName()] = u
	}
	return m
}

func TestDeployPassesDryRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, dir := range []string{"deploy/git", "deploy/oci"} {
		t.Run(dir, func(t *testing.T) {
			ns := env.NewNamespace(t, "")
			objs := build(t, dir)
			require.Len(t, objs, map[string]int{"deploy/git": 4, "deploy/oci": 5}[dir])
			for name, u := range objs {
				u.SetNamespace(ns)
				warnings, err := env.ApplyDryRun(ctx, u, "examples-test")
				require.NoError(t, err, name)
				assert.Empty(t, warnings, name)
			}
		})
	}
}

func TestDryRunRefusesAMisspeltKustomizationField(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u := build(t, "deploy/git")["Kustomization/payments-rocketmq"]
	require.NoError(t, unstructured.SetNestedField(u.Object, "payments", "spec", "dependOn"))
	u.SetNamespace(env.NewNamespace(t, ""))
	_, err := env.ApplyDryRun(ctx, u, "examples-test")
	require.Error(t, err, "the test CRD's schema must catch typos, or the dry runs above prove nothing")
	assert.Contains(t, err.Error(), "dependOn")
}

func TestPaymentsKustomizationMatchesTheRender(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	objs := build(t, "deploy/git")
	ks := objs["Kustomization/payments-rocketmq"]
	path, _, _ := unstructured.NestedString(ks.Object, "spec", "path")
	rendered := filepath.Join(root, path, "manifests.yaml")
	_, err := os.Stat(rendered)
	require.NoError(t, err, "spec.path %s must hold the committed render (make rendered)", path)

	deps, _, _ := unstructured.NestedSlice(ks.Object, "spec", "dependsOn")
	require.Len(t, deps, 1)
	dep := deps[0].(map[string]any)["name"].(string)
	controller, ok := objs["Kustomization/"+dep]
	require.True(t, ok, "dependsOn names %s, which the example defines", dep)
	cpath, _, _ := unstructured.NestedString(controller.Object, "spec", "path")
	_, err = os.Stat(filepath.Join(root, cpath, "kustomization.yaml"))
	assert.NoError(t, err, "the controller's path is the install bundle")
	wait, _, _ := unstructured.NestedBool(controller.Object, "spec", "wait")
	assert.True(t, wait, "dependents start only once the CRDs and the controller are ready")

	ignore, _, _ := unstructured.NestedString(objs["GitRepository/rocketmq-gitops"].Object, "spec", "ignore")
	for _, p := range []string{path, cpath} {
		top := strings.SplitN(strings.TrimPrefix(p, "./"), "/", 2)[0]
		assert.Contains(t, ignore, "!/"+top+"/", "the GitRepository keeps %s", p)
	}

	checks, _, _ := unstructured.NestedSlice(ks.Object, "spec", "healthChecks")
	require.Len(t, checks, 1)
	check := checks[0].(map[string]any)
	found := false
	for _, o := range exampletest.ReadObjects(t, rendered) {
		u := unstructured.Unstructured{Object: o}
		if u.GetKind() == check["kind"] && u.GetAPIVersion() == check["apiVersion"] &&
			u.GetName() == check["name"] && u.GetNamespace() == check["namespace"] {
			found = true
		}
	}
	assert.True(t, found, "the health check names the RocketMQCluster of the render: %v", check)
}

// TestPruneSparesData: with prune: true, everything Flux would delete when
// it leaves the render must be safe to delete. Objects holding data (the
// StatefulSets with volume claims, the namespace of the claims) must carry
// kustomize.toolkit.fluxcd.io/prune: disabled.
func TestPruneSparesData(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	for _, dir := range []string{"deploy/git", "deploy/oci"} {
		prune, _, _ := unstructured.NestedBool(build(t, dir)["Kustomization/payments-rocketmq"].Object, "spec", "prune")
		assert.True(t, prune, "%s: objects removed from the render are pruned", dir)
	}
	objs := exampletest.ReadObjects(t, filepath.Join(root, "examples/rendered/flux/cluster/manifests.yaml"))
	protected := 0
	for _, o := range objs {
		u := unstructured.Unstructured{Object: o}
		claims, _, _ := unstructured.NestedSlice(o, "spec", "volumeClaimTemplates")
		holdsData := u.GetKind() == "Namespace" || (u.GetKind() == "StatefulSet" && len(claims) > 0)
		if !holdsData {
			continue
		}
		protected++
		assert.Equal(t, "disabled", u.GetAnnotations()["kustomize.toolkit.fluxcd.io/prune"],
			"%s %s holds data and must not be pruned", u.GetKind(), u.GetName())
		if u.GetKind() == "StatefulSet" {
			policy, _, _ := unstructured.NestedString(o, "spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted")
			assert.Equal(t, "Retain", policy, "%s keeps its volumes when deleted", u.GetName())
		}
	}
	assert.GreaterOrEqual(t, protected, 3, "the namespace and both broker groups")
}

// The team's topics come from Git as they are, after the cluster, and the
// GitRepository keeps their folder.
func TestTeamTopicsKustomization(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	for _, dir := range []string{"deploy/git", "deploy/oci"} {
		objs := build(t, dir)
		ks, ok := objs["Kustomization/team-payments-topics"]
		require.True(t, ok, dir)
		path, _, _ := unstructured.NestedString(ks.Object, "spec", "path")
		_, err := os.Stat(filepath.Join(root, path, "kustomization.yaml"))
		require.NoError(t, err, "%s: spec.path %s is a kustomization", dir, path)
		deps, _, _ := unstructured.NestedSlice(ks.Object, "spec", "dependsOn")
		require.Len(t, deps, 1)
		assert.Equal(t, "payments-rocketmq", deps[0].(map[string]any)["name"], "after the cluster")
		wait, _, _ := unstructured.NestedBool(ks.Object, "spec", "wait")
		assert.True(t, wait, "every topic and group is health-checked")
		ignore, _, _ := unstructured.NestedString(objs["GitRepository/rocketmq-gitops"].Object, "spec", "ignore")
		assert.Contains(t, ignore, "!/"+strings.TrimPrefix(path, "./")+"/", "the GitRepository keeps the topics")

		// Every topic and group of the folder names the cluster of the
		// render, from a namespace its selector allows.
		topics, err := exec.Command(exampletest.Kustomize(t), "build", filepath.Join(root, path)).Output()
		require.NoError(t, err)
		objsOut, err := renderdiff.Parse(topics)
		require.NoError(t, err)
		kinds := map[string]int{}
		for _, o := range objsOut {
			u := unstructured.Unstructured{Object: o}
			kinds[u.GetKind()]++
			if u.GetKind() == "Namespace" {
				assert.Equal(t, "payments", u.GetLabels()["rocketmq.gitops.dev/topics"], "the payments cluster's topicNamespaceSelector")
				continue
			}
			ref, _, _ := unstructured.NestedStringMap(o, "spec", "clusterRef")
			assert.Equal(t, map[string]string{"name": "payments", "namespace": "payments"}, ref, u.GetName())
		}
		assert.Equal(t, map[string]int{"Namespace": 1, "RocketMQTopic": 2, "RocketMQConsumerGroup": 1}, kinds)
	}
}

// The team's topics validate offline against the payments cluster, as the
// README's CI command runs it: no error, no warning (the selector matches
// the Namespace, the cluster is in the render).
func TestTeamTopicsValidateAgainstTheCluster(t *testing.T) {
	var items []*yaml.RNode
	for _, f := range []string{"cluster/namespace.yaml", "cluster/cluster.yaml", "topics/namespace.yaml", "topics/topics.yaml", "topics/groups.yaml"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(b), OmitReaderAnnotations: true}).Read()
		require.NoError(t, err, f)
		items = append(items, nodes...)
	}
	_, results := fn.Run(items, nil)
	for _, r := range results {
		t.Errorf("unexpected result: %s", fn.FormatResult(r))
	}
}
