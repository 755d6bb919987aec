package render

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

const (
	proxyConfFile = "rmq-proxy.json"
	// offsetsDir is where the Proxy's broadcasting system-message consumers
	// keep their offsets (the RocketMQ client's LocalFileOffsetStore,
	// ${user.home}/.rocketmq_offsets); they are only positions in internal
	// sync topics, so a scratch volume suffices.
	offsetsDir   = homeDir + "/.rocketmq_offsets"
	volOffsets   = "offsets"
	portNameGRPC = "grpc"
	// Proxy-side ACL 2.0 metadata providers: the Proxy asks the brokers.
	proxyAuthnMetadata = "org.apache.rocketmq.proxy.auth.ProxyAuthenticationMetadataProvider"
	proxyAuthzMetadata = "org.apache.rocketmq.proxy.auth.ProxyAuthorizationMetadataProvider"
)

// proxyObjects are the Proxy's ConfigMap, Service, Deployment and
// PodDisruptionBudget.
func proxyObjects(c *v1alpha1.RocketMQCluster) ([]runtime.Object, error) {
	cm, err := proxyConfigMap(c)
	if err != nil {
		return nil, err
	}
	objs := []runtime.Object{cm, proxyService(c), proxyDeployment(c, ConfigHash(cm.Data))}
	if pdbEnabled(c) {
		objs = append(objs, podDisruptionBudget(c, c.ProxyName(), v1alpha1.ComponentProxy, -1, waveAccess))
	}
	return objs, nil
}

// proxyConfig is rmq-proxy.json. The Proxy has no DNS lookup of its
// NameServer list, so it gets every NameServer pod's stable DNS name; a
// NameServer scale rolls the (stateless) Proxy.
func proxyConfig(c *v1alpha1.RocketMQCluster) map[string]any {
	cfg := map[string]any{
		"rocketMQClusterName": c.Name,
		"namesrvAddr":         nameServerPodAddresses(c),
		"proxyMode":           "CLUSTER",
		"remotingListenPort":  c.Spec.Proxy.RemotingListenPort(),
		"grpcServerPort":      v1alpha1.PortProxyGRPC,
	}
	if e := c.Spec.Proxy.External; e != nil {
		// ProxyConfig.initData falls back to the pod IP, and
		// GetTopicRouteActivity sends remoting clients to
		// remotingAccessAddr:remotingListenPort.
		cfg["remotingAccessAddr"] = e.Address
	}
	if c.Spec.Metrics.Enabled {
		cfg["metricsExporterType"] = metricsExporterPROM
		cfg["metricsPromExporterHost"] = metricsListenAllHosts
		cfg["metricsPromExporterPort"] = v1alpha1.PortMetrics
	}
	if aclEnabled(c) {
		cfg["authenticationEnabled"] = true
		cfg["authenticationProvider"] = authnProvider
		cfg["authenticationMetadataProvider"] = proxyAuthnMetadata
		cfg["authorizationEnabled"] = true
		cfg["authorizationProvider"] = authzProvider
		cfg["authorizationMetadataProvider"] = proxyAuthzMetadata
	}
	return cfg
}

func proxyConfigMap(c *v1alpha1.RocketMQCluster) (*corev1.ConfigMap, error) {
	b, err := json.MarshalIndent(proxyConfig(c), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", proxyConfFile, err)
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(c, c.ProxyName(), v1alpha1.ComponentProxy, -1, waveAccess),
		Data:       map[string]string{proxyConfFile: string(b) + "\n"},
	}, nil
}

// proxyCredentialsSnippet adds innerClientAuthenticationCredentials (a JSON
// document inside a JSON string) to the copied rmq-proxy.json: it drops the
// closing brace of the rendered file and appends the entry and the brace.
const proxyCredentialsSnippet = `inner=$(printf '{"accessKey":"%s","secretKey":"%s"}' "$acl_user" "$acl_pass")
inner=$(json_escape "$inner")
sed '$d' "` + templateDir + `/` + proxyConfFile + `" > "$conf"
printf ',\n  "innerClientAuthenticationCredentials": "%s"\n}\n' "$inner" >> "$conf"
`

