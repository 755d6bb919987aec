package migrate

import (
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// controller converts the Controller quorum, used only by a Broker in
// CONTROLLER mode (the new API refuses a quorum nothing uses).
func (cv *converter) controller(it *item[controller], b *item[broker]) error {
	mode := cv.cluster.Spec.Broker.Mode
	if it == nil {
		if mode == v1alpha1.BrokerModeController {
			return fmt.Errorf("%s: spec.clusterMode: CONTROLLER needs the Controller resource among the inputs "+
				"(kubectl get controllers.rocketmq.apache.org -o yaml)", b.ref)
		}
		return nil
	}
	if mode != v1alpha1.BrokerModeController {
		cv.report.dropped(it.ref, "", "%s runs in STATIC mode (spec.clusterMode) and does not use this Controller: not carried over", b.ref)
		return nil
	}
	ref, s := it.ref, &it.obj.Spec
	if s.Size < 1 || s.Size%2 == 0 {
		return fmt.Errorf("%s: spec.size: %d; a Controller quorum needs an odd size (1, 3, 5): an even one tolerates no more failures "+
			"than one member fewer; set it to %d", ref, s.Size, s.Size+1-s.Size%2)
	}
	ctl := &v1alpha1.ControllerSpec{Replicas: ptrInt32(s.Size), Type: v1alpha1.ControllerDLedger}
	cv.cluster.Spec.Controller = ctl
	ctl.Storage = cv.storage(ref, &s.podFields, "spec.controller",
		"the new quorum starts empty and learns the new brokers as they register")
	c := component{path: "spec.controller", placement: &ctl.Placement, resources: &ctl.Resources}
	for _, key := range specKeys(it.raw) {
		switch key {
		case "size", "storageMode", "hostPath", "volumeClaimTemplates":
		case "controllerImage":
			cv.componentImage(ref, "spec.controllerImage", s.ControllerImage)
		case "env":
			for i, e := range s.Env {
				cv.envVar(ref, i, e)
			}
		default:
			if !cv.podField(ref, key, &s.podFields, c) {
				cv.unknownField(ref, key)
			}
		}
	}
	cv.fitHeap(ref, &ctl.JVM, &ctl.Resources, smallJVM, "spec.controller")
	cv.ensureHeadroom(ref, ctl.JVM, &ctl.Resources, smallJVM, "spec.controller")
	return nil
}
