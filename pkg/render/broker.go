package render

import (
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/javaprops"
)

const (
	brokerConfFile   = "broker.conf"
	portNameRemoting = "remoting"
	portNameVIP      = "vip"
	portNameHA       = "ha"
	// brokerGracePeriod leaves a broker time to flush, unregister from the
	// NameServers and, as a master, let slaves catch up before SIGKILL.
	brokerGracePeriod = 120
)

// ACL 2.0 providers (rocketmq.apache.org, "Access control 2.0").
const (
	authnProvider         = "org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider"
	authzProvider         = "org.apache.rocketmq.auth.authorization.provider.DefaultAuthorizationProvider"
	brokerAuthnMetadata   = "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider"
	brokerAuthzMetadata   = "org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider"
	metricsExporterPROM   = "PROM"
	metricsListenAllHosts = "0.0.0.0"
)

// brokerObjects are, per group, a ConfigMap, a headless Service, a
// StatefulSet and a PodDisruptionBudget.
func brokerObjects(c *v1alpha1.RocketMQCluster) ([]runtime.Object, error) {
	groups := int32Or(c.Spec.Broker.Groups, 1)
	var objs []runtime.Object
	for g := int32(0); g < groups; g++ {
		cm := brokerConfigMap(c, g)
		sts, err := brokerStatefulSet(c, g, ConfigHash(cm.Data))
		if err != nil {
			return nil, err
		}
		objs = append(objs, cm, brokerService(c, g), sts)
		if pdbEnabled(c) {
			objs = append(objs, podDisruptionBudget(c, c.BrokerGroupName(g), v1alpha1.ComponentBroker, g, waveBrokers))
		}
	}
	return objs, nil
}

func brokerConfigMap(c *v1alpha1.RocketMQCluster, g int32) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(c, c.BrokerGroupName(g), v1alpha1.ComponentBroker, g, waveBrokers),
		Data:       map[string]string{brokerConfFile: string(javaprops.Encode(brokerConfig(c, g)))},
	}
	protectData(&cm.ObjectMeta)
	return cm
}

// brokerConfig is group g's broker.conf template: the user's extra entries,
// then every key the renderer owns (validation refuses user entries for
// them). Per-pod identity is appended at start (brokerStartScript). The
// NameServers are given as the name of the headless Service that publishes
// every NameServer pod, ready or not (nameServerAllService), with
// fetchNameSrvAddrByDnsLookup: a change of NameServer replicas changes no
// broker pod template, and a starting NameServer gets the brokers'
// registrations before it turns ready to clients.
func brokerConfig(c *v1alpha1.RocketMQCluster, g int32) map[string]string {
	b := c.Spec.Broker
	kv := make(map[string]string, len(b.Config)+24)
	for k, v := range b.Config {
		kv[k] = string(v)
	}
	kv["brokerClusterName"] = c.Name
	kv["brokerName"] = c.BrokerGroupName(g)
	kv["namesrvAddr"] = serviceHost(c, nameServerAllName(c)) + ":" + strconv.Itoa(v1alpha1.PortNameServer)
	kv["fetchNameSrvAddrByDnsLookup"] = "true"
	addNameServerPeriods(kv)
	kv["listenPort"] = strconv.Itoa(v1alpha1.PortBroker)
	kv["haListenPort"] = strconv.Itoa(v1alpha1.PortBrokerHA)
	kv["storePathRootDir"] = storeDir
	kv["storePathCommitLog"] = storeDir + "/commitlog"
	if b.FlushDiskType != "" {
		kv["flushDiskType"] = string(b.FlushDiskType)
	}
	if isControllerMode(c) {
		addControllerModeKeys(c, kv)
	}
	if c.Spec.Metrics.Enabled {
		addMetricsKeys(kv)
	}
	if aclEnabled(c) {
		addBrokerACLKeys(kv)
	}
	return kv
}

