package render

import (
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func qty(s string) *resource.Quantity {
	q := resource.MustParse(s)
	return &q
}

// fullCluster is a fully populated spec with the documented defaults, as
// Default() would produce it, so these tests do not depend on Default().
func fullCluster(name, namespace string) *v1alpha1.RocketMQCluster {
	return &v1alpha1.RocketMQCluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: v1alpha1.KindRocketMQCluster},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: v1alpha1.RocketMQClusterSpec{
			Version:             "5.3.3",
			Image:               "apache/rocketmq",
			ImagePullPolicy:     corev1.PullIfNotPresent,
			Placement:           &v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinitySoft, TopologyKey: hostnameTopologyKey},
			PodDisruptionBudget: &v1alpha1.PodDisruptionBudgetSpec{Enabled: ptr.To(true)},
			NameServer:          v1alpha1.NameServerSpec{Replicas: ptr.To[int32](2), JVM: v1alpha1.JVMSpec{Heap: qty("512Mi")}},
			Broker: v1alpha1.BrokerSpec{
				Mode:             v1alpha1.BrokerModeMasterSlave,
				Groups:           ptr.To[int32](1),
				ReplicasPerGroup: ptr.To[int32](1),
				Storage:          v1alpha1.StorageSpec{Size: qty("20Gi")},
				FlushDiskType:    v1alpha1.FlushAsync,
				ReplicationMode:  v1alpha1.ReplicationAsync,
				JVM:              v1alpha1.JVMSpec{Heap: qty("1Gi"), DirectMemory: qty("1Gi")},
			},
			Proxy: v1alpha1.ProxySpec{Replicas: ptr.To[int32](2), ServiceType: corev1.ServiceTypeClusterIP,
				JVM: v1alpha1.JVMSpec{Heap: qty("512Mi"), DirectMemory: qty("256Mi")}},
			Dashboard: v1alpha1.DashboardSpec{Replicas: ptr.To[int32](1), Image: v1alpha1.DefaultDashboardImage},
			Metrics:   v1alpha1.MetricsSpec{ServiceMonitor: ptr.To(true), Interval: "30s"},
		},
	}
}

// withController switches a cluster to Controller mode with a DLedger
// quorum of n.
func withController(c *v1alpha1.RocketMQCluster, n int32, typ v1alpha1.ControllerType) *v1alpha1.RocketMQCluster {
	c.Spec.Broker.Mode = v1alpha1.BrokerModeController
	c.Spec.Controller = &v1alpha1.ControllerSpec{
		Replicas: ptr.To(n), Type: typ,
		Storage: v1alpha1.StorageSpec{Size: qty("1Gi")},
	}
	if typ == v1alpha1.ControllerJRaft {
		c.Spec.Version = jRaftVersion
	}
	return c
}

// jRaftVersion is a release validation accepts with the jRaft controller
// (5.3.3 and older are refused).
const jRaftVersion = "5.4.0"

// everything turns on every optional component.
func everything(c *v1alpha1.RocketMQCluster) *v1alpha1.RocketMQCluster {
	c.Spec.Proxy.Enabled = true
	c.Spec.Dashboard.Enabled = true
	c.Spec.Metrics.Enabled = true
	c.Spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{
		Name: "rocketmq-admin", UsernameKey: "username", PasswordKey: "password"}}
	return c
}

func mustRender(t testing.TB, c *v1alpha1.RocketMQCluster) []*unstructured.Unstructured {
	t.Helper()
	objs, err := Render(c)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return objs
}

// find returns the object of a kind and name, failing the test if absent.
func find(t testing.TB, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %q among %d objects", kind, name, len(objs))
	return nil
}

// typed converts an unstructured object back into a typed one.
func typed[T any](t testing.TB, u *unstructured.Unstructured) *T {
	t.Helper()
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		t.Fatalf("convert %s %s: %v", u.GetKind(), u.GetName(), err)
	}
	return out
}

func statefulSetOf(t testing.TB, objs []*unstructured.Unstructured, name string) *appsv1.StatefulSet {
	t.Helper()
	return typed[appsv1.StatefulSet](t, find(t, objs, "StatefulSet", name))
}

func toYAML(t testing.TB, objs []*unstructured.Unstructured) string {
	t.Helper()
	var out []byte
	for _, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatalf("marshal %s: %v", o.GetName(), err)
		}
		out = append(out, "---\n"...)
		out = append(out, b...)
	}
	return string(out)
}

func mustYAML(t testing.TB, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func strconvI(i int32) string { return strconv.Itoa(int(i)) }

func mustAtoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}
