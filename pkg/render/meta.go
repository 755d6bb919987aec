package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Annotations the renderer writes.
const (
	// annotationSyncWave orders Argo CD's sync: NameServer and Controller
	// first, brokers next, then everything that only talks to brokers.
	annotationSyncWave = "argocd.argoproj.io/sync-wave"
	// annotationArgoSyncOptions with Prune=false keeps Argo CD from deleting
	// a data-holding StatefulSet that disappears from Git by accident.
	annotationArgoSyncOptions = "argocd.argoproj.io/sync-options"
	// annotationFluxPrune is Flux's equivalent of Prune=false.
	annotationFluxPrune = "kustomize.toolkit.fluxcd.io/prune"
	// AnnotationConfigHash on a pod template carries a hash of the
	// component's ConfigMap data, so that a config change rolls the pods.
	AnnotationConfigHash = v1alpha1.Group + "/config-hash"
)

// Sync waves of the components.
const (
	waveCoordination = "0" // NameServer, Controller
	waveBrokers      = "1"
	waveAccess       = "2" // Proxy, dashboard, metrics

	// ClusterSyncWave is the wave of the RocketMQCluster itself, after every
	// object rendered from it. Argo CD waits for a wave to be healthy
	// before the next, and the cluster only turns healthy once its brokers
	// run: in wave 0 it would hold the brokers back forever.
	ClusterSyncWave = "3"
	// MetadataSyncWave is the wave of RocketMQTopic and
	// RocketMQConsumerGroup objects, after their cluster: applied once it
	// is Healthy, pruned before it.
	MetadataSyncWave = "4"
	// AnnotationSyncWave is Argo CD's sync-wave annotation.
	AnnotationSyncWave = annotationSyncWave
)

// objectMeta is the metadata of every rendered object: name, the cluster's
// namespace, the component's labels and its sync wave.
func objectMeta(c *v1alpha1.RocketMQCluster, name, component string, group int32, wave string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   c.Namespace,
		Labels:      c.Labels(component, group),
		Annotations: map[string]string{annotationSyncWave: wave},
	}
}

// protectData adds the annotations that keep GitOps engines from pruning an
// object that holds data, or that the pods of a data-holding StatefulSet
// need to run (their ConfigMap and governing Service): if a broker group
// vanishes from Git by mistake, the group keeps running and restarting
// until someone drains and deletes it on purpose.
func protectData(m *metav1.ObjectMeta) {
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	m.Annotations[annotationArgoSyncOptions] = "Prune=false"
	m.Annotations[annotationFluxPrune] = "disabled"
}

// serviceHost is the DNS name of a Service. With a namespace it is the
// namespace-qualified `<svc>.<ns>.svc`, reachable from every namespace;
// without one (the namespace is set later, e.g. by a kustomize namespace
// transformer) it is the bare name, which resolves through the pod's DNS
// search path within its own namespace.
func serviceHost(c *v1alpha1.RocketMQCluster, svc string) string {
	if c.Namespace == "" {
		return svc
	}
	return svc + "." + c.Namespace + ".svc"
}

// podHost is the stable DNS name of pod ordinal i of the StatefulSet sts,
// governed by the headless Service of the same name.
func podHost(c *v1alpha1.RocketMQCluster, sts string, i int32) string {
	return sts + "-" + strconv.Itoa(int(i)) + "." + serviceHost(c, sts)
}

// podAddresses lists host:port of every pod of a StatefulSet.
func podAddresses(c *v1alpha1.RocketMQCluster, sts string, replicas int32, port int) []string {
	out := make([]string, 0, replicas)
	for i := int32(0); i < replicas; i++ {
		out = append(out, podHost(c, sts, i)+":"+strconv.Itoa(port))
	}
	return out
}

// nameServerPodAddresses is the NameServer list by stable pod DNS names,
// `host:9876;host:9876`, the form RocketMQ clients accept.
func nameServerPodAddresses(c *v1alpha1.RocketMQCluster) string {
	return strings.Join(podAddresses(c, c.NameServerName(), nameServerReplicas(c), v1alpha1.PortNameServer), ";")
}

// ConfigHash is the value of AnnotationConfigHash for a ConfigMap's data:
// the first 20 hex digits of a SHA-256 over the entries in key order, each
// key and value length-prefixed so that no two different maps collide by
// concatenation. The status controller can compare it with the live
// ConfigMap to tell whether pods run the current config.
func ConfigHash(data map[string]string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		// Writing to a hash never fails.
		_, _ = fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(data[k]), data[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// int32Or returns *p, or def when p is nil.
func int32Or(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func nameServerReplicas(c *v1alpha1.RocketMQCluster) int32 {
	return int32Or(c.Spec.NameServer.Replicas, 2)
}