// NameServer discovery periods (BrokerConfig, milliseconds). A broker
// re-resolves the NameServer Service every updateNameServerAddrPeriod
// (Java default 120 s) and registers with every address it holds every
// registerNameServerPeriod (default 30 s, Java clamps it to 10..60 s), so a
// new or restarted NameServer has every broker within 5 + 10 = 15 s, with
// or without the status controller. A user's broker.conf value wins.
const (
	updateNameServerAddrPeriod = "5000"
	registerNameServerPeriod   = "10000"
)

// brokerReadinessSuccesses holds a broker pod unready until its port has
// answered four readiness checks in a row, 10 s apart: 30 s after it
// opened (after a commit-log replay of any length, since readiness checks
// start only once the startup probe passed). So a replaced replica has
// rejoined its group before the StatefulSet roll takes the next one down,
// and before a PodDisruptionBudget (which counts ready pods) lets a drain
// evict another pod of the group. A TCP check says only that the port is
// open; rejoining takes: in Controller mode the heartbeat to the quorum
// (brokerHeartbeatInterval 1 s), the role change, the HA connection to the
// master (HAClient retries every 5 s) and the master's next look at the
// SyncStateSet (AutoSwitchHAService.maybeExpandInSyncStateSet, on the
// slave's acks); in MasterSlave mode the HA connection and the slave's
// first SlaveSynchronize round (every 10 s). A check reading the
// SyncStateSet needs a signed remoting call that the image cannot make
// without a JVM (docs/controller.md, "Broker readiness"). Broker Services
// publish not-ready pods, so being unready hides no broker from clients or
// peers.
const brokerReadinessSuccesses = 4

// brokerDNSCacheOption turns the JVM's positive DNS cache off for the
// broker: without a security manager it keeps every answer 30 s
// (sun.net.InetAddressCachePolicy reads sun.net.inetaddr.ttl when the
// networkaddress.cache.ttl security property is unset, as in the image's
// java.security), which would delay BrokerOuterAPI.dnsLookupAddressByDomain
// by as much again. The broker resolves its NameServer Service once per
// updateNameServerAddrPeriod, so the cost is one DNS query every 5 s.
const brokerDNSCacheOption = "-Dsun.net.inetaddr.ttl=0"

func addNameServerPeriods(kv map[string]string) {
	for k, v := range map[string]string{
		"updateNameServerAddrPeriod": updateNameServerAddrPeriod,
		"registerNameServerPeriod":   registerNameServerPeriod,
	} {
		if _, set := kv[k]; !set {
			kv[k] = v
		}
	}
}

// addControllerModeKeys: in Controller mode the Controller quorum assigns
// broker ids and elects the master, so every pod starts as brokerId -1 and
// SLAVE, as in RocketMQ's controller quick start. Sync replication means a
// message is acknowledged once every in-sync replica has it.
func addControllerModeKeys(c *v1alpha1.RocketMQCluster, kv map[string]string) {
	kv["enableControllerMode"] = "true"
	kv["controllerAddr"] = controllerAddresses(c)
	kv["brokerId"] = "-1"
	kv["brokerRole"] = "SLAVE"
	if c.Spec.Broker.ReplicationMode == v1alpha1.ReplicationSync {
		kv["allAckInSyncStateSet"] = "true"
	}
}

func addMetricsKeys(kv map[string]string) {
	kv["metricsExporterType"] = metricsExporterPROM
	kv["metricsPromExporterHost"] = metricsListenAllHosts
	kv["metricsPromExporterPort"] = strconv.Itoa(v1alpha1.PortMetrics)
}

// addBrokerACLKeys turns on ACL 2.0 authentication and authorization with
// the local (RocksDB in the store volume) metadata providers. The admin
// user and the inner-client credentials come from the Secret at start.
func addBrokerACLKeys(kv map[string]string) {
	kv["authenticationEnabled"] = "true"
	kv["authenticationProvider"] = authnProvider
	kv["authenticationMetadataProvider"] = brokerAuthnMetadata
	kv["authorizationEnabled"] = "true"
	kv["authorizationProvider"] = authzProvider
	kv["authorizationMetadataProvider"] = brokerAuthzMetadata
}

