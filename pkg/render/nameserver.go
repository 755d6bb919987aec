package render

import (
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

const (
	portNameNameServer = "nameserver"
	// namesrvDataDir holds kvConfig.json and namesrv.properties
	// (${user.home}/namesrv). Both are rebuilt from brokers and admin calls,
	// so a scratch volume suffices: the NameServer keeps no data.
	namesrvDataDir = homeDir + "/namesrv"
	volNamesrv     = "namesrv"
)

// nameServerObjects are the NameServer StatefulSet, its two headless
// Services and, when enabled, its PodDisruptionBudget.
func nameServerObjects(c *v1alpha1.RocketMQCluster) []runtime.Object {
	objs := []runtime.Object{nameServerService(c), nameServerAllService(c), nameServerStatefulSet(c)}
	if pdbEnabled(c) {
		objs = append(objs, podDisruptionBudget(c, c.NameServerName(), v1alpha1.ComponentNameServer, -1, waveCoordination))
	}
	return objs
}

// nameServerService governs the StatefulSet, giving every NameServer a
// stable DNS name: the names clients, the Proxy, the dashboard and the
// status controller's list use. Only ready NameServers are published, and a
// NameServer turns ready only once brokers had time to register with it
// (nameServerReadinessDelay), so no client is handed a NameServer without
// routes.
func nameServerService(c *v1alpha1.RocketMQCluster) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(c, c.NameServerName(), v1alpha1.ComponentNameServer, -1, waveCoordination),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			PublishNotReadyAddresses: false,
			Selector:                 c.SelectorLabels(v1alpha1.ComponentNameServer, -1),
			Ports:                    []corev1.ServicePort{tcpServicePort(portNameNameServer, v1alpha1.PortNameServer)},
		},
	}
}

// nameServerAllName is the Service brokers resolve: every NameServer pod,
// ready or not.
func nameServerAllName(c *v1alpha1.RocketMQCluster) string { return c.NameServerName() + "-all" }

// nameServerAllService publishes every NameServer pod with an IP, ready or
// not, for brokers only (namesrvAddr with fetchNameSrvAddrByDnsLookup): a
// starting NameServer gets every broker's registration before it turns
// ready, and the StatefulSet roll, which waits for the replaced pod to be
// ready, never takes the next NameServer down before that.
func nameServerAllService(c *v1alpha1.RocketMQCluster) *corev1.Service {
	svc := nameServerService(c)
	svc.Name = nameServerAllName(c)
	svc.Spec.PublishNotReadyAddresses = true
	return svc
}

// NameServer readiness delay. A broker learns a new NameServer pod's IP
// from cluster DNS (CoreDNS answers are cached for up to clusterDNSTTL:
// `ttl 30` in the Corefile of the Kubernetes CoreDNS add-on and kubeadm;
// the JVM's own cache is off, brokerDNSCacheOption), at its next
// updateNameServerAddrPeriod tick, and
// registers with it at its next registerNameServerPeriod tick. The margin
// covers the JVM opening its port and the probe's own period.
const (
	clusterDNSTTL        = 30
	readinessDelayMargin = 5
)

// nameServerReadinessDelay is the readiness probe's initialDelaySeconds:
// one DNS cache lifetime plus one broker discovery and registration round,
// with the periods the brokers run (a user's broker.conf value included).
func nameServerReadinessDelay(c *v1alpha1.RocketMQCluster) int32 {
	cfg := brokerConfig(c, 0)
	ms := periodMillis(cfg["updateNameServerAddrPeriod"], 120_000) + registerPeriodMillis(cfg["registerNameServerPeriod"])
	return clusterDNSTTL + int32((ms+999)/1000) + readinessDelayMargin
}

// periodMillis reads a broker.conf period. The broker ignores a value that
// is not a number and keeps its default (MixAll.properties2Object swallows
// the parse error), so that counts as def here too.
func periodMillis(v string, def int64) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return def
	}
	return n
}

// registerPeriodMillis clamps as BrokerController.start does:
// Math.max(10000, Math.min(registerNameServerPeriod, 60000)).
func registerPeriodMillis(v string) int64 {
	return min(max(periodMillis(v, 30_000), 10_000), 60_000)
}

func nameServerStatefulSet(c *v1alpha1.RocketMQCluster) *appsv1.StatefulSet {
	ns := c.Spec.NameServer
	vols, mounts := scratchVolumes()
	vols = append(vols, emptyDir(volNamesrv))
	mounts = append(mounts, corev1.VolumeMount{Name: volNamesrv, MountPath: namesrvDataDir})

	ctr := rocketmqContainer(c, v1alpha1.ComponentNameServer, script(execLine("mqnamesrv")),
		rocketmqEnv(c, jvmOptions(ns.JVM.Heap, ns.JVM.DirectMemory)), ns.Resources)
	ctr.Ports = []corev1.ContainerPort{containerPort(portNameNameServer, v1alpha1.PortNameServer)}
	ctr.VolumeMounts = mounts
	ctr.Lifecycle = stopJavaLifecycle()
	withProbes(&ctr, portNameNameServer, probeTiming{startupPeriod: 5, startupFailures: 24, livenessPeriod: 10, livenessFails: 3})
	ctr.ReadinessProbe.InitialDelaySeconds = nameServerReadinessDelay(c)

	p := effectivePlacement(c.Spec.Placement, ns.Placement)
	spec := podSpec(c, v1alpha1.ComponentNameServer, -1, p, ctr, vols)
	spec.TerminationGracePeriodSeconds = ptr.To[int64](30)
	if ns.HostNetwork {
		// On the node network the pod binds 9876 on the node: at most one
		// NameServer per node, and cluster DNS must stay reachable.
		spec.HostNetwork = true
		spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
		// The API server defaults hostPort to containerPort on the node
		// network; writing it out keeps Git and the live object equal.
		for i := range spec.Containers[0].Ports {
			spec.Containers[0].Ports[i].HostPort = spec.Containers[0].Ports[i].ContainerPort
		}
		requireOnePerNode(&spec, c.SelectorLabels(v1alpha1.ComponentNameServer, -1))
	}
	return statefulSet(c, c.NameServerName(), v1alpha1.ComponentNameServer, -1, waveCoordination,
		nameServerReplicas(c), appsv1.ParallelPodManagement, spec)
}

// statefulSet wraps a pod spec into a StatefulSet governed by the headless
// Service of the same name. Parallel management for components whose pods
// do not depend on each other's order.
func statefulSet(c *v1alpha1.RocketMQCluster, name, component string, group int32, wave string,
	replicas int32, policy appsv1.PodManagementPolicyType, spec corev1.PodSpec) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: objectMeta(c, name, component, group, wave),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            ptr.To(replicas),
			ServiceName:         name,
			PodManagementPolicy: policy,
			Selector:            &metav1.LabelSelector{MatchLabels: c.SelectorLabels(component, group)},
			UpdateStrategy:      appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: c.Labels(component, group)},
				Spec:       spec,
			},
		},
	}
}

func tcpServicePort(name string, port int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Port: port, TargetPort: intstrFromName(name), Protocol: corev1.ProtocolTCP}
}

func containerPort(name string, port int32) corev1.ContainerPort {
	return corev1.ContainerPort{Name: name, ContainerPort: port, Protocol: corev1.ProtocolTCP}
}

// stopJavaLifecycle runs stopJavaScript before the container is stopped.
func stopJavaLifecycle() *corev1.Lifecycle {
	return &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{
		Exec: &corev1.ExecAction{Command: []string{"sh", "-c", stopJavaScript}},
	}}
}
