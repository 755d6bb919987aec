package render

import (
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// pdbEnabled: PodDisruptionBudgets are on unless the spec turns them off.
func pdbEnabled(c *v1alpha1.RocketMQCluster) bool {
	return c.Spec.PodDisruptionBudget == nil || boolOr(c.Spec.PodDisruptionBudget.Enabled, true)
}

// podDisruptionBudget lets voluntary disruptions (node drains) take one pod
// of a component, or of one broker group, at a time. maxUnavailable rather
// than minAvailable, so that it never blocks a drain of a single-replica
// component outright and keeps working when replicas change.
func podDisruptionBudget(c *v1alpha1.RocketMQCluster, name, component string, group int32, wave string) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: objectMeta(c, name, component, group, wave),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptrIntOrString(intstr.FromInt32(1)),
			Selector:       &metav1.LabelSelector{MatchLabels: c.SelectorLabels(component, group)},
		},
	}
}

func ptrIntOrString(v intstr.IntOrString) *intstr.IntOrString { return &v }
