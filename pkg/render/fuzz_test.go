package render

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// FuzzRender builds specs from fuzzed values, defaults and validates them
// as the function does, and requires every valid spec to render without
// error, deterministically, and clean. `go test` runs the seeds.
func FuzzRender(f *testing.F) {
	f.Add("orders", "mq", uint8(1), uint8(1), false, false, "deleteWhen", "04", uint16(1024), true)
	f.Add("my-orders", "", uint8(3), uint8(2), true, false, "autoCreateTopicEnable", "false", uint16(0), false)
	f.Add("a-b-c", "prod", uint8(2), uint8(3), true, true, "msgTraceTopicName", `x\y z`, uint16(1536), true)
	f.Add("x", "ns", uint8(0), uint8(9), false, true, "brokerName", "evil", uint16(7), false)
	f.Fuzz(func(t *testing.T, name, ns string, groups, replicas uint8, controller, jraft bool, key, value string, heapMi uint16, extras bool) {
		c := &v1alpha1.RocketMQCluster{}
		c.Name, c.Namespace = name, ns
		c.Spec.Broker.Groups = ptr.To(int32(groups))
		c.Spec.Broker.ReplicasPerGroup = ptr.To(int32(replicas))
		c.Spec.Broker.Config = map[string]v1alpha1.ConfigValue{key: v1alpha1.ConfigValue(value)}
		if heapMi > 0 {
			c.Spec.Broker.JVM.Heap = resource.NewQuantity(int64(heapMi)<<20, resource.BinarySI)
		}
		if controller {
			c.Spec.Broker.Mode = v1alpha1.BrokerModeController
			c.Spec.Controller = &v1alpha1.ControllerSpec{}
			if jraft {
				c.Spec.Controller.Type = v1alpha1.ControllerJRaft
				c.Spec.Version = jRaftVersion
			}
		}
		if extras {
			c.Spec.Proxy.Enabled, c.Spec.Dashboard.Enabled, c.Spec.Metrics.Enabled = true, true, true
			c.Spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{Name: "admin"}}
		}
		c.Default()
		if len(c.Validate()) > 0 {
			return
		}
		objs, err := Render(c)
		if err != nil {
			t.Fatalf("valid spec failed to render: %v", err)
		}
		first := toYAML(t, objs)
		if again := toYAML(t, mustRender(t, c)); again != first {
			t.Fatal("second render differs")
		}
		for _, o := range objs {
			if o.GetNamespace() != ns {
				t.Fatalf("%s/%s in namespace %q, want %q", o.GetKind(), o.GetName(), o.GetNamespace(), ns)
			}
			walk(o.Object, o.GetName(), func(path, k string, v any) {
				if m, ok := v.(map[string]any); (ok && len(m) == 0 && k != "emptyDir") || v == nil || (v == "" && !coreAPIGroup(path)) {
					t.Fatalf("%s: empty value", path)
				}
			})
		}
	})
}
