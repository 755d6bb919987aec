package render

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// hostnameTopologyKey is the default anti-affinity topology: one pod of a
// component (of a broker group) per node.
const hostnameTopologyKey = v1alpha1.DefaultTopologyKey

// effectivePlacement is the API's field-by-field merge of a component's
// placement over the cluster's, with the defaults (Soft anti-affinity on
// kubernetes.io/hostname) filled in where neither sets them, so that the
// renderer also behaves on a spec that skipped defaulting.
func effectivePlacement(cluster, component *v1alpha1.Placement) v1alpha1.Placement {
	p := v1alpha1.EffectivePlacement(cluster, component)
	if p.AntiAffinity == "" {
		p.AntiAffinity = v1alpha1.DefaultAntiAffinity
	}
	if p.TopologyKey == "" {
		p.TopologyKey = v1alpha1.DefaultTopologyKey
	}
	return p
}

// applyPlacement writes a placement into a pod spec. selector selects the
// pods of the same component (broker group), which the anti-affinity term
// and label-less topology spread constraints refer to.
func applyPlacement(spec *corev1.PodSpec, p v1alpha1.Placement, selector map[string]string) {
	spec.Affinity = antiAffinity(p, selector)
	spec.TopologySpreadConstraints = spreadConstraints(p.TopologySpreadConstraints, selector)
	spec.NodeSelector = copyStringMap(p.NodeSelector)
	for _, t := range p.Tolerations {
		spec.Tolerations = append(spec.Tolerations, *t.DeepCopy())
	}
	spec.PriorityClassName = p.PriorityClassName
}

// antiAffinity spreads the pods of one component: a preferred term (Soft)
// or a required one (Hard) on the placement's topology key.
func antiAffinity(p v1alpha1.Placement, selector map[string]string) *corev1.Affinity {
	term := corev1.PodAffinityTerm{
		LabelSelector: &metav1.LabelSelector{MatchLabels: copyStringMap(selector)},
		TopologyKey:   p.TopologyKey,
	}
	switch p.AntiAffinity {
	case v1alpha1.AntiAffinityHard:
		return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{term},
		}}
	case v1alpha1.AntiAffinityNone:
		return nil
	default:
		return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 100, PodAffinityTerm: term}},
		}}
	}
}

// requireOnePerNode adds a required anti-affinity term on the node
// hostname, for pods that bind a host port (hostNetwork NameServers): two
// on one node could never both start.
func requireOnePerNode(spec *corev1.PodSpec, selector map[string]string) {
	if spec.Affinity == nil {
		spec.Affinity = &corev1.Affinity{}
	}
	if spec.Affinity.PodAntiAffinity == nil {
		spec.Affinity.PodAntiAffinity = &corev1.PodAntiAffinity{}
	}
	aa := spec.Affinity.PodAntiAffinity
	for _, t := range aa.RequiredDuringSchedulingIgnoredDuringExecution {
		if t.TopologyKey == hostnameTopologyKey {
			return
		}
	}
	aa.RequiredDuringSchedulingIgnoredDuringExecution = append(aa.RequiredDuringSchedulingIgnoredDuringExecution, corev1.PodAffinityTerm{
		LabelSelector: &metav1.LabelSelector{MatchLabels: copyStringMap(selector)},
		TopologyKey:   hostnameTopologyKey,
	})
}

// spreadConstraints copies the user's constraints, filling an empty label
// selector with the component's selector labels.
func spreadConstraints(in []corev1.TopologySpreadConstraint, selector map[string]string) []corev1.TopologySpreadConstraint {
	out := make([]corev1.TopologySpreadConstraint, 0, len(in))
	for _, tsc := range in {
		t := *tsc.DeepCopy()
		if t.LabelSelector == nil || (len(t.LabelSelector.MatchLabels) == 0 && len(t.LabelSelector.MatchExpressions) == 0) {
			t.LabelSelector = &metav1.LabelSelector{MatchLabels: copyStringMap(selector)}
		}
		out = append(out, t)
	}
	return out
}

func copyStringMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