// masterRole is the role of ordinal 0 in MasterSlave mode.
func masterRole(c *v1alpha1.RocketMQCluster) string {
	if c.Spec.Broker.ReplicationMode == v1alpha1.ReplicationSync {
		return "SYNC_MASTER"
	}
	return "ASYNC_MASTER"
}

// brokerStartScript copies the group's broker.conf into the writable config
// directory, appends the pod's identity and starts the broker with it.
// brokerIP1/brokerIP2 are the pod's stable DNS name, never its IP, so the
// address registered with the NameServers survives rescheduling.
func brokerStartScript(c *v1alpha1.RocketMQCluster, g int32) string {
	identity := `host="${POD_NAME}.` + c.BrokerGroupName(g) + `.${POD_NAMESPACE}.svc"
{
  echo "brokerIP1=$host"
  echo "brokerIP2=$host"
`
	if !isControllerMode(c) {
		identity += `  echo "brokerId=$ordinal"
  if [ "$ordinal" = 0 ]; then echo "brokerRole=` + masterRole(c) + `"; else echo "brokerRole=SLAVE"; fi
`
	}
	identity += "} >> \"$conf\"\n"
	parts := []string{ordinalSnippet, copyTemplate(brokerConfFile), identity}
	if aclEnabled(c) {
		parts = append(parts, credentialsSnippet, brokerCredentialsSnippet)
	}
	parts = append(parts, waitForOwnNameSnippet, execLine("mqbroker", "-c", `"$conf"`))
	return script(parts...)
}

// waitForOwnNameSnippet holds the start until the pod's own DNS name
// ($host, brokerIP1) resolves. BrokerController resolves brokerIP1 once, at
// start, into the store host written into every message; if the headless
// Service's record does not exist yet the address stays unresolved and
// every write fails with a NullPointerException until the broker restarts
// (BrokerController.start, MessageExt.socketAddress2ByteBuffer). The record
// appears shortly after the pod gets its IP (the Service publishes
// not-ready pods); the startup probe bounds the wait. Images without
// getent start at once, as before.
const waitForOwnNameSnippet = `if command -v getent >/dev/null 2>&1; then
  waited=
  until getent hosts "$host" >/dev/null 2>&1; do
    if [ -z "$waited" ]; then echo "waiting until $host resolves" >&2; waited=1; fi
    sleep 1
  done
fi
`

// brokerCredentialsSnippet appends the ACL 2.0 admin user (created on the
// first start) and the credentials the broker uses towards other brokers.
const brokerCredentialsSnippet = `{
  printf 'initAuthenticationUser='
  printf '{"username":"%s","password":"%s"}' "$acl_user" "$acl_pass" | props_escape
  echo
  printf 'innerClientAuthenticationCredentials='
  printf '{"accessKey":"%s","secretKey":"%s"}' "$acl_user" "$acl_pass" | props_escape
  echo
} >> "$conf"
`

func brokerService(c *v1alpha1.RocketMQCluster, g int32) *corev1.Service {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(c, c.BrokerGroupName(g), v1alpha1.ComponentBroker, g, waveBrokers),
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			// Slaves must reach the master's HA port, and clients a
			// broker's registered name, before the pod is Ready.
			PublishNotReadyAddresses: true,
			Selector:                 c.SelectorLabels(v1alpha1.ComponentBroker, g),
			Ports:                    brokerServicePorts(),
		},
	}
	protectData(&svc.ObjectMeta)
	return svc
}

func brokerServicePorts() []corev1.ServicePort {
	return []corev1.ServicePort{
		tcpServicePort(portNameRemoting, v1alpha1.PortBroker),
		tcpServicePort(portNameVIP, v1alpha1.PortBrokerVIP),
		tcpServicePort(portNameHA, v1alpha1.PortBrokerHA),
	}
}

