package render

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Paths inside the apache/rocketmq image (user rocketmq, uid 3000, home
// /home/rocketmq). The root filesystem is read-only, so every path a
// process writes is a volume.
const (
	rocketmqUID   = 3000
	homeDir       = "/home/rocketmq"
	logsDir       = homeDir + "/logs"  // logback: ${user.home}/logs/rocketmqlogs
	storeDir      = homeDir + "/store" // storePathRootDir, controllerStorePath
	confDir       = homeDir + "/conf"  // writable copy of the config the process runs with
	templateDir   = "/etc/rocketmq"    // the ConfigMap, read-only
	tmpDir        = "/tmp"             // JVM perf data, RocksDB native library extraction
	volLogs       = "logs"
	volTmp        = "tmp"
	volConf       = "conf"
	volTemplate   = "config-template"
	volStore      = "store"
	envPodName    = "POD_NAME"
	envPodNS      = "POD_NAMESPACE"
	envJavaOptExt = "JAVA_OPT_EXT"
)

// image is the one RocketMQ image that runs NameServer, Controller, broker
// and Proxy.
func image(c *v1alpha1.RocketMQCluster) string {
	repo := c.Spec.Image
	if repo == "" {
		repo = v1alpha1.DefaultImage
	}
	return repo + ":" + version(c)
}

func version(c *v1alpha1.RocketMQCluster) string {
	if c.Spec.Version == "" {
		return v1alpha1.DefaultVersion
	}
	return c.Spec.Version
}

// rocketmqHome is where the image unpacks RocketMQ; the start scripts live
// in its bin directory.
func rocketmqHome(c *v1alpha1.RocketMQCluster) string {
	return homeDir + "/rocketmq-" + version(c)
}

// podSecurityContext meets the restricted Pod Security profile. fsGroup
// makes the store volume writable by the image's user.
func podSecurityContext() *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot:        ptr.To(true),
		RunAsUser:           ptr.To[int64](rocketmqUID),
		RunAsGroup:          ptr.To[int64](rocketmqUID),
		FSGroup:             ptr.To[int64](rocketmqUID),
		FSGroupChangePolicy: ptr.To(corev1.FSGroupChangeOnRootMismatch),
		SeccompProfile:      &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// containerSecurityContext meets the restricted profile and makes the root
// filesystem read-only.
func containerSecurityContext() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		RunAsNonRoot:             ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// probeTiming says how long a process may take to start and how patient
// liveness is once it runs.
type probeTiming struct {
	startupPeriod, startupFailures int32
	livenessPeriod, livenessFails  int32
}

// tcpProbes are startup, readiness and liveness probes on one port. A TCP
// check is what every RocketMQ process offers without credentials (with ACL
// on, a remoting call needs a signature). The startup probe absorbs slow
// starts (brokers recover their commit log) so liveness can stay strict.
func tcpProbes(port string, t probeTiming) (startup, readiness, liveness *corev1.Probe) {
	handler := corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(port)}}
	startup = &corev1.Probe{ProbeHandler: handler, PeriodSeconds: t.startupPeriod, FailureThreshold: t.startupFailures, TimeoutSeconds: 3}
	readiness = &corev1.Probe{ProbeHandler: handler, PeriodSeconds: 10, FailureThreshold: 3, TimeoutSeconds: 3}
	liveness = &corev1.Probe{ProbeHandler: handler, PeriodSeconds: t.livenessPeriod, FailureThreshold: t.livenessFails, TimeoutSeconds: 5}
	return startup, readiness, liveness
}

// withProbes sets a container's three probes.
func withProbes(ctr *corev1.Container, port string, t probeTiming) {
	ctr.StartupProbe, ctr.ReadinessProbe, ctr.LivenessProbe = tcpProbes(port, t)
}

// jvmOptions is the JAVA_OPT_EXT value. The start scripts append
// JAVA_OPT_EXT last and HotSpot lets the last flag win, so these override
// the image's fixed sizes. -Xmn is set to half the heap because the image's
// scripts hard-code -Xmn (512M or 1g), which would be the whole heap or more
// for small heaps. The error file goes to the logs volume: the working
// directory ($ROCKETMQ_HOME/bin) is read-only.
//
// GC logs move from /dev/shm to the logs volume: the image's scripts write
// -Xloggc:/dev/shm/... (runserver.sh without rotation, so the file grows
// for the life of the process), and /dev/shm is a tmpfs charged to the
// container's memory cgroup, so a long-running NameServer or Proxy would
// drift towards its OOM kill. The image runs JDK 8 (eclipse-temurin:8),
// whose -Xloggc and rotation flags these are; five files of 20 MiB bound
// the volume's use.
func jvmOptions(heap, direct *resource.Quantity) string {
	var opts []string
	if heap != nil && heap.Sign() > 0 {
		h := javaSize(heap.Value())
		opts = append(opts, "-Xms"+h, "-Xmx"+h, "-Xmn"+javaSize(heap.Value()/2))
	}
	if direct != nil && direct.Sign() > 0 {
		opts = append(opts, "-XX:MaxDirectMemorySize="+javaSize(direct.Value()))
	}
	opts = append(opts, "-XX:ErrorFile="+logsDir+"/hs_err_pid%p.log")
	opts = append(opts, gcLogOptions)
	return strings.Join(opts, " ")
}

