package render

import (
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/javaprops"
)

const (
	controllerConfFile = "controller.conf"
	portNameController = "controller"
	portNameRaft       = "raft"
	// portControllerRaft is the jRaft consensus port; 9878 (the RPC port
	// brokers call) stays the same for both controller types.
	portControllerRaft = 9888
)

func controllerReplicas(c *v1alpha1.RocketMQCluster) int32 {
	if c.Spec.Controller == nil {
		return 3
	}
	return int32Or(c.Spec.Controller.Replicas, 3)
}

func isJRaft(c *v1alpha1.RocketMQCluster) bool {
	return c.Spec.Controller != nil && c.Spec.Controller.Type == v1alpha1.ControllerJRaft
}

// controllerObjects are the Controller quorum's ConfigMap, headless
// Service, StatefulSet and PodDisruptionBudget (Controller mode only).
func controllerObjects(c *v1alpha1.RocketMQCluster) ([]runtime.Object, error) {
	cm := controllerConfigMap(c)
	sts, err := controllerStatefulSet(c, ConfigHash(cm.Data))
	if err != nil {
		return nil, err
	}
	objs := []runtime.Object{cm, controllerService(c), sts}
	if pdbEnabled(c) {
		objs = append(objs, podDisruptionBudget(c, c.ControllerName(), v1alpha1.ComponentController, -1, waveCoordination))
	}
	return objs, nil
}

// controllerAddresses is the broker's controllerAddr: every Controller
// pod's RPC address, by stable DNS name.
func controllerAddresses(c *v1alpha1.RocketMQCluster) string {
	return strings.Join(podAddresses(c, c.ControllerName(), controllerReplicas(c), v1alpha1.PortController), ";")
}

// controllerConfig is the quorum's config template, the same for every
// pod; each pod appends its own id at start (controllerStartScript).
func controllerConfig(c *v1alpha1.RocketMQCluster) map[string]string {
	kv := map[string]string{
		"controllerStorePath": storeDir,
		// Runtime config updates persist into the file the controller
		// runs with, on the scratch config volume, until the next restart.
		"configStorePath": confDir + "/" + controllerConfFile,
	}
	if isJRaft(c) {
		kv["controllerType"] = string(v1alpha1.ControllerJRaft)
		kv["jRaftGroupId"] = c.ControllerName()
		kv["jRaftInitConf"] = strings.Join(podAddresses(c, c.ControllerName(), controllerReplicas(c), portControllerRaft), ",")
		kv["jRaftControllerRPCAddr"] = strings.Join(podAddresses(c, c.ControllerName(), controllerReplicas(c), v1alpha1.PortController), ",")
		return kv
	}
	kv["controllerType"] = string(v1alpha1.ControllerDLedger)
	kv["controllerDLegerGroup"] = c.ControllerName()
	kv["controllerDLegerPeers"] = dledgerPeers(c)
	return kv
}

// dledgerPeers is `n0-host0:9878;n1-host1:9878;…`; peer ids are n<ordinal>.
func dledgerPeers(c *v1alpha1.RocketMQCluster) string {
	addrs := podAddresses(c, c.ControllerName(), controllerReplicas(c), v1alpha1.PortController)
	for i, a := range addrs {
		addrs[i] = "n" + strconv.Itoa(i) + "-" + a
	}
	return strings.Join(addrs, ";")
}

// controllerIdentity appends the pod's own id. It is built from the
// ordinal and the same host names as the peer list, so the id always
// matches one peer entry exactly, whatever the cluster name contains.
func controllerIdentity(c *v1alpha1.RocketMQCluster) string {
	if isJRaft(c) {
		host := c.ControllerName() + `-${ordinal}.` + serviceHost(c, c.ControllerName())
		return `echo "jRaftServerId=` + host + ":" + strconv.Itoa(portControllerRaft) + `" >> "$conf"` + "\n"
	}
	return `echo "controllerDLegerSelfId=n${ordinal}" >> "$conf"` + "\n"
}

func controllerStartScript(c *v1alpha1.RocketMQCluster) string {
	return script(ordinalSnippet, copyTemplate(controllerConfFile), controllerIdentity(c),
		execLine("mqcontroller", "-c", `"$conf"`))
}

func controllerConfigMap(c *v1alpha1.RocketMQCluster) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(c, c.ControllerName(), v1alpha1.ComponentController, -1, waveCoordination),
		Data:       map[string]string{controllerConfFile: string(javaprops.Encode(controllerConfig(c)))},
	}
	protectData(&cm.ObjectMeta)
	return cm
}

// controllerService publishes not-ready pods: peers must find each other
// while the quorum forms, before any of them is Ready.
func controllerService(c *v1alpha1.RocketMQCluster) *corev1.Service {
	ports := []corev1.ServicePort{tcpServicePort(portNameController, v1alpha1.PortController)}
	if isJRaft(c) {
		ports = append(ports, tcpServicePort(portNameRaft, portControllerRaft))
	}
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(c, c.ControllerName(), v1alpha1.ComponentController, -1, waveCoordination),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			PublishNotReadyAddresses: true,
			Selector:                 c.SelectorLabels(v1alpha1.ComponentController, -1),
			Ports:                    ports,
		},
	}
	protectData(&svc.ObjectMeta)
	return svc
}

func controllerStatefulSet(c *v1alpha1.RocketMQCluster, hash string) (*appsv1.StatefulSet, error) {
	spec := v1alpha1.ControllerSpec{}
	if c.Spec.Controller != nil {
		spec = *c.Spec.Controller
	}
	vct, err := storeClaim(spec.Storage, "1Gi")
	if err != nil {
		return nil, fmt.Errorf("controller storage: %w", err)
	}
	vols, mounts := configuredVolumes(c.ControllerName())
	mounts = append(mounts, storeMount())

	ctr := rocketmqContainer(c, v1alpha1.ComponentController, controllerStartScript(c),
		rocketmqEnv(c, jvmOptions(spec.JVM.Heap, spec.JVM.DirectMemory)), spec.Resources)
	ctr.Ports = []corev1.ContainerPort{containerPort(portNameController, v1alpha1.PortController)}
	if isJRaft(c) {
		ctr.Ports = append(ctr.Ports, containerPort(portNameRaft, portControllerRaft))
	}
	ctr.VolumeMounts = mounts
	ctr.Lifecycle = stopJavaLifecycle()
	withProbes(&ctr, portNameController, probeTiming{startupPeriod: 5, startupFailures: 36, livenessPeriod: 10, livenessFails: 3})

	pod := podSpec(c, v1alpha1.ComponentController, -1, effectivePlacement(c.Spec.Placement, spec.Placement), ctr, vols)
	pod.TerminationGracePeriodSeconds = ptr.To[int64](30)
	// Parallel: a quorum needs a majority up to elect a leader, and the
	// readiness of pod 0 must not wait for pods that are not created yet.
	sts := statefulSet(c, c.ControllerName(), v1alpha1.ComponentController, -1, waveCoordination,
		controllerReplicas(c), appsv1.ParallelPodManagement, pod)
	withData(sts, vct)
	sts.Spec.Template.Annotations = map[string]string{AnnotationConfigHash: hash}
	return sts, nil
}
