package podruntime

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

// fixture renders a cluster into a fake API and makes the pods the
// StatefulSet controller would, Running on loopback IPs.
type fixture struct {
	client client.Client
	mu     sync.Mutex
	ready  map[string]bool
}

func newFixture(t *testing.T, c *v1alpha1.RocketMQCluster, subnet int) *fixture {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	objs, err := render.Render(c)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ready: map[string]bool{}}
	var init []client.Object
	ip := 1
	for _, u := range objs {
		switch u.GetKind() {
		case "ConfigMap", "Service", "Secret":
			obj, err := scheme.New(u.GroupVersionKind())
			if err != nil {
				t.Fatal(err)
			}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
				t.Fatal(err)
			}
			init = append(init, obj.(client.Object))
		case "StatefulSet":
			var sts appsv1.StatefulSet
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &sts); err != nil {
				t.Fatal(err)
			}
			for i := int32(0); i < *sts.Spec.Replicas; i++ {
				init = append(init, statefulPod(&sts, i, fmt.Sprintf("127.77.%d.%d", subnet, ip)))
				ip++
			}
		}
	}
	f.client = fake.NewClientBuilder().WithScheme(scheme).WithObjects(init...).
		WithStatusSubresource(&corev1.Pod{}).Build()
	return f
}

// statefulPod is pod i of a StatefulSet as its controller creates it.
func statefulPod(sts *appsv1.StatefulSet, i int32, ip string) *corev1.Pod {
	name := sts.Name + "-" + strconv.Itoa(int(i))
	spec := *sts.Spec.Template.Spec.DeepCopy()
	spec.Hostname, spec.Subdomain = name, sts.Spec.ServiceName
	for _, vct := range sts.Spec.VolumeClaimTemplates {
		spec.Volumes = append(spec.Volumes, corev1.Volume{Name: vct.Name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: vct.Name + "-" + name},
		}})
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: sts.Namespace, Labels: sts.Spec.Template.Labels,
			UID: types.UID(name + "-uid")},
		Spec:   spec,
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip},
	}
}

func (f *fixture) setReady(ctx context.Context, p *corev1.Pod, ready bool) error {
	var cur corev1.Pod
	if err := f.client.Get(ctx, client.ObjectKeyFromObject(p), &cur); err != nil {
		return err
	}
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	cur.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}
	if err := f.client.Status().Update(ctx, &cur); err != nil {
		return err
	}
	f.mu.Lock()
	f.ready[p.Name] = ready
	f.mu.Unlock()
	return nil
}

func (f *fixture) run(t *testing.T) *Runtime {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rt := &Runtime{Client: f.client, Dir: t.TempDir(), Timers: &rmqtest.Timers{Scale: 0.02}, SetReady: f.setReady, Logf: t.Logf}
	done := make(chan struct{})
	go func() { _ = rt.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return rt
}

func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		ok, seen := cond()
		if ok {
			return
		}
		last = seen
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last seen: %s", what, last)
}

func cluster(name string, mode v1alpha1.BrokerMode) *v1alpha1.RocketMQCluster {
	c := &v1alpha1.RocketMQCluster{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "mq"}}
	c.Spec.Version = "5.3.3"
	c.Spec.NameServer.Replicas = ptr(int32(1))
	c.Spec.Broker.Mode = mode
	c.Spec.Broker.Groups = ptr(int32(1))
	c.Spec.Broker.ReplicasPerGroup = ptr(int32(2))
	if mode == v1alpha1.BrokerModeController {
		c.Spec.Controller = &v1alpha1.ControllerSpec{Replicas: ptr(int32(3))}
	}
	c.Default()
	return c
}

func ptr[T any](v T) *T { return &v }

func clusterInfo(t *testing.T, addr string) (*admin.ClusterInfo, error) {
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return cl.ClusterInfo(ctx, addr)
}

// The rendered MasterSlave scripts give ordinal 0 the master role and the
// rest SLAVE with their ordinal as id; both register with the NameServer
// the Service name resolves to, under their pod DNS names.
func TestRenderedMasterSlaveBrokersRegisterUnderTheirNames(t *testing.T) {
	f := newFixture(t, cluster("ms", v1alpha1.BrokerModeMasterSlave), 1)
	f.run(t)
	ns := "127.77.1.1:9876" // the NameServer pod is rendered after the brokers? find it
	var pods corev1.PodList
	if err := f.client.List(context.Background(), &pods); err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Labels[v1alpha1.LabelComponent] == v1alpha1.ComponentNameServer {
			ns = p.Status.PodIP + ":9876"
		}
	}
	eventually(t, "master and slave registered by name", func() (bool, string) {
		info, err := clusterInfo(t, ns)
		if err != nil {
			return false, err.Error()
		}
		bd := info.BrokerAddrTable["ms-broker-0"]
		return bd.BrokerAddrs[0] == "ms-broker-0-0.ms-broker-0.mq.svc:10911" &&
			bd.BrokerAddrs[1] == "ms-broker-0-1.ms-broker-0.mq.svc:10911", fmt.Sprint(bd.BrokerAddrs)
	})
	eventually(t, "every pod Ready", func() (bool, string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.ready) == 3 && f.ready["ms-broker-0-0"] && f.ready["ms-broker-0-1"] && f.ready["ms-nameserver-0"], fmt.Sprint(f.ready)
	})
}

// In Controller mode both brokers start as SLAVE with id -1; the emulated
// quorum elects one master, which registers as id 0 under its name.
func TestRenderedControllerModeElectsAMaster(t *testing.T) {
	f := newFixture(t, cluster("ctl", v1alpha1.BrokerModeController), 2)
	f.run(t)
	var pods corev1.PodList
	if err := f.client.List(context.Background(), &pods); err != nil {
		t.Fatal(err)
	}
	ns := ""
	for _, p := range pods.Items {
		if p.Labels[v1alpha1.LabelComponent] == v1alpha1.ComponentNameServer {
			ns = p.Status.PodIP + ":9876"
		}
	}
	eventually(t, "a master elected and registered by name", func() (bool, string) {
		info, err := clusterInfo(t, ns)
		if err != nil {
			return false, err.Error()
		}
		bd := info.BrokerAddrTable["ctl-broker-0"]
		m := bd.BrokerAddrs[0]
		return len(bd.BrokerAddrs) == 2 && (m == "ctl-broker-0-0.ctl-broker-0.mq.svc:10911" || m == "ctl-broker-0-1.ctl-broker-0.mq.svc:10911"), fmt.Sprint(bd.BrokerAddrs)
	})
}

func TestRewriteIsOnePassAndWholePaths(t *testing.T) {
	c := &container{paths: map[string]string{"/tmp": "/tmp/x/tmp", "/etc/rocketmq": "/tmp/x/etc", "/home/rocketmq/logs": "/tmp/x/logs"}}
	cases := map[string]string{
		`cp "/etc/rocketmq/broker.conf" /tmp/a`: `cp "/tmp/x/etc/broker.conf" /tmp/x/tmp/a`,
		`/tmpfoo /etc/rocketmqx`:                `/tmpfoo /etc/rocketmqx`,
		`-XX:ErrorFile=/home/rocketmq/logs/hs`:  `-XX:ErrorFile=/tmp/x/logs/hs`,
		`/tmp`:                                  `/tmp/x/tmp`,
		`a/tmp`:                                 `a/tmp`,
	}
	for in, want := range cases {
		if got := c.rewrite(in); got != want {
			t.Errorf("rewrite(%q) = %q, want %q", in, got, want)
		}
	}
}
