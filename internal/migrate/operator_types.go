package migrate

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OperatorGroup is the API group of the Apache RocketMQ Operator
// (apache/rocketmq-operator, pkg/apis/rocketmq/v1alpha1).
const OperatorGroup = "rocketmq.apache.org"

// The operator's kinds.
const (
	kindNameService   = "NameService"
	kindBroker        = "Broker"
	kindController    = "Controller"
	kindConsole       = "Console"
	kindTopicTransfer = "TopicTransfer"
)

// The operator's storageMode values (any other value behaves as HostPath
// in its controllers).
const (
	storageEmptyDir     = "EmptyDir"
	storageHostPath     = "HostPath"
	storageStorageClass = "StorageClass"
)

// The operator's Broker clusterMode values; empty means STATIC.
const (
	clusterModeStatic     = "STATIC"
	clusterModeController = "CONTROLLER"
)

// podFields are the pod-level fields every operator kind but Console has.
// Only the fields the converter reads are declared; the rest of a spec is
// found through the raw map (see fieldSet).
type podFields struct {
	ImagePullPolicy          corev1.PullPolicy              `json:"imagePullPolicy,omitempty"`
	Resources                corev1.ResourceRequirements    `json:"resources,omitempty"`
	StorageMode              string                         `json:"storageMode,omitempty"`
	HostPath                 string                         `json:"hostPath,omitempty"`
	Env                      []corev1.EnvVar                `json:"env,omitempty"`
	VolumeClaimTemplates     []corev1.PersistentVolumeClaim `json:"volumeClaimTemplates,omitempty"`
	ImagePullSecrets         []corev1.LocalObjectReference  `json:"imagePullSecrets,omitempty"`
	Tolerations              []corev1.Toleration            `json:"tolerations,omitempty"`
	NodeSelector             map[string]string              `json:"nodeSelector,omitempty"`
	PriorityClassName        string                         `json:"priorityClassName,omitempty"`
	Affinity                 *corev1.Affinity               `json:"affinity,omitempty"`
	SecurityContext          *corev1.PodSecurityContext     `json:"securityContext,omitempty"`
	ContainerSecurityContext *corev1.SecurityContext        `json:"containerSecurityContext,omitempty"`
	PodAnnotations           map[string]string              `json:"podAnnotations,omitempty"`
	ServiceAccountName       string                         `json:"serviceAccountName,omitempty"`
}

// nameServiceSpec is NameServiceSpec (nameservice_types.go).
type nameServiceSpec struct {
	Size             int32            `json:"size"`
	NameServiceImage string           `json:"nameServiceImage,omitempty"`
	HostNetwork      bool             `json:"hostNetwork,omitempty"`
	DNSPolicy        corev1.DNSPolicy `json:"dnsPolicy,omitempty"`
	podFields        `json:",inline"`
}

// nameServiceStatus holds the NameServers' pod IPs, "ip:9876" each.
type nameServiceStatus struct {
	NameServers []string `json:"nameServers,omitempty"`
}

type nameService struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              nameServiceSpec   `json:"spec"`
	Status            nameServiceStatus `json:"status"`
}

// brokerSpec is BrokerSpec (broker_types.go).
type brokerSpec struct {
	Size            int32           `json:"size"`
	NameServers     string          `json:"nameServers,omitempty"`
	ClusterMode     string          `json:"clusterMode,omitempty"`
	ReplicaPerGroup int32           `json:"replicaPerGroup"`
	BrokerImage     string          `json:"brokerImage,omitempty"`
	HostNetwork     bool            `json:"hostNetwork,omitempty"`
	AllowRestart    bool            `json:"allowRestart,omitempty"`
	Volumes         []corev1.Volume `json:"volumes,omitempty"`
	ScalePodName    string          `json:"scalePodName,omitempty"`
	podFields       `json:",inline"`
}

type broker struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              brokerSpec `json:"spec"`
}

// controllerSpec is ControllerSpec (controller_types.go): a DLedger quorum.
type controllerSpec struct {
	Size            int32  `json:"size"`
	ControllerImage string `json:"controllerImage,omitempty"`
	podFields       `json:",inline"`
}

type controller struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              controllerSpec `json:"spec"`
}

// consoleSpec is ConsoleSpec (console_types.go): a whole Deployment.
type consoleSpec struct {
	NameServers       string            `json:"nameServers,omitempty"`
	ConsoleDeployment appsv1.Deployment `json:"consoleDeployment"`
}

type console struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              consoleSpec `json:"spec"`
}
