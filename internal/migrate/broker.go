package migrate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// brokerDefaultJVM is what Default gives brokers, to check it fits.
var brokerDefaultJVM = v1alpha1.JVMSpec{Heap: quantity("1Gi"), DirectMemory: quantity("1Gi")}

// scalePodPattern is an operator broker pod name after "<cr>-": the
// StatefulSets are <cr>-<g>-master and <cr>-<g>-replica-<r> (STATIC) or
// <cr>-<g>-<r> (CONTROLLER), one pod each (ordinal 0); <g> is the group
// the operator copies metadata from.
var scalePodPattern = regexp.MustCompile(`^([0-9]+)-(?:master|replica-[0-9]+|[0-9]+)-0$`)

// broker converts the Broker: groups, replicas, mode, image, storage,
// resources, JVM, broker.conf and placement.
func (cv *converter) broker(it *item[broker]) error {
	ref, s := it.ref, &it.obj.Spec
	b := &cv.cluster.Spec.Broker
	if err := cv.brokerShape(ref, s); err != nil {
		return err
	}
	cv.brokerImage(ref, s.BrokerImage)
	// Resources first: BROKER_MEM is checked against the memory limit.
	b.Resources = *s.Resources.DeepCopy()
	b.Storage = cv.storage(ref, &s.podFields, "spec.broker", "topics move with TopicTransfers")
	c := component{path: "spec.broker", placement: &b.Placement, resources: &b.Resources}
	for _, key := range specKeys(it.raw) {
		if err := cv.brokerField(ref, key, s, c); err != nil {
			return err
		}
	}
	cv.fitHeap(ref, &b.JVM, &b.Resources, brokerDefaultJVM, "spec.broker")
	cv.ensureHeadroom(ref, b.JVM, &b.Resources, brokerDefaultJVM, "spec.broker")
	return nil
}

// brokerShape sets groups, pods per group and the mode.
func (cv *converter) brokerShape(ref resourceRef, s *brokerSpec) error {
	b := &cv.cluster.Spec.Broker
	if s.Size < 1 || s.Size > v1alpha1.MaxBrokerGroups {
		return fmt.Errorf("%s: spec.size: %d broker groups; the new cluster takes 1 to %d: correct it", ref, s.Size, v1alpha1.MaxBrokerGroups)
	}
	if s.ReplicaPerGroup < 0 {
		return fmt.Errorf("%s: spec.replicaPerGroup: %d is negative: correct it", ref, s.ReplicaPerGroup)
	}
	b.Groups = ptrInt32(s.Size)
	// The operator counts slaves; the new API counts pods, master included.
	b.ReplicasPerGroup = ptrInt32(s.ReplicaPerGroup + 1)
	switch strings.ToUpper(s.ClusterMode) {
	case "", clusterModeStatic:
		b.Mode = v1alpha1.BrokerModeMasterSlave
	case clusterModeController:
		b.Mode = v1alpha1.BrokerModeController
	default:
		return fmt.Errorf("%s: spec.clusterMode: %q is not STATIC or CONTROLLER (the operator never implemented CONTAINER): correct it", ref, s.ClusterMode)
	}
	return nil
}

// brokerField handles one spec key of the Broker.
func (cv *converter) brokerField(ref resourceRef, key string, s *brokerSpec, c component) error {
	switch key {
	case "size", "replicaPerGroup", "clusterMode", "brokerImage", "storageMode", "hostPath", "volumeClaimTemplates":
		// Done by broker, brokerShape and storage.
	case "nameServers":
		if s.NameServers != "" {
			cv.report.changed(ref, "spec.nameServers", "%s: the new brokers use the new cluster's NameServers, by DNS name; "+
				"this list is where TopicTransfers (--transfers) find the old cluster", s.NameServers)
		}
	case "hostNetwork":
		if s.HostNetwork {
			cv.report.dropped(ref, "spec.hostNetwork", "brokers run on the pod network and register stable pod DNS names; "+
				"clients outside Kubernetes reach the new cluster through the Proxy: set spec.proxy.enabled and spec.proxy.serviceType (NodePort or LoadBalancer)")
		}
	case "allowRestart":
		if s.AllowRestart {
			cv.report.dropped(ref, "spec.allowRestart", "no longer needed: brokers reach NameServers by DNS name, so a NameServer change restarts nothing")
		}
	case "scalePodName":
		cv.scalePod(ref, s)
	case "env":
		return cv.brokerEnv(ref, s)
	case "volumes":
		return cv.brokerVolumes(ref, s)
	default:
		if !cv.podField(ref, key, &s.podFields, c) {
			cv.unknownField(ref, key)
		}
	}
	return nil
}

func (cv *converter) brokerEnv(ref resourceRef, s *brokerSpec) error {
	for i, e := range s.Env {
		if e.Name != envBrokerMem {
			cv.envVar(ref, i, e)
			continue
		}
		if err := cv.brokerMem(ref, "spec.env["+strconv.Itoa(i)+"]", e); err != nil {
			return err
		}
	}
	return nil
}

// scalePod turns the pod the operator copies metadata from into
// spec.broker.metadataSourceGroup.
func (cv *converter) scalePod(ref resourceRef, s *brokerSpec) {
	if s.ScalePodName == "" {
		return
	}
	rest, own := strings.CutPrefix(s.ScalePodName, ref.Name+"-")
	m := scalePodPattern.FindStringSubmatch(rest)
	g, err := strconv.Atoi(firstGroup(m))
	if !own || m == nil || err != nil || int32(g) >= s.Size {
		cv.report.dropped(ref, "spec.scalePodName", "%s is not a broker pod of this Broker (%s-<group>-master-0): "+
			"new groups copy metadata from group 0 (spec.broker.metadataSourceGroup)", s.ScalePodName, ref.Name)
		return
	}
	if g != 0 {
		cv.cluster.Spec.Broker.MetadataSourceGroup = ptrInt32(int32(g))
	}
}

func firstGroup(m []string) string {
	if len(m) < 2 {
		return ""
	}
	return m[1]
}

func quantity(s string) *resource.Quantity {
	q := resource.MustParse(s)
	return &q
}
