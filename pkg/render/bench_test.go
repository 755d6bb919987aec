package render

import (
	"testing"

	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// BenchmarkRender renders one typical production cluster: 3 NameServers,
// a 3-node Controller quorum, 2 broker groups of 2, Proxy, dashboard,
// metrics and ACL.
func BenchmarkRender(b *testing.B) {
	c := everything(withController(fullCluster("orders", "mq"), 3, v1alpha1.ControllerDLedger))
	c.Spec.NameServer.Replicas = ptr.To[int32](3)
	c.Spec.Broker.Groups = ptr.To[int32](2)
	c.Spec.Broker.ReplicasPerGroup = ptr.To[int32](2)
	b.ReportAllocs()
	for b.Loop() {
		objs, err := Render(c)
		if err != nil || len(objs) == 0 {
			b.Fatalf("Render: %d objects, %v", len(objs), err)
		}
	}
}