// gcLogOptions send GC logs to the logs volume, rotated and bounded.
const gcLogOptions = "-Xloggc:" + logsDir + "/gc.log -XX:+UseGCLogFileRotation -XX:NumberOfGCLogFiles=5 -XX:GCLogFileSize=20m"

// javaSize writes a byte count in the largest JVM unit that divides it
// exactly (g, m, k), so 1Gi becomes 1g and 1536Mi becomes 1536m.
func javaSize(b int64) string {
	units := []struct {
		suffix string
		size   int64
	}{{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}}
	for _, u := range units {
		if b >= u.size && b%u.size == 0 {
			return strconv.FormatInt(b/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(b, 10)
}

// rocketmqEnv is the env every RocketMQ container gets: its identity from
// the downward API (the start scripts derive ordinals and DNS names from
// it), ROCKETMQ_HOME, and the JVM options.
func rocketmqEnv(c *v1alpha1.RocketMQCluster, javaOpts string) []corev1.EnvVar {
	return []corev1.EnvVar{
		fieldEnv(envPodName, "metadata.name"),
		fieldEnv(envPodNS, "metadata.namespace"),
		{Name: "ROCKETMQ_HOME", Value: rocketmqHome(c)},
		{Name: envJavaOptExt, Value: javaOpts},
	}
}

func fieldEnv(name, path string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: path},
	}}
}

// secretEnv reads one key of the ACL admin Secret.
func secretEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: secret},
			Key:                  key,
		},
	}}
}

// aclEnv exposes the admin credentials to a start script as ACL_USERNAME
// and ACL_PASSWORD, or nothing when ACL is off.
func aclEnv(c *v1alpha1.RocketMQCluster) []corev1.EnvVar {
	ref := c.Spec.ACL.AdminSecretRef
	if !c.Spec.ACL.Enabled || ref == nil {
		return nil
	}
	user, pass := ref.UsernameKey, ref.PasswordKey
	if user == "" {
		user = "username"
	}
	if pass == "" {
		pass = "password"
	}
	return []corev1.EnvVar{secretEnv(envACLUser, ref.Name, user), secretEnv(envACLPassword, ref.Name, pass)}
}

// aclEnabled says whether ACL 2.0 is on and has credentials to use.
func aclEnabled(c *v1alpha1.RocketMQCluster) bool {
	return c.Spec.ACL.Enabled && c.Spec.ACL.AdminSecretRef != nil
}

// emptyDir is a scratch volume.
func emptyDir(name string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
}

// configMapVolume mounts a component's ConfigMap.
func configMapVolume(name, configMap string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
		ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: configMap}},
	}}
}

// scratchVolumes are the writable volumes every RocketMQ process needs on a
// read-only root filesystem.
func scratchVolumes() ([]corev1.Volume, []corev1.VolumeMount) {
	return []corev1.Volume{emptyDir(volLogs), emptyDir(volTmp)},
		[]corev1.VolumeMount{{Name: volLogs, MountPath: logsDir}, {Name: volTmp, MountPath: tmpDir}}
}

// configuredVolumes are the scratch volumes plus the component's ConfigMap
// (read-only template) and the writable directory the start script copies
// it into.
func configuredVolumes(configMap string) ([]corev1.Volume, []corev1.VolumeMount) {
	vols, mounts := scratchVolumes()
	vols = append(vols, emptyDir(volConf), configMapVolume(volTemplate, configMap))
	mounts = append(mounts,
		corev1.VolumeMount{Name: volConf, MountPath: confDir},
		corev1.VolumeMount{Name: volTemplate, MountPath: templateDir, ReadOnly: true})
	return vols, mounts
}

// storeMount mounts the volume claim template's volume as the store.
func storeMount() corev1.VolumeMount { return corev1.VolumeMount{Name: volStore, MountPath: storeDir} }

// rocketmqContainer is the common part of the NameServer, Controller,
// broker and Proxy containers.
func rocketmqContainer(c *v1alpha1.RocketMQCluster, name string, script string, env []corev1.EnvVar, res corev1.ResourceRequirements) corev1.Container {
	return corev1.Container{
		Name:            name,
		Image:           image(c),
		ImagePullPolicy: c.Spec.ImagePullPolicy,
		Command:         []string{"sh", "-c", script},
		WorkingDir:      rocketmqHome(c) + "/bin",
		Env:             env,
		Resources:       *res.DeepCopy(),
		SecurityContext: containerSecurityContext(),
	}
}

// podSpec is the shared pod shape: security, pull secrets, placement, no
// service account token (no RocketMQ process talks to the Kubernetes API),
// and no service links: Kubernetes would add <SERVICE>_PORT-style variables
// for every Service in the namespace, which Spring Boot (the dashboard)
// binds as configuration (a Service named "server" would set server.port).
func podSpec(c *v1alpha1.RocketMQCluster, component string, group int32, p v1alpha1.Placement, ctr corev1.Container, vols []corev1.Volume) corev1.PodSpec {
	spec := corev1.PodSpec{
		Containers:                   []corev1.Container{ctr},
		Volumes:                      vols,
		SecurityContext:              podSecurityContext(),
		AutomountServiceAccountToken: ptr.To(false),
		EnableServiceLinks:           ptr.To(false),
		ImagePullSecrets:             append([]corev1.LocalObjectReference(nil), c.Spec.ImagePullSecrets...),
	}
	applyPlacement(&spec, p, c.SelectorLabels(component, group))
	return spec
}

func intstrFromName(name string) intstr.IntOrString { return intstr.FromString(name) }