func brokerContainerPorts(c *v1alpha1.RocketMQCluster) []corev1.ContainerPort {
	ports := []corev1.ContainerPort{
		containerPort(portNameRemoting, v1alpha1.PortBroker),
		containerPort(portNameVIP, v1alpha1.PortBrokerVIP),
		containerPort(portNameHA, v1alpha1.PortBrokerHA),
	}
	if c.Spec.Metrics.Enabled {
		ports = append(ports, containerPort(portNameMetrics, v1alpha1.PortMetrics))
	}
	return ports
}

func brokerStatefulSet(c *v1alpha1.RocketMQCluster, g int32, hash string) (*appsv1.StatefulSet, error) {
	b := c.Spec.Broker
	name := c.BrokerGroupName(g)
	vct, err := storeClaim(b.Storage, "20Gi")
	if err != nil {
		return nil, fmt.Errorf("broker group %d storage: %w", g, err)
	}
	vols, mounts := configuredVolumes(name)
	mounts = append(mounts, storeMount())

	env := append(rocketmqEnv(c, jvmOptions(b.JVM.Heap, b.JVM.DirectMemory)+" "+brokerDNSCacheOption), aclEnv(c)...)
	ctr := rocketmqContainer(c, v1alpha1.ComponentBroker, brokerStartScript(c, g), env, b.Resources)
	ctr.Ports = brokerContainerPorts(c)
	ctr.VolumeMounts = mounts
	ctr.Lifecycle = stopJavaLifecycle()
	// A broker replays its commit log after an unclean stop: allow up to
	// 15 minutes to start, then be strict.
	withProbes(&ctr, portNameRemoting, probeTiming{startupPeriod: 10, startupFailures: 90, livenessPeriod: 15, livenessFails: 4})
	ctr.ReadinessProbe.SuccessThreshold = brokerReadinessSuccesses

	spec := podSpec(c, v1alpha1.ComponentBroker, g, effectivePlacement(c.Spec.Placement, b.Placement), ctr, vols)
	spec.TerminationGracePeriodSeconds = ptr.To[int64](brokerGracePeriod)

	// MasterSlave: start the master (ordinal 0) before its slaves; a
	// rolling update goes from the highest ordinal down, so the master
	// restarts last. In Controller mode the quorum elects the master, so
	// all start at once.
	policy := appsv1.OrderedReadyPodManagement
	if isControllerMode(c) {
		policy = appsv1.ParallelPodManagement
	}
	sts := statefulSet(c, name, v1alpha1.ComponentBroker, g, waveBrokers, int32Or(b.ReplicasPerGroup, 1), policy, spec)
	withData(sts, vct)
	sts.Spec.Template.Annotations = map[string]string{AnnotationConfigHash: hash}
	return sts, nil
}

// storeClaim is the volume claim template of a data-holding component.
func storeClaim(s v1alpha1.StorageSpec, defaultSize string) (corev1.PersistentVolumeClaim, error) {
	size := resource.MustParse(defaultSize)
	if s.Size != nil {
		size = s.Size.DeepCopy()
	}
	if size.Sign() <= 0 {
		return corev1.PersistentVolumeClaim{}, fmt.Errorf("size %s is not positive", size.String())
	}
	return corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{Name: volStore},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: s.StorageClassName,
			Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: size},
			},
		},
	}, nil
}

// withData makes a StatefulSet hold data safely: a volume claim template,
// claims retained when the StatefulSet is deleted or scaled in, and the
// annotations that keep Argo CD and Flux from pruning it.
func withData(sts *appsv1.StatefulSet, claim corev1.PersistentVolumeClaim) {
	sts.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{claim}
	sts.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
		WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
		WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
	}
	protectData(&sts.ObjectMeta)
}
