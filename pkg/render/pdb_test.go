package render

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestPDBPerWorkload: every workload has a PodDisruptionBudget of the same
// name, maxUnavailable 1, selecting exactly the workload's pods.
func TestPDBPerWorkload(t *testing.T) {
	c := everything(withController(fullCluster("o", "mq"), 3, v1alpha1.ControllerDLedger))
	c.Spec.Broker.Groups = ptr.To[int32](3)
	objs := mustRender(t, c)
	workloads := 0
	for _, o := range objs {
		var selector map[string]string
		switch o.GetKind() {
		case "StatefulSet":
			selector = typed[appsv1.StatefulSet](t, o).Spec.Selector.MatchLabels
		case "Deployment":
			selector = typed[appsv1.Deployment](t, o).Spec.Selector.MatchLabels
		default:
			continue
		}
		workloads++
		pdb := typed[policyv1.PodDisruptionBudget](t, find(t, objs, "PodDisruptionBudget", o.GetName()))
		if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 || pdb.Spec.MinAvailable != nil {
			t.Errorf("%s: budget %+v", o.GetName(), pdb.Spec)
		}
		if mustYAML(t, pdb.Spec.Selector.MatchLabels) != mustYAML(t, selector) {
			t.Errorf("%s: PDB selector %v, workload selector %v", o.GetName(), pdb.Spec.Selector.MatchLabels, selector)
		}
	}
	if workloads != 3+1+1+2 {
		t.Errorf("%d workloads, want 7", workloads)
	}
}

func TestPDBDisabled(t *testing.T) {
	c := everything(fullCluster("o", "mq"))
	c.Spec.PodDisruptionBudget.Enabled = ptr.To(false)
	for _, o := range mustRender(t, c) {
		if o.GetKind() == "PodDisruptionBudget" {
			t.Errorf("PodDisruptionBudget %s rendered although disabled", o.GetName())
		}
	}
	c.Spec.PodDisruptionBudget = nil
	if n := countKind(mustRender(t, c), "PodDisruptionBudget"); n != 4 {
		t.Errorf("%d PodDisruptionBudgets with the setting absent, want 4 (on by default)", n)
	}
}

func countKind(objs []*unstructured.Unstructured, kind string) int {
	n := 0
	for _, o := range objs {
		if o.GetKind() == kind {
			n++
		}
	}
	return n
}
