package simcluster_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/simcluster"
)

var webLabels = map[string]string{"app": "web"}

// TestStatefulSet walks one StatefulSet through what the e2e tests need:
// scheduling with volumes, readiness from the test, PDB-guarded evictions
// and a rolling update.
func TestStatefulSet(t *testing.T) {
	ctx := context.Background()
	ns := cluster.Env.NewNamespace(t, "")
	for _, obj := range []client.Object{headlessService(ns), statefulSet(ns), pdb(ns)} {
		if err := cluster.Client.Create(ctx, obj); err != nil {
			t.Fatalf("creating %T: %v", obj, err)
		}
	}

	pods := waitPodsRunning(t, ns, 3)
	cidr := netip.MustParsePrefix(cluster.Options.PodCIDR)
	nodes := map[string]bool{}
	for _, p := range pods {
		ip, err := netip.ParseAddr(p.Status.PodIP)
		if err != nil || !cidr.Contains(ip) {
			t.Errorf("pod %s: pod IP %q not in %s", p.Name, p.Status.PodIP, cidr)
		}
		if isReady(&p) {
			t.Errorf("pod %s is Ready before SetPodReady: kwok must leave readiness to the test", p.Name)
		}
		nodes[p.Spec.NodeName] = true
	}
	if len(nodes) != 3 {
		t.Errorf("pods on nodes %v, want 3 different nodes", nodes)
	}
	var pvcs corev1.PersistentVolumeClaimList
	if err := cluster.Client.List(ctx, &pvcs, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if len(pvcs.Items) != 3 {
		t.Errorf("got %d claims, want 3", len(pvcs.Items))
	}
	for _, pvc := range pvcs.Items {
		if pvc.Status.Phase != corev1.ClaimBound {
			t.Errorf("claim %s: phase %s, want Bound", pvc.Name, pvc.Status.Phase)
		}
	}

	for i := range pods {
		if err := cluster.SetPodReady(ctx, &pods[i], true); err != nil {
			t.Fatal(err)
		}
	}
	waitStatefulSet(t, ns, "readyReplicas 3", func(s *appsv1.StatefulSet) bool { return s.Status.ReadyReplicas == 3 })

	t.Run("PDB", func(t *testing.T) { testEvictions(t, ns) })
	t.Run("RollingUpdate", func(t *testing.T) { testRollingUpdate(t, ns) })
}

func testEvictions(t *testing.T, ns string) {
	ctx := context.Background()
	waitFor(t, "PDB disruptionsAllowed 1", func(ctx context.Context) (bool, string) {
		var p policyv1.PodDisruptionBudget
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &p); err != nil {
			return false, err.Error()
		}
		return p.Status.DisruptionsAllowed == 1 && p.Status.CurrentHealthy == 3, fmt.Sprintf("%+v", p.Status)
	})
	if err := cluster.Evict(ctx, ns, "web-0"); err != nil {
		t.Fatalf("first eviction: %v", err)
	}
	err := cluster.Evict(ctx, ns, "web-1")
	if !apierrors.IsTooManyRequests(err) {
		t.Fatalf("second eviction while web-0 is down: got %v, want 429 Too Many Requests", err)
	}
	t.Logf("second eviction refused as expected: %v", err)
	// web-0 comes back (new pod, not Ready); the runtime marks it Ready.
	markReadyUntil(t, ns, "all 3 ready again", func(s *appsv1.StatefulSet) bool { return s.Status.ReadyReplicas == 3 })
}

func testRollingUpdate(t *testing.T, ns string) {
	ctx := context.Background()
	var sts appsv1.StatefulSet
	if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &sts); err != nil {
		t.Fatal(err)
	}
	before := sts.Status.CurrentRevision
	patch := client.MergeFrom(sts.DeepCopy())
	sts.Spec.Template.Annotations = map[string]string{"rollme": "1"}
	if err := cluster.Client.Patch(ctx, &sts, patch); err != nil {
		t.Fatal(err)
	}
	markReadyUntil(t, ns, "rolling update done", func(s *appsv1.StatefulSet) bool {
		st := s.Status
		return st.ObservedGeneration == s.Generation && st.UpdateRevision != before &&
			st.CurrentRevision == st.UpdateRevision && st.UpdatedReplicas == 3 && st.ReadyReplicas == 3
	})
}