func proxyStartScript(c *v1alpha1.RocketMQCluster) string {
	parts := []string{copyTemplate(proxyConfFile)}
	if aclEnabled(c) {
		parts = append(parts, credentialsSnippet, proxyCredentialsSnippet)
	}
	parts = append(parts, execLine("mqproxy", "-pc", `"$conf"`))
	return script(parts...)
}

// proxyService exposes remoting and gRPC. With proxy.external, the
// remoting port outside the cluster must be the Proxy's listen port (it is
// what the Proxy advertises): the LoadBalancer's Service port, or the node
// port of a NodePort Service.
func proxyService(c *v1alpha1.RocketMQCluster) *corev1.Service {
	p := &c.Spec.Proxy
	remoting := tcpServicePort(portNameRemoting, v1alpha1.PortProxyRemoting)
	grpc := tcpServicePort(portNameGRPC, v1alpha1.PortProxyGRPC)
	if e := p.External; e != nil {
		if p.EffectiveServiceType() == corev1.ServiceTypeNodePort {
			remoting.NodePort = p.RemotingListenPort()
			grpc.NodePort = ptr.Deref(e.GRPCPort, 0)
		} else {
			remoting.Port = p.RemotingListenPort()
			grpc.Port = ptr.Deref(e.GRPCPort, v1alpha1.PortProxyGRPC)
		}
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(c, c.ProxyName(), v1alpha1.ComponentProxy, -1, waveAccess),
		Spec: corev1.ServiceSpec{
			Type:     p.EffectiveServiceType(),
			Selector: c.SelectorLabels(v1alpha1.ComponentProxy, -1),
			Ports:    []corev1.ServicePort{remoting, grpc},
		},
	}
}

func proxyDeployment(c *v1alpha1.RocketMQCluster, hash string) *appsv1.Deployment {
	p := c.Spec.Proxy
	vols, mounts := configuredVolumes(c.ProxyName())
	vols = append(vols, emptyDir(volOffsets))
	mounts = append(mounts, corev1.VolumeMount{Name: volOffsets, MountPath: offsetsDir})

	env := append(rocketmqEnv(c, jvmOptions(p.JVM.Heap, p.JVM.DirectMemory)), aclEnv(c)...)
	ctr := rocketmqContainer(c, v1alpha1.ComponentProxy, proxyStartScript(c), env, p.Resources)
	ctr.Ports = []corev1.ContainerPort{
		containerPort(portNameRemoting, p.RemotingListenPort()),
		containerPort(portNameGRPC, v1alpha1.PortProxyGRPC),
	}
	if c.Spec.Metrics.Enabled {
		ctr.Ports = append(ctr.Ports, containerPort(portNameMetrics, v1alpha1.PortMetrics))
	}
	ctr.VolumeMounts = mounts
	ctr.Lifecycle = stopJavaLifecycle()
	// gRPC is what RocketMQ 5 clients use; it opens last during startup.
	withProbes(&ctr, portNameGRPC, probeTiming{startupPeriod: 5, startupFailures: 36, livenessPeriod: 10, livenessFails: 3})

	pod := podSpec(c, v1alpha1.ComponentProxy, -1, effectivePlacement(c.Spec.Placement, p.Placement), ctr, vols)
	pod.TerminationGracePeriodSeconds = ptr.To[int64](60)
	d := deployment(c, c.ProxyName(), v1alpha1.ComponentProxy, waveAccess, int32Or(p.Replicas, 2), pod)
	d.Spec.Template.Annotations = map[string]string{AnnotationConfigHash: hash}
	return d
}

// deployment wraps a pod spec of a stateless component.
func deployment(c *v1alpha1.RocketMQCluster, name, component, wave string, replicas int32, pod corev1.PodSpec) *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(c, name, component, -1, wave),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: c.SelectorLabels(component, -1)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: c.Labels(component, -1)},
				Spec:       pod,
			},
		},
	}
}
