package argocd_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/renderdiff"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
)

// dryRun applies every object server-side with dryRun=All into ns and
// returns the API warnings per object.
func dryRun(t *testing.T, ns string, objs []renderdiff.Object) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	warnings := map[string][]string{}
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		u.SetNamespace(ns)
		w, err := env.ApplyDryRun(ctx, u, "examples-test")
		require.NoError(t, err)
		warnings[u.GetKind()+"/"+u.GetName()] = w
	}
	return warnings
}

func TestApplicationsAndPluginPassDryRun(t *testing.T) {
	ns := env.NewNamespace(t, "")
	var objs []renderdiff.Object
	for _, f := range []string{"apps/status-controller.yaml", "apps/orders-cluster.yaml", "apps/team-orders-topics.yaml", "plugin.yaml"} {
		objs = append(objs, exampletest.ReadObjects(t, f)...)
	}
	require.Len(t, objs, 4)
	for obj, w := range dryRun(t, ns, objs) {
		assert.Empty(t, w, "%s: API warnings", obj)
	}
}

func TestApplicationsPointAtThisRepository(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	for _, f := range []string{"apps/status-controller.yaml", "apps/orders-cluster.yaml", "apps/team-orders-topics.yaml"} {
		app := readApplication(t, f)
		k := filepath.Join(root, app.Spec.Source.Path, "kustomization.yaml")
		_, err := os.Stat(k)
		assert.NoError(t, err, "%s: spec.source.path %s has no kustomization.yaml", f, app.Spec.Source.Path)
	}
	assert.Nil(t, readApplication(t, "apps/status-controller.yaml").Spec.Source.Plugin,
		"the install bundle runs no function: Argo CD's own kustomize renders it")
}

// buildStandIn renders the argocd-config component over testdata's
// stand-in for Argo CD's install manifests.
func buildStandIn(t *testing.T) map[string]renderdiff.Object {
	t.Helper()
	out, err := exec.Command(exampletest.Kustomize(t), "build", "testdata/argocd-install").Output()
	require.NoError(t, err)
	objs, err := renderdiff.Parse(out)
	require.NoError(t, err)
	byKind := map[string]renderdiff.Object{}
	for _, o := range objs {
		byKind[o["kind"].(string)] = o
	}
	return byKind
}

func TestArgoCDConfigComponent(t *testing.T) {
	objs := buildStandIn(t)
	cm := &unstructured.Unstructured{Object: objs["ConfigMap"]}
	assert.Equal(t, "argocd-cm", cm.GetName(), "merged into Argo CD's ConfigMap, no hash suffix")
	data, _, _ := unstructured.NestedStringMap(cm.Object, "data")
	assert.Equal(t, "https://argocd.example.com", data["url"], "existing settings are kept")
	assert.Equal(t, "annotation", data["application.resourceTrackingMethod"])
	assert.Equal(t, readScript(t, "rocketmqcluster.lua"), data["resource.customizations.health.rocketmq.gitops.dev_RocketMQCluster"])
	assert.Equal(t, readScript(t, "topictransfer.lua"), data["resource.customizations.health.rocketmq.gitops.dev_TopicTransfer"])
	for _, kind := range []string{"RocketMQTopic", "RocketMQConsumerGroup"} {
		assert.Equal(t, readScript(t, "rocketmqmetadata.lua"), data["resource.customizations.health.rocketmq.gitops.dev_"+kind], kind)
	}
	assert.Equal(t, readScript(t, "application.lua"), data["resource.customizations.health.argoproj.io_Application"],
		"sync waves between Applications need their health")

	dep := &unstructured.Unstructured{Object: objs["Deployment"]}
	containers, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
	require.Len(t, containers, 2, "repo-server keeps its container and gains the sidecar")
	var names []any
	for _, c := range containers {
		names = append(names, c.(map[string]any)["name"])
	}
	assert.Equal(t, []any{"argocd-repo-server", "rocketmq-krm"}, names,
		"the sidecar comes last: kubectl logs and exec without -c pick the first container")
	volumes, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "volumes")
	assert.Equal(t, map[string]any{"name": "rocketmq-krm-tmp", "emptyDir": map[string]any{}}, volumes[len(volumes)-1],
		"upstream's volumes are kept, the sidecar's /tmp is added")
	assert.Len(t, volumes, 4)
	var sidecar map[string]any
	for _, c := range containers {
		if c.(map[string]any)["name"] == "rocketmq-krm" {
			sidecar = c.(map[string]any)
		}
	}
	require.NotNil(t, sidecar, "the rocketmq-krm sidecar is added")
	assert.Equal(t, []any{"/var/run/argocd/argocd-cmp-server"}, sidecar["command"])
	uid, _, _ := unstructured.NestedFieldNoCopy(sidecar, "securityContext", "runAsUser")
	assert.EqualValues(t, 999, uid)
	mounts := map[string]string{}
	for _, m := range sidecar["volumeMounts"].([]any) {
		mm := m.(map[string]any)
		mounts[mm["mountPath"].(string)] = mm["name"].(string)
	}
	assert.Equal(t, map[string]string{
		"/var/run/argocd": "var-files", "/home/argocd/cmp-server/plugins": "plugins", "/tmp": "rocketmq-krm-tmp",
	}, mounts)
	assert.True(t, strings.HasSuffix(sidecar["image"].(string), ":v0.1.0") &&
		strings.Contains(sidecar["image"].(string), "/rocketmq-argocd-cmp:"), "image %v", sidecar["image"])
}

