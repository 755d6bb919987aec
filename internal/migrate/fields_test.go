package migrate

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// everyField sets every spec field of the operator's Broker, NameService
// and Controller CRDs (apache/rocketmq-operator pkg/apis/rocketmq/v1alpha1).
const everyField = `apiVersion: rocketmq.apache.org/v1alpha1
kind: Broker
metadata: {name: b, namespace: ns}
spec:
  size: 1
  nameServers: "10.0.0.1:9876"
  clusterMode: CONTROLLER
  replicaPerGroup: 2
  brokerImage: apache/rocketmq:5.3.1
  imagePullPolicy: Always
  hostNetwork: true
  allowRestart: true
  resources: {limits: {memory: 8Gi}}
  storageMode: StorageClass
  hostPath: /data
  env: [{name: BROKER_MEM, value: "-Xmx2g"}, {name: OTHER, value: x}]
  volumes: [{name: conf, configMap: {name: missing}}]
  volumeClaimTemplates: [{metadata: {name: s}, spec: {resources: {requests: {storage: 10Gi}}}}]
  scalePodName: b-0-0-0
  securityContext: {runAsUser: 0}
  podAnnotations: {a: b}
  containerSecurityContext: {privileged: true}
  imagePullSecrets: [{name: pull}]
  affinity: {nodeAffinity: {}}
  tolerations: [{key: k, operator: Exists}]
  nodeSelector: {pool: mq}
  priorityClassName: high
  serviceAccountName: sa
---
apiVersion: rocketmq.apache.org/v1alpha1
kind: NameService
metadata: {name: n, namespace: ns}
spec:
  size: 3
  nameServiceImage: apache/rocketmq:5.3.1
  imagePullPolicy: Always
  hostNetwork: true
  dnsPolicy: Default
  resources: {limits: {memory: 2Gi}}
  storageMode: EmptyDir
  hostPath: /data
  env: [{name: JAVA_OPT_EXT, value: x}]
  volumeClaimTemplates: [{metadata: {name: s}, spec: {resources: {requests: {storage: 1Gi}}}}]
  securityContext: {runAsUser: 0}
  podAnnotations: {a: b}
  containerSecurityContext: {privileged: true}
  imagePullSecrets: [{name: pull2}]
  affinity: {nodeAffinity: {}}
  tolerations: [{key: k, operator: Exists}]
  nodeSelector: {pool: mq}
  priorityClassName: high
  serviceAccountName: sa
status:
  nameServers: ["10.0.0.1:9876"]
---
apiVersion: rocketmq.apache.org/v1alpha1
kind: Controller
metadata: {name: c, namespace: ns}
spec:
  size: 3
  controllerImage: apache/rocketmq:5.3.1
  imagePullPolicy: Always
  resources: {limits: {memory: 2Gi}}
  storageMode: HostPath
  hostPath: /data
  env: [{name: X, value: x}]
  volumeClaimTemplates: [{metadata: {name: s}, spec: {resources: {requests: {storage: 1Gi}}}}]
  securityContext: {runAsUser: 0}
  podAnnotations: {a: b}
  containerSecurityContext: {privileged: true}
  imagePullSecrets: [{name: pull}]
  affinity: {nodeAffinity: {}}
  tolerations: [{key: k, operator: Exists}]
  nodeSelector: {pool: mq}
  priorityClassName: high
  serviceAccountName: sa
`

// TestEveryOperatorFieldIsHandled: no field of the operator's CRDs is
// mistaken for an unknown one, and every field the converter reads is one
// of the above (so that the list stays complete when a field is added to
// the Go types).
func TestEveryOperatorFieldIsHandled(t *testing.T) {
	in := &Inputs{}
	require.NoError(t, Parse([]byte(everyField), in))
	res, err := Convert(in, Options{})
	require.NoError(t, err)
	for _, e := range res.Report.Entries {
		require.NotContains(t, e.Message, "not a field of the operator's", "%s %s", e.Resource, e.Field)
	}
	for _, typ := range []reflect.Type{reflect.TypeOf(brokerSpec{}), reflect.TypeOf(nameServiceSpec{}), reflect.TypeOf(controllerSpec{})} {
		for _, name := range jsonNames(typ) {
			require.Contains(t, everyField, "\n  "+name+":", "%s.%s is not in the test input", typ.Name(), name)
		}
	}
	// What is reported, field by field, for the Broker.
	var brokerFields []string
	for _, e := range res.Report.Entries {
		if strings.HasPrefix(e.Resource, "Broker ") {
			brokerFields = append(brokerFields, e.Field)
		}
	}
	require.Equal(t, []string{"spec.affinity", "spec.allowRestart", "spec.containerSecurityContext", "spec.env[1]",
		"spec.hostNetwork", "spec.nameServers", "spec.podAnnotations", "spec.securityContext", "spec.serviceAccountName",
		"spec.volumes[0]"}, brokerFields)
}

// jsonNames lists a struct's JSON field names, embedded structs included.
func jsonNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, jsonNames(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}
