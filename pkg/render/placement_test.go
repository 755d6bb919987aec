package render

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func TestEffectivePlacement(t *testing.T) {
	tol := []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "mq", Effect: corev1.TaintEffectNoSchedule}}
	tests := []struct {
		name               string
		cluster, component *v1alpha1.Placement
		want               v1alpha1.Placement
	}{
		{"defaults", nil, nil, v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinitySoft, TopologyKey: hostnameTopologyKey}},
		{"cluster only", &v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinityHard, NodeSelector: map[string]string{"pool": "mq"}}, nil,
			v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinityHard, TopologyKey: hostnameTopologyKey, NodeSelector: map[string]string{"pool": "mq"}}},
		{"component overrides field by field",
			&v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinityHard, NodeSelector: map[string]string{"pool": "mq"}, PriorityClassName: "high", Tolerations: tol},
			&v1alpha1.Placement{TopologyKey: "topology.kubernetes.io/zone", NodeSelector: map[string]string{"pool": "brokers"}},
			v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinityHard, TopologyKey: "topology.kubernetes.io/zone",
				NodeSelector: map[string]string{"pool": "brokers"}, PriorityClassName: "high", Tolerations: tol}},
		{"component None", &v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinityHard}, &v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinityNone},
			v1alpha1.Placement{AntiAffinity: v1alpha1.AntiAffinityNone, TopologyKey: hostnameTopologyKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := effectivePlacement(tt.cluster, tt.component); mustYAML(t, got) != mustYAML(t, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", mustYAML(t, got), mustYAML(t, tt.want))
			}
		})
	}
}

func TestApplyPlacement(t *testing.T) {
	sel := map[string]string{"app": "x"}
	p := v1alpha1.Placement{
		AntiAffinity: v1alpha1.AntiAffinityHard, TopologyKey: "topology.kubernetes.io/zone",
		TopologySpreadConstraints: []corev1.TopologySpreadConstraint{
			{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: corev1.DoNotSchedule},
			{MaxSkew: 2, TopologyKey: hostnameTopologyKey, WhenUnsatisfiable: corev1.ScheduleAnyway,
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"custom": "yes"}}},
		},
		NodeSelector:      map[string]string{"pool": "mq"},
		Tolerations:       []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}},
		PriorityClassName: "high",
	}
	var spec corev1.PodSpec
	applyPlacement(&spec, p, sel)
	req := spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	if len(req) != 1 || req[0].TopologyKey != "topology.kubernetes.io/zone" || req[0].LabelSelector.MatchLabels["app"] != "x" {
		t.Errorf("required anti-affinity %+v", req)
	}
	if spec.TopologySpreadConstraints[0].LabelSelector.MatchLabels["app"] != "x" {
		t.Error("an empty topology spread selector was not filled with the component's selector")
	}
	if spec.TopologySpreadConstraints[1].LabelSelector.MatchLabels["custom"] != "yes" || len(spec.TopologySpreadConstraints[1].LabelSelector.MatchLabels) != 1 {
		t.Error("a user's topology spread selector was changed")
	}
	if p.TopologySpreadConstraints[0].LabelSelector != nil {
		t.Error("applyPlacement changed the spec's own constraints")
	}
	if spec.NodeSelector["pool"] != "mq" || len(spec.Tolerations) != 1 || spec.PriorityClassName != "high" {
		t.Errorf("nodeSelector %v tolerations %v priority %q", spec.NodeSelector, spec.Tolerations, spec.PriorityClassName)
	}

	p.AntiAffinity = v1alpha1.AntiAffinitySoft
	applyPlacement(&spec, p, sel)
	pref := spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution
	if len(pref) != 1 || pref[0].Weight != 100 || spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		t.Errorf("soft anti-affinity %+v", spec.Affinity.PodAntiAffinity)
	}
	p.AntiAffinity = v1alpha1.AntiAffinityNone
	applyPlacement(&spec, p, sel)
	if spec.Affinity != nil {
		t.Errorf("None still renders affinity %+v", spec.Affinity)
	}
}

// TestComponentPlacementInRender: a broker-only placement reaches the
// broker pods and not the NameServers, and anti-affinity is per group.
func TestComponentPlacementInRender(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.Broker.Placement = &v1alpha1.Placement{NodeSelector: map[string]string{"pool": "brokers"}, PriorityClassName: "mq-critical"}
	objs := mustRender(t, c)
	b := statefulSetOf(t, objs, "orders-broker-0").Spec.Template.Spec
	n := statefulSetOf(t, objs, "orders-nameserver").Spec.Template.Spec
	if b.NodeSelector["pool"] != "brokers" || b.PriorityClassName != "mq-critical" {
		t.Errorf("broker placement %v %q", b.NodeSelector, b.PriorityClassName)
	}
	if n.NodeSelector != nil || n.PriorityClassName != "" {
		t.Errorf("broker placement leaked to NameServers: %v %q", n.NodeSelector, n.PriorityClassName)
	}
	term := b.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm
	if term.LabelSelector.MatchLabels[v1alpha1.LabelBrokerGroup] != "0" {
		t.Errorf("broker anti-affinity is not per group: %v", term.LabelSelector.MatchLabels)
	}
}
