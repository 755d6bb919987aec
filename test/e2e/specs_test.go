package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// modes are the two broker modes every scenario that depends on how a
// master is chosen runs in.
var modes = []v1alpha1.BrokerMode{v1alpha1.BrokerModeMasterSlave, v1alpha1.BrokerModeController}

// spec is a small production-shaped cluster: two NameServers, two broker
// groups of two, and in Controller mode a quorum of three. The Proxy and
// the dashboard are off: neither is emulated (docs/e2e.md).
func spec(mode v1alpha1.BrokerMode) v1alpha1.RocketMQClusterSpec {
	var sp v1alpha1.RocketMQClusterSpec
	sp.Version = "5.3.3"
	sp.NameServer.Replicas = ptr(int32(2))
	sp.Broker.Mode = mode
	sp.Broker.Groups = ptr(int32(2))
	sp.Broker.ReplicasPerGroup = ptr(int32(2))
	if mode == v1alpha1.BrokerModeController {
		sp.Controller = &v1alpha1.ControllerSpec{Replicas: ptr(int32(3))}
	}
	return sp
}

// masterPod maps a broker address the NameServer hands out
// (<pod>.<svc>.<ns>.svc:10911) to its pod name.
func masterPod(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return strings.Split(host, ".")[0]
}

// registeredMasters reads, on one NameServer, each group's master pod.
func (e *env) registeredMasters(nameServer string) (map[string]string, error) {
	info, err := clusterInfo(nameServer)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, bd := range info.BrokerAddrTable {
		if m := bd.MasterAddr(); m != "" {
			out[name] = masterPod(m)
		}
	}
	return out, nil
}

// masterStatus says whether every group in status has the master the
// NameServers registered.
func (e *env) mastersAgree(c *v1alpha1.RocketMQCluster) (bool, string) {
	addrs := e.nameServerAddrs()
	if len(addrs) == 0 {
		return false, "no NameServer pod"
	}
	reg, err := e.registeredMasters(addrs[0])
	if err != nil {
		return false, err.Error()
	}
	for _, g := range c.Status.BrokerGroups {
		if g.Master == "" || reg[g.Name] != g.Master {
			return false, fmt.Sprintf("group %s: status master %q, registered %q", g.Name, g.Master, reg[g.Name])
		}
	}
	return len(c.Status.BrokerGroups) > 0, fmt.Sprint(reg)
}

func modeName(m v1alpha1.BrokerMode) string { return string(m) }

func forModes(t *testing.T, f func(t *testing.T, mode v1alpha1.BrokerMode)) {
	for _, m := range modes {
		t.Run(modeName(m), func(t *testing.T) { f(t, m) })
	}
}
