package render

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

const portNameHTTP = "http"

// dashboardObjects are the dashboard's Service, Deployment and
// PodDisruptionBudget. It has no ConfigMap: rocketmq-dashboard is a Spring
// Boot application, configured here through environment variables, which
// Spring binds over its bundled application.yml.
func dashboardObjects(c *v1alpha1.RocketMQCluster) []runtime.Object {
	objs := []runtime.Object{dashboardService(c), dashboardDeployment(c)}
	if pdbEnabled(c) {
		objs = append(objs, podDisruptionBudget(c, c.DashboardName(), v1alpha1.ComponentDashboard, -1, waveAccess))
	}
	return objs
}

func dashboardService(c *v1alpha1.RocketMQCluster) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(c, c.DashboardName(), v1alpha1.ComponentDashboard, -1, waveAccess),
		Spec: corev1.ServiceSpec{
			Selector: c.SelectorLabels(v1alpha1.ComponentDashboard, -1),
			Ports:    []corev1.ServicePort{tcpServicePort(portNameHTTP, v1alpha1.PortDashboard)},
		},
	}
}

// dashboardEnv points the dashboard at the NameServers and Proxy.
//   - SERVER_PORT pins the port: the bundled application.yml moved from
//     8080 to 8082 between releases.
//   - rocketmq.config.namesrvAddrs is a list, and the dashboard uses its
//     first entry as the client's NameServer address; one entry holding the
//     `a;b` form gives the client every NameServer, with failover.
//   - The VIP channel is off: it needs the broker's port 10909 and brings
//     nothing to an admin console.
//   - JAVA_TOOL_OPTIONS (read by every JVM, whatever the image's entry
//     point) moves user.home, where the dashboard logs, to a writable volume;
//     the image may not know uid 3000.
func dashboardEnv(c *v1alpha1.RocketMQCluster) []corev1.EnvVar {
	env := []corev1.EnvVar{
		{Name: "SERVER_PORT", Value: "8080"},
		{Name: "ROCKETMQ_CONFIG_NAMESRVADDRS", Value: nameServerPodAddresses(c)},
		// The single-value key of dashboard releases before 2.0.
		{Name: "ROCKETMQ_CONFIG_NAMESRVADDR", Value: nameServerPodAddresses(c)},
		{Name: "ROCKETMQ_CONFIG_ISVIPCHANNEL", Value: "false"},
		{Name: "ROCKETMQ_CONFIG_DATAPATH", Value: tmpDir + "/rocketmq-console/data"},
		{Name: "JAVA_TOOL_OPTIONS", Value: "-Duser.home=" + homeDir + " -XX:ErrorFile=" + logsDir + "/hs_err_pid%p.log"},
	}
	if c.Spec.Proxy.Enabled {
		env = append(env, corev1.EnvVar{Name: "ROCKETMQ_CONFIG_PROXYADDRS",
			Value: serviceHost(c, c.ProxyName()) + ":8080"})
	}
	return append(env, dashboardACLEnv(c)...)
}

// dashboardACLEnv: with ACL the dashboard signs its admin calls with the
// admin credentials from the Secret, and requires a login checked against
// the brokers' ACL 2.0 users (authMode acl, rocketmq-dashboard 2.1+), so the
// admin credentials in the pod do not open the console to anyone who can
// reach its Service.
func dashboardACLEnv(c *v1alpha1.RocketMQCluster) []corev1.EnvVar {
	creds := aclEnv(c)
	if len(creds) == 0 {
		return nil
	}
	env := []corev1.EnvVar{
		{Name: "ROCKETMQ_CONFIG_LOGINREQUIRED", Value: "true"},
		{Name: "ROCKETMQ_CONFIG_AUTHMODE", Value: "acl"},
	}
	for _, e := range creds {
		e.Name = map[string]string{envACLUser: "ROCKETMQ_CONFIG_ACCESSKEY", envACLPassword: "ROCKETMQ_CONFIG_SECRETKEY"}[e.Name]
		env = append(env, e)
	}
	return env
}

func dashboardImage(c *v1alpha1.RocketMQCluster) string {
	if c.Spec.Dashboard.Image != "" {
		return c.Spec.Dashboard.Image
	}
	return v1alpha1.DefaultDashboardImage
}

func dashboardDeployment(c *v1alpha1.RocketMQCluster) *appsv1.Deployment {
	d := c.Spec.Dashboard
	vols, mounts := scratchVolumes()
	ctr := corev1.Container{
		Name:            v1alpha1.ComponentDashboard,
		Image:           dashboardImage(c),
		ImagePullPolicy: c.Spec.ImagePullPolicy,
		Env:             dashboardEnv(c),
		Ports:           []corev1.ContainerPort{containerPort(portNameHTTP, v1alpha1.PortDashboard)},
		Resources:       *d.Resources.DeepCopy(),
		VolumeMounts:    mounts,
		SecurityContext: containerSecurityContext(),
	}
	withProbes(&ctr, portNameHTTP, probeTiming{startupPeriod: 5, startupFailures: 36, livenessPeriod: 10, livenessFails: 3})
	pod := podSpec(c, v1alpha1.ComponentDashboard, -1, effectivePlacement(c.Spec.Placement, d.Placement), ctr, vols)
	pod.TerminationGracePeriodSeconds = ptr.To[int64](30)
	return deployment(c, c.DashboardName(), v1alpha1.ComponentDashboard, waveAccess, int32Or(d.Replicas, 1), pod)
}
