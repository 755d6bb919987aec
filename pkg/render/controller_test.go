package render

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func TestControllerOnlyInControllerMode(t *testing.T) {
	for _, o := range mustRender(t, fullCluster("orders", "mq")) {
		if strings.Contains(o.GetName(), "controller") && o.GetName() != StatusControllerRoleName(fullCluster("orders", "mq")) {
			t.Errorf("MasterSlave cluster renders %s/%s", o.GetKind(), o.GetName())
		}
	}
}

// TestControllerDLedgerIdentity runs the controller's start script for
// each pod of a quorum whose cluster name contains '-' and checks that the
// self id it appends names one of the peers (the operator's version strips
// every '-' and never matches).
func TestControllerDLedgerIdentity(t *testing.T) {
	c := withController(fullCluster("my-orders", "mq"), 3, v1alpha1.ControllerDLedger)
	objs := mustRender(t, c)
	tmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "my-orders-controller")).Data
	sts := statefulSetOf(t, objs, "my-orders-controller")
	assertDataStatefulSet(t, sts, "1Gi", "")
	for i, pod := range []string{"my-orders-controller-0", "my-orders-controller-1", "my-orders-controller-2"} {
		run := runStartScript(t, sts.Spec.Template.Spec.Containers[0].Command[2], tmpl,
			map[string]string{"POD_NAME": pod, "POD_NAMESPACE": "mq"})
		if run.err != nil {
			t.Fatalf("%s: script failed: %v\n%s", pod, run.err, run.stderr)
		}
		p := loadProperties(t, run.conf)
		self := p["controllerDLegerSelfId"]
		wantPeer := self + "-" + pod + ".my-orders-controller.mq.svc:9878"
		peers := strings.Split(p["controllerDLegerPeers"], ";")
		if len(peers) != 3 || peers[i] != wantPeer {
			t.Errorf("%s: self id %q does not name peer %d of %q", pod, self, i, peers)
		}
		if p["controllerType"] != "DLedger" || p["controllerDLegerGroup"] != "my-orders-controller" || p["controllerStorePath"] != storeDir {
			t.Errorf("%s: controller.conf %q", pod, run.conf)
		}
		if run.args[0] != "-c" {
			t.Errorf("%s: mqcontroller args %q", pod, run.args)
		}
	}
}

func TestControllerJRaftIdentity(t *testing.T) {
	c := withController(fullCluster("my-orders", "mq"), 3, v1alpha1.ControllerJRaft)
	objs := mustRender(t, c)
	tmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "my-orders-controller")).Data
	sts := statefulSetOf(t, objs, "my-orders-controller")
	run := runStartScript(t, sts.Spec.Template.Spec.Containers[0].Command[2], tmpl,
		map[string]string{"POD_NAME": "my-orders-controller-2", "POD_NAMESPACE": "mq"})
	if run.err != nil {
		t.Fatalf("script failed: %v\n%s", run.err, run.stderr)
	}
	p := loadProperties(t, run.conf)
	init := strings.Split(p["jRaftInitConf"], ",")
	rpc := strings.Split(p["jRaftControllerRPCAddr"], ",")
	if len(init) != 3 || len(rpc) != 3 {
		t.Fatalf("jRaftInitConf %q, jRaftControllerRPCAddr %q", init, rpc)
	}
	// JRaftController looks its own RPC address up by its server id in
	// the init conf: the id must be one of its entries, verbatim.
	if p["jRaftServerId"] != init[2] || init[2] != "my-orders-controller-2.my-orders-controller.mq.svc:9888" {
		t.Errorf("jRaftServerId %q, init conf %q", p["jRaftServerId"], init)
	}
	if rpc[2] != "my-orders-controller-2.my-orders-controller.mq.svc:9878" || p["controllerType"] != "jRaft" {
		t.Errorf("rpc %q type %q", rpc, p["controllerType"])
	}
	svc := typed[corev1.Service](t, find(t, objs, "Service", "my-orders-controller"))
	if len(svc.Spec.Ports) != 2 {
		t.Errorf("jRaft Service ports %v, want controller and raft", svc.Spec.Ports)
	}
}

func TestControllerService(t *testing.T) {
	c := withController(fullCluster("orders", "mq"), 3, v1alpha1.ControllerDLedger)
	svc := typed[corev1.Service](t, find(t, mustRender(t, c), "Service", "orders-controller"))
	if svc.Spec.ClusterIP != corev1.ClusterIPNone || !svc.Spec.PublishNotReadyAddresses {
		t.Errorf("controller Service must be headless and publish not-ready peers: %+v", svc.Spec)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != v1alpha1.PortController {
		t.Errorf("ports %v", svc.Spec.Ports)
	}
}

// TestControllerReplicasChangePeers: the peer list and the brokers'
// controllerAddr follow the quorum size.
func TestControllerReplicasChangePeers(t *testing.T) {
	c := withController(fullCluster("orders", "mq"), 5, v1alpha1.ControllerDLedger)
	if got := strings.Count(controllerConfig(c)["controllerDLegerPeers"], ";") + 1; got != 5 {
		t.Errorf("%d peers, want 5", got)
	}
	if got := strings.Count(brokerConfig(c, 0)["controllerAddr"], ";") + 1; got != 5 {
		t.Errorf("%d controller addresses, want 5", got)
	}
}
