package render

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/golden"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// goldenCases are rendered into testdata/golden/<case>/expected.yaml, so a
// change to the renderer shows up as a reviewable diff of real output.
func goldenCases() map[string]*v1alpha1.RocketMQCluster {
	cases := scenarios()
	placed := fullCluster("placed", "mq")
	placed.Spec.Placement = &v1alpha1.Placement{
		AntiAffinity: v1alpha1.AntiAffinityHard,
		TopologyKey:  "topology.kubernetes.io/zone",
		TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{
			MaxSkew: 1, TopologyKey: hostnameTopologyKey, WhenUnsatisfiable: corev1.ScheduleAnyway,
		}},
		NodeSelector:      map[string]string{"pool": "mq"},
		Tolerations:       []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "mq", Effect: corev1.TaintEffectNoSchedule}},
		PriorityClassName: "mq-high",
	}
	placed.Spec.Broker.Placement = &v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinitySoft, NodeSelector: map[string]string{"pool": "mq-disk"}}
	placed.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "registry"}}
	placed.Spec.Broker.Resources = corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: *qty("2"), corev1.ResourceMemory: *qty("8Gi")},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: *qty("8Gi")},
	}
	placed.Spec.Broker.Config = map[string]v1alpha1.ConfigValue{"autoCreateTopicEnable": "false", "deleteWhen": "04"}
	placed.Spec.Broker.Storage.StorageClassName = ptr.To("fast")
	cases["placement"] = placed
	return cases
}

func TestGolden(t *testing.T) {
	for name, c := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			got := []byte(toYAML(t, mustRender(t, c)))
			path := filepath.Join("testdata", "golden", name, "expected.yaml")
			if golden.Update() {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run UPDATE_GOLDEN=1 go test ./pkg/render)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from the rendered output; rerun with UPDATE_GOLDEN=1 and review the diff", path)
			}
		})
	}
}