func TestArgoCDConfigPassesDryRunUnderRestrictedPodSecurity(t *testing.T) {
	ns := env.NewNamespace(t, testenv.PodSecurityRestricted)
	objs := buildStandIn(t)
	warnings := dryRun(t, ns, []renderdiff.Object{objs["ConfigMap"], objs["Deployment"]})
	assert.Empty(t, warnings["Deployment/argocd-repo-server"], "the sidecar meets the restricted profile")
	assert.Empty(t, warnings["ConfigMap/argocd-cm"])
}

func TestDryRunRefusesAMisspeltApplicationField(t *testing.T) {
	ns := env.NewNamespace(t, "")
	app := exampletest.ReadObjects(t, "apps/orders-cluster.yaml")[0]
	spec := app["spec"].(map[string]any)
	spec["syncPolicy"].(map[string]any)["automatic"] = map[string]any{"prune": true}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u := &unstructured.Unstructured{Object: app}
	u.SetNamespace(ns)
	_, err := env.ApplyDryRun(ctx, u, "examples-test")
	require.Error(t, err, "the test CRD's schema must catch typos, or the dry runs above prove nothing")
	assert.Contains(t, err.Error(), "automatic")
}

// TestRenderedSyncWaves checks the committed render of the example cluster
// against how Argo CD syncs: wave by wave, each waiting for the previous
// one to be healthy. Coordination (NameServer, Controller) comes before
// brokers, brokers before what only talks to them, and the RocketMQCluster,
// Healthy only once all of it is Ready, comes last. Data-holding
// StatefulSets are never pruned.
func TestRenderedSyncWaves(t *testing.T) {
	objs := exampletest.ReadObjects(t, filepath.Join(exampletest.ModuleRoot(t), "examples/rendered/argocd/cluster/manifests.yaml"))
	waveOf := map[string]int{}
	clusterWave, maxOther := -1, -1
	for _, o := range objs {
		u := unstructured.Unstructured{Object: o}
		w := 0
		if s, ok := u.GetAnnotations()["argocd.argoproj.io/sync-wave"]; ok {
			_, err := fmt.Sscanf(s, "%d", &w)
			require.NoError(t, err, "%s %s: sync-wave %q", u.GetKind(), u.GetName(), s)
		}
		if u.GetKind() == "RocketMQCluster" {
			clusterWave = w
			continue
		}
		maxOther = max(maxOther, w)
		if c := u.GetLabels()["app.kubernetes.io/component"]; c != "" && (u.GetKind() == "StatefulSet" || u.GetKind() == "Deployment") {
			waveOf[c] = w
		}
		claims, _, _ := unstructured.NestedSlice(o, "spec", "volumeClaimTemplates")
		if u.GetKind() == "StatefulSet" && len(claims) > 0 {
			assert.Contains(t, u.GetAnnotations()["argocd.argoproj.io/sync-options"], "Prune=false", u.GetName())
		}
	}
	assert.Greater(t, clusterWave, maxOther, "the RocketMQCluster syncs after everything it reports on")
	assert.Less(t, waveOf["nameserver"], waveOf["broker"])
	assert.Less(t, waveOf["controller"], waveOf["broker"])
	assert.Less(t, waveOf["broker"], waveOf["proxy"])
	assert.Less(t, waveOf["broker"], waveOf["dashboard"])
}

// Argo CD documents Server-Side Diff for Applications synced with
// Server-Side Apply: otherwise the diff is computed another way than the
// apply and reports fields the API server defaults.
func TestServerSideApplyComesWithServerSideDiff(t *testing.T) {
	for _, f := range []string{"apps/status-controller.yaml", "apps/orders-cluster.yaml", "apps/team-orders-topics.yaml"} {
		app := exampletest.ReadObjects(t, f)[0]
		u := &unstructured.Unstructured{Object: app}
		opts, _, _ := unstructured.NestedStringSlice(u.Object, "spec", "syncPolicy", "syncOptions")
		require.Contains(t, opts, "ServerSideApply=true", f)
		compare := strings.Split(u.GetAnnotations()["argocd.argoproj.io/compare-options"], ",")
		assert.Contains(t, compare, "ServerSideDiff=true", "%s: annotation argocd.argoproj.io/compare-options", f)
	}
}