// markReadyUntil plays the pod runtime: every Running pod that is not Ready
// is marked Ready, until done holds for the StatefulSet.
func markReadyUntil(t *testing.T, ns, what string, done func(*appsv1.StatefulSet) bool) {
	t.Helper()
	waitFor(t, what, func(ctx context.Context) (bool, string) {
		var pods corev1.PodList
		if err := cluster.Client.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels(webLabels)); err != nil {
			return false, err.Error()
		}
		for i := range pods.Items {
			p := &pods.Items[i]
			if p.Status.Phase != corev1.PodRunning || isReady(p) || p.DeletionTimestamp != nil {
				continue
			}
			if err := cluster.SetPodReady(ctx, p, true); err != nil && !errors.Is(err, simcluster.ErrPodNotRunning) && !apierrors.IsNotFound(err) {
				return false, err.Error()
			}
		}
		var s appsv1.StatefulSet
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &s); err != nil {
			return false, err.Error()
		}
		return done(&s), fmt.Sprintf("generation %d status %+v pods %s", s.Generation, s.Status, describePods(pods.Items))
	})
}

func waitPodsRunning(t *testing.T, ns string, n int) []corev1.Pod {
	t.Helper()
	var pods corev1.PodList
	waitFor(t, fmt.Sprintf("%d Running pods with pod IPs", n), func(ctx context.Context) (bool, string) {
		if err := cluster.Client.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels(webLabels)); err != nil {
			return false, err.Error()
		}
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning && p.Status.PodIP != "" {
				running++
			}
		}
		return running == n && len(pods.Items) == n, describePods(pods.Items)
	})
	return pods.Items
}

func waitStatefulSet(t *testing.T, ns, what string, done func(*appsv1.StatefulSet) bool) {
	t.Helper()
	waitFor(t, what, func(ctx context.Context) (bool, string) {
		var s appsv1.StatefulSet
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &s); err != nil {
			return false, err.Error()
		}
		return done(&s), fmt.Sprintf("%+v", s.Status)
	})
}

func describePods(pods []corev1.Pod) string {
	var b strings.Builder
	for _, p := range pods {
		fmt.Fprintf(&b, "[%s node=%q phase=%s ip=%q ready=%v deleting=%v] ", p.Name, p.Spec.NodeName,
			p.Status.Phase, p.Status.PodIP, isReady(&p), p.DeletionTimestamp != nil)
	}
	return b.String()
}

func isReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func headlessService(ns string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone, Selector: webLabels,
			Ports: []corev1.ServicePort{{Name: "http", Port: 8080}},
		},
	}
}

// statefulSet uses Parallel pod management so that all pods run before the
// test marks any Ready; rolling updates still go one pod at a time.
func statefulSet(ns string) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: appsv1.StatefulSetSpec{
			Replicas:            ptr.To[int32](3),
			ServiceName:         "web",
			PodManagementPolicy: appsv1.ParallelPodManagement,
			Selector:            &metav1.LabelSelector{MatchLabels: webLabels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: webLabels},
				Spec: corev1.PodSpec{
					Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
						RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
							LabelSelector: &metav1.LabelSelector{MatchLabels: webLabels},
							TopologyKey:   simcluster.HostnameLabel,
						}},
					}},
					Containers: []corev1.Container{{
						Name: "web", Image: "registry.invalid/web:1",
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
							corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("4Gi"),
						}},
						VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}},
					}},
				},
			},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceStorage: resource.MustParse("10Gi"),
					}},
				},
			}},
		},
	}
}

func pdb(ns string) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr.To(intstr.FromInt32(1)),
			Selector:       &metav1.LabelSelector{MatchLabels: webLabels},
		},
	}
}
