package migrate

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// smallJVM is what Default gives NameServers and Controllers.
var smallJVM = v1alpha1.JVMSpec{Heap: quantity("512Mi")}

// nameService converts the NameService: replicas, hostNetwork, resources
// and placement. Without one the new cluster gets the default NameServers.
func (cv *converter) nameService(it *item[nameService]) error {
	if it == nil {
		return nil
	}
	ref, s := it.ref, &it.obj.Spec
	n := &cv.cluster.Spec.NameServer
	if s.Size > 0 {
		n.Replicas = ptrInt32(s.Size)
	}
	c := component{path: "spec.nameServer", placement: &n.Placement, resources: &n.Resources}
	for _, key := range specKeys(it.raw) {
		cv.nameServiceField(ref, key, s, c)
	}
	cv.fitHeap(ref, &n.JVM, &n.Resources, smallJVM, "spec.nameServer")
	cv.ensureHeadroom(ref, n.JVM, &n.Resources, smallJVM, "spec.nameServer")
	return nil
}

func (cv *converter) nameServiceField(ref resourceRef, key string, s *nameServiceSpec, c component) {
	switch key {
	case "size":
	case "hostNetwork":
		cv.cluster.Spec.NameServer.HostNetwork = s.HostNetwork
	case "dnsPolicy":
		if s.DNSPolicy != "" && s.DNSPolicy != corev1.DNSClusterFirst && s.DNSPolicy != corev1.DNSClusterFirstWithHostNet {
			cv.report.dropped(ref, "spec.dnsPolicy", "%s: the renderer uses ClusterFirst, or ClusterFirstWithHostNet with hostNetwork", s.DNSPolicy)
		}
	case "nameServiceImage":
		cv.componentImage(ref, "spec.nameServiceImage", s.NameServiceImage)
	case "storageMode", "hostPath", "volumeClaimTemplates":
		if key == "storageMode" {
			cv.report.dropped(ref, "spec.storageMode", "NameServers keep no data (routes come back from broker registrations); "+
				"the operator's volume only held /root/logs: no storage in the new cluster")
		}
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
