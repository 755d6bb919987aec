package render

import (
	"net"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// scenarios are the cluster shapes every cross-cutting property is checked
// on.
func scenarios() map[string]*v1alpha1.RocketMQCluster {
	twoByTwo := fullCluster("orders", "mq")
	twoByTwo.Spec.Broker.Groups = ptr.To[int32](2)
	twoByTwo.Spec.Broker.ReplicasPerGroup = ptr.To[int32](2)
	hostNet := fullCluster("edge", "mq")
	hostNet.Spec.NameServer.HostNetwork = true
	noNS := everything(fullCluster("nons", ""))
	noPDB := fullCluster("nopdb", "mq")
	noPDB.Spec.PodDisruptionBudget.Enabled = ptr.To(false)
	return map[string]*v1alpha1.RocketMQCluster{
		"minimal":          fullCluster("orders", "mq"),
		"master-slave-2x2": twoByTwo,
		"controller":       withController(fullCluster("my-orders", "mq"), 3, v1alpha1.ControllerDLedger),
		"jraft":            withController(fullCluster("my-orders", "mq"), 3, v1alpha1.ControllerJRaft),
		"hostnetwork":      hostNet,
		"everything":       everything(withController(fullCluster("my-orders", "prod-mq"), 5, v1alpha1.ControllerDLedger)),
		"no-namespace":     noNS,
		"no-pdb":           noPDB,
	}
}

func TestRenderNil(t *testing.T) {
	if _, err := Render(nil); err == nil {
		t.Fatal("Render(nil) returned no error")
	}
}

func TestRenderBadStorageSize(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.Broker.Storage.Size = qty("0")
	if _, err := Render(c); err == nil || !strings.Contains(err.Error(), "broker group 0 storage") {
		t.Fatalf("want a broker storage error, got %v", err)
	}
}

func TestRenderACLWithoutSecret(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.ACL.Enabled = true
	if _, err := Render(c); err == nil || !strings.Contains(err.Error(), "adminSecretRef") {
		t.Fatalf("want an adminSecretRef error, got %v", err)
	}
}

// TestRenderDefaultedMinimal renders the shortest spec after the API's
// own Default(), the path the function takes.
func TestRenderDefaultedMinimal(t *testing.T) {
	c := &v1alpha1.RocketMQCluster{}
	c.Name, c.Namespace = "orders", "mq"
	c.Default()
	if errs := c.Validate(); len(errs) > 0 {
		t.Fatalf("defaulted minimal spec invalid: %v", errs)
	}
	objs := mustRender(t, c)
	// NameServer sts + 2 Services, broker sts + Service + ConfigMap,
	// NameServer PDB... as counted: 7 before the brokers' nameserver-all
	// Service and the status controller's Role and RoleBinding.
	if n := len(objs); n != 10 {
		t.Errorf("%d objects, want 10", n)
	}
	ctr := statefulSetOf(t, objs, "orders-broker-0").Spec.Template.Spec.Containers[0]
	if ctr.Resources.Limits.Memory().IsZero() {
		t.Error("defaulted broker resources did not reach the container")
	}
}

func TestRenderObjectSet(t *testing.T) {
	tests := []struct {
		name    string
		cluster *v1alpha1.RocketMQCluster
		want    []string // kind/name, in output order
	}{
		{"minimal", fullCluster("orders", "mq"), []string{
			"ConfigMap/orders-broker-0",
			"Service/orders-broker-0", "Service/orders-nameserver", "Service/orders-nameserver-all",
			"PodDisruptionBudget/orders-broker-0", "PodDisruptionBudget/orders-nameserver",
			"StatefulSet/orders-broker-0", "StatefulSet/orders-nameserver",
			"Role/orders-status-controller", "RoleBinding/orders-status-controller",
		}},
		{"everything", everything(withController(fullCluster("o", "mq"), 3, v1alpha1.ControllerDLedger)), []string{
			"ConfigMap/o-broker-0", "ConfigMap/o-controller", "ConfigMap/o-proxy",
			"Service/o-broker-0", "Service/o-broker-metrics", "Service/o-controller", "Service/o-dashboard",
			"Service/o-nameserver", "Service/o-nameserver-all", "Service/o-proxy", "Service/o-proxy-metrics",
			"PodDisruptionBudget/o-broker-0", "PodDisruptionBudget/o-controller", "PodDisruptionBudget/o-dashboard",
			"PodDisruptionBudget/o-nameserver", "PodDisruptionBudget/o-proxy",
			"StatefulSet/o-broker-0", "StatefulSet/o-controller", "StatefulSet/o-nameserver",
			"Deployment/o-dashboard", "Deployment/o-proxy",
			"ServiceMonitor/o-broker-metrics", "ServiceMonitor/o-proxy-metrics",
			"Role/o-status-controller", "RoleBinding/o-status-controller",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, o := range mustRender(t, tt.cluster) {
				got = append(got, o.GetKind()+"/"+o.GetName())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestRenderDeterministic renders each scenario twice, and once more from
// a spec whose maps were filled in another order, and wants the same bytes.
func TestRenderDeterministic(t *testing.T) {
	for name, c := range scenarios() {
		t.Run(name, func(t *testing.T) {
			c.Spec.Broker.Config = map[string]v1alpha1.ConfigValue{"a": "1", "b": "2", "c": "3", "d": "4"}
			c.Spec.Placement.NodeSelector = map[string]string{"x": "1", "y": "2", "z": "3"}
			first := toYAML(t, mustRender(t, c))
			other := c.DeepCopy()
			other.Spec.Broker.Config = map[string]v1alpha1.ConfigValue{"d": "4", "c": "3", "b": "2", "a": "1"}
			other.Spec.Placement.NodeSelector = map[string]string{"z": "3", "y": "2", "x": "1"}
			for i := 0; i < 5; i++ {
				if got := toYAML(t, mustRender(t, other)); got != first {
					t.Fatalf("run %d differs from the first run", i)
				}
			}
		})
	}
}

// TestRenderDoesNotMutateInput guards the purity of Render.
func TestRenderDoesNotMutateInput(t *testing.T) {
	for name, c := range scenarios() {
		before := mustYAML(t, c)
		mustRender(t, c)
		if after := mustYAML(t, c); after != before {
			t.Errorf("%s: Render changed its input", name)
		}
	}
}

func TestEveryObjectMetadata(t *testing.T) {
	for name, c := range scenarios() {
		t.Run(name, func(t *testing.T) {
			for _, o := range mustRender(t, c) {
				id := o.GetKind() + "/" + o.GetName()
				if o.GetAPIVersion() == "" || o.GetKind() == "" {
					t.Errorf("%s: no apiVersion/kind", id)
				}
				if o.GetNamespace() != c.Namespace {
					t.Errorf("%s: namespace %q, want %q", id, o.GetNamespace(), c.Namespace)
				}
				if _, has := o.Object["status"]; has {
					t.Errorf("%s: has status", id)
				}
				assertLabels(t, id, c, o.GetLabels())
				if o.GetAnnotations()[annotationSyncWave] != wantWave(o) {
					t.Errorf("%s: sync wave %q, want %q", id, o.GetAnnotations()[annotationSyncWave], wantWave(o))
				}
				if tmpl, ok, _ := unstructured.NestedMap(o.Object, "spec", "template", "metadata", "labels"); ok {
					assertLabels(t, id+" pod template", c, toStringMap(tmpl))
				}
			}
		})
	}
}

func assertLabels(t *testing.T, id string, c *v1alpha1.RocketMQCluster, got map[string]string) {
	t.Helper()
	comp := got[v1alpha1.LabelComponent]
	group := int32(-1)
	if g, ok := got[v1alpha1.LabelBrokerGroup]; ok {
		group = int32(mustAtoi(t, g))
	} else if comp == v1alpha1.ComponentBroker && !strings.HasSuffix(id, "-metrics") {
		t.Errorf("%s: broker object without group label", id)
	}
	for k, v := range c.Labels(comp, group) {
		if got[k] != v {
			t.Errorf("%s: label %s=%q, want %q", id, k, got[k], v)
		}
	}
}

func wantWave(o *unstructured.Unstructured) string {
	name := o.GetName()
	switch {
	case strings.HasSuffix(name, "-metrics"):
		return waveAccess
	case strings.Contains(name, "-nameserver"), strings.Contains(name, "-controller"):
		return waveCoordination
	case strings.Contains(name, "-broker-"):
		return waveBrokers
	default:
		return waveAccess
	}
}

// TestPruneProtection: exactly the objects a data-holding StatefulSet's
// pods need (the StatefulSet, its ConfigMap, its governing Service) are
// protected from pruning; stateless components are not.
func TestPruneProtection(t *testing.T) {
	c := everything(withController(fullCluster("o", "mq"), 3, v1alpha1.ControllerDLedger))
	c.Spec.Broker.Groups = ptr.To[int32](2)
	protected := map[string]bool{
		"ConfigMap/o-broker-0": true, "Service/o-broker-0": true, "StatefulSet/o-broker-0": true,
		"ConfigMap/o-broker-1": true, "Service/o-broker-1": true, "StatefulSet/o-broker-1": true,
		"ConfigMap/o-controller": true, "Service/o-controller": true, "StatefulSet/o-controller": true,
	}
	for _, o := range mustRender(t, c) {
		id := o.GetKind() + "/" + o.GetName()
		a := o.GetAnnotations()
		got := a[annotationArgoSyncOptions] == "Prune=false" && a[annotationFluxPrune] == "disabled"
		if got != protected[id] {
			t.Errorf("%s: prune protection %v, want %v", id, got, protected[id])
		}
	}
}

// TestOutputIsClean walks every object for nulls and empty strings, maps
// and lists (emptyDir: {} is the one meaningful empty map, and "" in an
// RBAC rule's apiGroups the one meaningful empty string: the core group).
func TestOutputIsClean(t *testing.T) {
	for name, c := range scenarios() {
		t.Run(name, func(t *testing.T) {
			for _, o := range mustRender(t, c) {
				walk(o.Object, o.GetKind()+"/"+o.GetName(), func(path string, key string, v any) {
					switch x := v.(type) {
					case nil:
						t.Errorf("%s: null", path)
					case string:
						if x == "" && !coreAPIGroup(path) {
							t.Errorf("%s: empty string", path)
						}
					case map[string]any:
						if len(x) == 0 && key != "emptyDir" {
							t.Errorf("%s: empty map", path)
						}
					case []any:
						if len(x) == 0 {
							t.Errorf("%s: empty list", path)
						}
					}
				})
			}
		})
	}
}

// coreAPIGroup says whether path is an entry of an RBAC rule's apiGroups.
func coreAPIGroup(path string) bool {
	return regexp.MustCompile(`\.rules\[[0-9]+\]\.apiGroups\[[0-9]+\]$`).MatchString(path)
}

func walk(v any, path string, visit func(path, key string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			visit(path+"."+k, k, child)
			walk(child, path+"."+k, visit)
		}
	case []any:
		for i, child := range x {
			p := path + "[" + strconvI(int32(i)) + "]"
			visit(p, "", child)
			walk(child, p, visit)
		}
	}
}

// kubeExpansion matches what the kubelet rewrites in a container's command,
// args and env values: `$(NAME)` references and the `$$` escape. Start
// scripts must use ${NAME} and never $$, or they would not run as written.
var kubeExpansion = regexp.MustCompile(`\$\$|\$\([A-Za-z_][A-Za-z0-9_]*\)`)

func TestScriptsSurviveKubeletExpansion(t *testing.T) {
	for name, c := range scenarios() {
		for _, o := range mustRender(t, c) {
			pod, ok := podTemplateOf(t, o)
			if !ok {
				continue
			}
			for _, ctr := range pod.Spec.Containers {
				texts := append(append([]string{}, ctr.Command...), ctr.Args...)
				for _, e := range ctr.Env {
					texts = append(texts, e.Value)
				}
				for _, text := range texts {
					if m := kubeExpansion.FindString(text); m != "" {
						t.Errorf("%s: %s/%s: %q would be rewritten by the kubelet", name, o.GetName(), ctr.Name, m)
					}
				}
			}
		}
	}
}

var ipLiteral = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)

// TestNoPodIPs: nothing refers to a pod IP, neither a literal address
// (0.0.0.0, a listen address, aside) nor the downward API's status.podIP.
func TestNoPodIPs(t *testing.T) {
	for name, c := range scenarios() {
		t.Run(name, func(t *testing.T) {
			out := toYAML(t, mustRender(t, c))
			if strings.Contains(out, "status.podIP") || strings.Contains(out, "podIPs") {
				t.Error("output uses the pod IP from the downward API")
			}
			for _, m := range ipLiteral.FindAllString(out, -1) {
				if ip := net.ParseIP(m); ip != nil && !ip.IsUnspecified() {
					t.Errorf("IP literal %s in the output", m)
				}
			}
		})
	}
}

// TestRestrictedPodSecurity checks every pod against the fields of the
// restricted Pod Security profile (hostNetwork NameServers excepted from
// the host-namespace rule, by design).
func TestRestrictedPodSecurity(t *testing.T) {
	for name, c := range scenarios() {
		t.Run(name, func(t *testing.T) {
			for _, o := range mustRender(t, c) {
				pod, ok := podTemplateOf(t, o)
				if !ok {
					continue
				}
				id := o.GetKind() + "/" + o.GetName()
				assertRestricted(t, id, pod.Spec)
				askedFor := c.Spec.NameServer.HostNetwork && o.GetName() == c.NameServerName()
				if pod.Spec.HostNetwork && !askedFor {
					t.Errorf("%s: hostNetwork not asked for", id)
				}
			}
		})
	}
}

func podTemplateOf(t *testing.T, o *unstructured.Unstructured) (corev1.PodTemplateSpec, bool) {
	switch o.GetKind() {
	case "StatefulSet":
		return typed[appsv1.StatefulSet](t, o).Spec.Template, true
	case "Deployment":
		return typed[appsv1.Deployment](t, o).Spec.Template, true
	}
	return corev1.PodTemplateSpec{}, false
}

func assertRestricted(t *testing.T, id string, spec corev1.PodSpec) {
	t.Helper()
	sc := spec.SecurityContext
	if sc == nil || !ptr.Deref(sc.RunAsNonRoot, false) || ptr.Deref(sc.RunAsUser, 0) != 3000 ||
		ptr.Deref(sc.RunAsGroup, 0) != 3000 || ptr.Deref(sc.FSGroup, 0) != 3000 ||
		sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod securityContext %+v", id, sc)
	}
	if ptr.Deref(spec.AutomountServiceAccountToken, true) {
		t.Errorf("%s: service account token mounted", id)
	}
	writable := map[string]bool{}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			t.Errorf("%s: hostPath volume %s", id, v.Name)
		}
	}
	for _, ctr := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		cs := ctr.SecurityContext
		if cs == nil || ptr.Deref(cs.AllowPrivilegeEscalation, true) || !ptr.Deref(cs.ReadOnlyRootFilesystem, false) ||
			cs.Capabilities == nil || len(cs.Capabilities.Drop) != 1 || cs.Capabilities.Drop[0] != "ALL" ||
			len(cs.Capabilities.Add) != 0 || ptr.Deref(cs.Privileged, false) {
			t.Errorf("%s/%s: container securityContext %+v", id, ctr.Name, cs)
		}
		if ctr.StartupProbe == nil || ctr.ReadinessProbe == nil || ctr.LivenessProbe == nil {
			t.Errorf("%s/%s: missing probes", id, ctr.Name)
		}
		for _, p := range ctr.Ports {
			if p.HostPort != 0 && !spec.HostNetwork {
				t.Errorf("%s/%s: hostPort %d", id, ctr.Name, p.HostPort)
			}
		}
		for _, m := range ctr.VolumeMounts {
			writable[m.MountPath] = !m.ReadOnly
		}
		for _, dir := range []string{logsDir, tmpDir} {
			if !writable[dir] {
				t.Errorf("%s/%s: %s is not a writable volume", id, ctr.Name, dir)
			}
		}
	}
}

func toStringMap(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		s, _ := v.(string)
		out[k] = s
	}
	return out
}
