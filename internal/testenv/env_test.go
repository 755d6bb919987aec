package testenv_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	// The harness is tested on core objects and the ServiceMonitor CRD only,
	// so that a broken project CRD fails test/apiserver, not this package.
	os.Exit(testenv.RunMain(m, &env, testenv.WithServiceMonitorCRD(), testenv.WithoutProjectCRDs()))
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustUnstructured(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatalf("parsing test object: %v", err)
	}
	return u
}

func deployment(t *testing.T, ns string, hostNetwork bool) *unstructured.Unstructured {
	t.Helper()
	pod := testenv.NewPod("", "", map[string]string{"app": "web"})
	pod.Spec.HostNetwork = hostNetwork
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: pod.ObjectMeta, Spec: pod.Spec},
		},
	}
	obj, err := runtimeToUnstructured(d)
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

func TestApplyDryRunAcceptsCompliantObjectWithoutStoringIt(t *testing.T) {
	ctx := testContext(t)
	ns := env.NewNamespace(t, testenv.PodSecurityRestricted)
	obj := deployment(t, ns, false)

	warnings, err := env.ApplyDryRun(ctx, obj, "testenv")
	if err != nil {
		t.Fatalf("ApplyDryRun: %v", err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings = %q, want none", warnings)
	}
	// The answer is the object the server would store: defaults filled in.
	if got, _, _ := unstructured.NestedString(obj.Object, "spec", "strategy", "type"); got != "RollingUpdate" {
		t.Errorf("defaulted spec.strategy.type = %q, want RollingUpdate", got)
	}
	err = env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &appsv1.Deployment{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("Get after a dry run: err = %v, want NotFound", err)
	}
}

func TestApplyDryRunReportsPodSecurityWarnings(t *testing.T) {
	ctx := testContext(t)
	ns := env.NewNamespace(t, testenv.PodSecurityRestricted)

	warnings, err := env.ApplyDryRun(ctx, deployment(t, ns, true), "testenv")
	if err != nil {
		t.Fatalf("ApplyDryRun: %v", err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "would violate PodSecurity") ||
		!strings.Contains(warnings[0], "hostNetwork") {
		t.Errorf("warnings = %q, want one Pod Security warning naming hostNetwork", warnings)
	}

	privileged := env.NewNamespace(t, testenv.PodSecurityPrivileged)
	warnings, err = env.ApplyDryRun(ctx, deployment(t, privileged, true), "testenv")
	if err != nil || len(warnings) != 0 {
		t.Errorf("in a privileged namespace: warnings = %q, err = %v; want neither", warnings, err)
	}
}

func TestApplyDryRunRefusesUnknownFields(t *testing.T) {
	ctx := testContext(t)
	ns := env.NewNamespace(t, "")
	cm := mustUnstructured(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: `+ns+`}
data: {a: b}
dataa: {typo: here}
`)
	warnings, err := env.ApplyDryRun(ctx, cm, "testenv")
	if err == nil && len(warnings) == 0 {
		t.Fatal("a misspelt field was dropped without an error or a warning")
	}
	if msg := strings.Join(warnings, "\n") + errString(err); !strings.Contains(msg, "dataa") {
		t.Errorf("error %v / warnings %q do not name the unknown field dataa", err, warnings)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestNewNamespaceEnforcesPodSecurity(t *testing.T) {
	ctx := testContext(t)
	ns := env.NewNamespace(t, testenv.PodSecurityRestricted)
	got := &corev1.Namespace{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: ns}, got); err != nil {
		t.Fatalf("reading namespace %s: %v", ns, err)
	}
	for _, mode := range []string{"enforce", "warn", "audit"} {
		if v := got.Labels["pod-security.kubernetes.io/"+mode]; v != "restricted" {
			t.Errorf("label %s = %q, want restricted", mode, v)
		}
	}
	if !strings.HasPrefix(ns, "testnewnamespaceenforcespodsecurity-") {
		t.Errorf("namespace %q is not named after the test", ns)
	}
	if err := env.Client.Create(ctx, testenv.NewPod(ns, "ok", nil)); err != nil {
		t.Errorf("restricted namespace refused NewPod: %v", err)
	}
	bad := testenv.NewPod(ns, "bad", nil)
	bad.Spec.HostNetwork = true
	if err := env.Client.Create(ctx, bad); !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "hostNetwork") {
		t.Errorf("creating a hostNetwork pod: err = %v, want Forbidden naming hostNetwork", err)
	}
}

func TestSetPodReady(t *testing.T) {
	ctx := testContext(t)
	ns := env.NewNamespace(t, testenv.PodSecurityRestricted)
	pod := testenv.NewPod(ns, "p", map[string]string{"app": "p"})
	if err := env.Client.Create(ctx, pod); err != nil {
		t.Fatalf("creating pod: %v", err)
	}
	if err := env.SetPodReady(ctx, pod, "127.0.0.7", true); err != nil {
		t.Fatalf("SetPodReady: %v", err)
	}
	got := &corev1.Pod{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(pod), got); err != nil {
		t.Fatalf("reading pod back: %v", err)
	}
	if got.Status.PodIP != "127.0.0.7" || got.Status.Phase != corev1.PodRunning {
		t.Errorf("status podIP=%q phase=%q, want 127.0.0.7 Running", got.Status.PodIP, got.Status.Phase)
	}
	ready := podCondition(got, corev1.PodReady)
	if ready == nil || ready.Status != corev1.ConditionTrue {
		t.Fatalf("Ready condition = %+v, want True", ready)
	}
	readySince := ready.LastTransitionTime

	if err := env.SetPodReady(ctx, got, "127.0.0.7", false); err != nil {
		t.Fatalf("SetPodReady(false): %v", err)
	}
	if c := podCondition(got, corev1.PodReady); c.Status != corev1.ConditionFalse || c.LastTransitionTime.Before(&readySince) {
		t.Errorf("after SetPodReady(false): Ready = %+v", c)
	}
	if err := env.SetPodReady(ctx, got, "10.1.2.3", true); err == nil {
		t.Error("SetPodReady accepted a non-loopback pod IP")
	}
}

func podCondition(p *corev1.Pod, typ corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == typ {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

func TestImpersonatedClientFollowsRBAC(t *testing.T) {
	ctx := testContext(t)
	ns := env.NewNamespace(t, "")
	sa, err := env.ImpersonatedClient(ns, "reader")
	if err != nil {
		t.Fatal(err)
	}
	list := &corev1.ConfigMapList{}
	if err := sa.List(ctx, list, client.InNamespace(ns)); !apierrors.IsForbidden(err) {
		t.Fatalf("listing without a Role: err = %v, want Forbidden", err)
	}
	grantConfigMapRead(ctx, t, ns, "reader")
	// The API server's RBAC authorizer learns of a new RoleBinding through
	// its informer, a moment after the create returns (longer on a busy
	// machine): wait for the grant, bounded by ctx.
	for {
		err := sa.List(ctx, list, client.InNamespace(ns))
		if err == nil {
			break
		}
		if !apierrors.IsForbidden(err) || ctx.Err() != nil {
			t.Fatalf("listing with a Role: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := sa.List(ctx, list, client.InNamespace("default")); !apierrors.IsForbidden(err) {
		t.Errorf("listing another namespace: err = %v, want Forbidden", err)
	}
}

func grantConfigMapRead(ctx context.Context, t *testing.T, ns, sa string) {
	t.Helper()
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "read-cm"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"list"}}},
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "read-cm"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "read-cm"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: sa}},
	}
	for _, o := range []client.Object{role, binding} {
		if err := env.Client.Create(ctx, o); err != nil {
			t.Fatalf("creating %T: %v", o, err)
		}
	}
}

func TestKubectl(t *testing.T) {
	ns := env.NewNamespace(t, "")
	out, err := env.Kubectl(testContext(t), "get", "namespace", ns, "-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "namespace/"+ns {
		t.Errorf("kubectl get namespace = %q, want namespace/%s", got, ns)
	}
	if _, err := env.Kubectl(testContext(t), "get", "nosuchkind"); err == nil ||
		!strings.Contains(err.Error(), "nosuchkind") {
		t.Errorf("kubectl error %v does not carry kubectl's message", err)
	}
}

func TestServiceMonitorCRD(t *testing.T) {
	ctx := testContext(t)
	ns := env.NewNamespace(t, "")
	const sm = `
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: rmq, namespace: %s}
spec:
  jobLabel: app.kubernetes.io/instance
  selector: {matchLabels: {app.kubernetes.io/name: rocketmq}}
  namespaceSelector: {matchNames: [%s]}
  endpoints:
  - {port: metrics, path: /metrics, interval: %s, scrapeTimeout: 10s, scheme: http}
`
	warnings, err := env.ApplyDryRun(ctx, mustUnstructured(t, sprintf(sm, ns, ns, "30s")), "testenv")
	if err != nil || len(warnings) != 0 {
		t.Fatalf("valid ServiceMonitor: warnings = %q, err = %v", warnings, err)
	}
	_, err = env.ApplyDryRun(ctx, mustUnstructured(t, sprintf(sm, ns, ns, "30 seconds")), "testenv")
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.endpoints[0].interval") {
		t.Errorf("bad interval: err = %v, want Invalid naming spec.endpoints[0].interval", err)
	}
}
