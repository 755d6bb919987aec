// Package kubeapply_test applies rendered clusters to a real kube-apiserver
// (server-side apply, dry run) in namespaces that enforce the restricted
// Pod Security profile. It proves what unit tests cannot: every object
// passes the API server's validation and admission, no field is unknown
// (and silently pruned), and no pod template draws a Pod Security warning.
package kubeapply_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.RunMain(m, &env, testenv.WithServiceMonitorCRD(), testenv.WithoutProjectCRDs()))
}

// specs are cluster specs as users write them; the test defaults and
// validates them like the KRM function does.
var specs = map[string]string{
	"minimal": `{}`,
	"master-slave-2x2": `
broker: {groups: 2, replicasPerGroup: 2, replicationMode: Sync, storage: {size: 50Gi, storageClassName: fast}}`,
	"controller-everything": `
nameServer: {replicas: 3}
controller: {replicas: 3}
broker: {mode: Controller, groups: 2, replicasPerGroup: 3, config: {autoCreateTopicEnable: false}}
proxy: {enabled: true, serviceType: LoadBalancer}
dashboard: {enabled: true}
acl: {enabled: true, adminSecretRef: {name: rocketmq-admin}}
metrics: {enabled: true}`,
	"jraft": `
version: 5.4.0
controller: {replicas: 3, type: jRaft}
broker: {mode: Controller}`,
	"placement": `
imagePullSecrets: [{name: registry}]
placement:
  antiAffinity: Hard
  topologyKey: topology.kubernetes.io/zone
  topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}]
  nodeSelector: {pool: mq}
  tolerations: [{key: dedicated, operator: Equal, value: mq, effect: NoSchedule}]
  priorityClassName: system-cluster-critical
broker: {placement: {antiAffinity: None}}`,
	"hostnetwork": `
nameServer: {hostNetwork: true}`,
}

func cluster(t *testing.T, name, ns, spec string) *v1alpha1.RocketMQCluster {
	t.Helper()
	doc := "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: " + name +
		", namespace: " + ns + "}\nspec:\n" + indent(spec)
	c, err := v1alpha1.DecodeCluster([]byte(doc))
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	c.Default()
	if errs := c.Validate(); len(errs) > 0 {
		t.Fatalf("spec %s is invalid: %v", name, errs.ToAggregate())
	}
	return c
}

func indent(s string) string {
	s = strings.TrimSpace(s)
	if s == "{}" {
		return "  {}\n"
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ") + "\n"
}

func TestRenderedObjectsPassTheAPIServer(t *testing.T) {
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			ns := env.NewNamespace(t, testenv.PodSecurityRestricted)
			c := cluster(t, "my-orders", ns, spec)
			objs, err := render.Render(c)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			for _, o := range objs {
				id := o.GetKind() + "/" + o.GetName()
				warnings, err := env.ApplyDryRun(ctx, o.DeepCopy(), "rocketmq-gitops")
				if err != nil {
					t.Errorf("%s: %v", id, err)
					continue
				}
				assertWarnings(t, id, c, o, warnings)
			}
		})
	}
}

// assertWarnings wants no warning at all, except the one the spec asks
// for: NameServers on the node network break the restricted profile.
func assertWarnings(t *testing.T, id string, c *v1alpha1.RocketMQCluster, o *unstructured.Unstructured, warnings []string) {
	t.Helper()
	if c.Spec.NameServer.HostNetwork && o.GetKind() == "StatefulSet" && o.GetName() == c.NameServerName() {
		if len(warnings) != 1 || !strings.Contains(warnings[0], "hostNetwork") {
			t.Errorf("%s: warnings %q, want one Pod Security warning about hostNetwork", id, warnings)
		}
		return
	}
	if len(warnings) != 0 {
		t.Errorf("%s: API warnings %q", id, warnings)
	}
}

// TestServerKeepsEveryRenderedField: what the server would store contains
// every field the renderer wrote, with the same value, so a GitOps diff of
// Git against the live object shows nothing right after a sync.
func TestServerKeepsEveryRenderedField(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	ns := env.NewNamespace(t, testenv.PodSecurityRestricted)
	c := cluster(t, "orders", ns, specs["controller-everything"])
	objs, err := render.Render(c)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	for _, o := range objs {
		stored := o.DeepCopy()
		if _, err := env.ApplyDryRun(ctx, stored, "rocketmq-gitops"); err != nil {
			t.Fatalf("%s/%s: %v", o.GetKind(), o.GetName(), err)
		}
		assertSubset(t, o.GetKind()+"/"+o.GetName(), o.Object, stored.Object)
	}
}

// assertSubset reports every path of want that got lacks or holds with a
// different value. Lists are compared element by element.
func assertSubset(t *testing.T, path string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: server has %T, rendered a map", path, got)
			return
		}
		for k, v := range w {
			gv, has := g[k]
			if !has {
				t.Errorf("%s.%s: dropped by the server", path, k)
				continue
			}
			assertSubset(t, path+"."+k, v, gv)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: server list %v, rendered %v", path, got, want)
			return
		}
		for i := range w {
			assertSubset(t, path+"[]", w[i], g[i])
		}
	default:
		if normalize(want) != normalize(got) {
			t.Errorf("%s: server %v, rendered %v", path, got, want)
		}
	}
}

// normalize makes numbers comparable across int64 and float64.
func normalize(v any) any {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case int:
		return float64(n)
	}
	return v
}
