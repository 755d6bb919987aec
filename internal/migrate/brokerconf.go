package migrate

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/javaprops"
)

// brokerCommonConf is the file the operator mounts from spec.volumes[0]
// (broker_controller.go) and its image's brokerGenConfig.sh reads.
const brokerCommonConf = "broker-common.conf"

// envBrokerMem is the operator image's broker JVM option variable.
const envBrokerMem = "BROKER_MEM"

// operatorIdentityKeys are the broker.conf keys brokerGenConfig.sh
// deletes and writes itself, whatever the ConfigMap says.
var operatorIdentityKeys = map[string]bool{"brokerclustername": true, "brokername": true, "brokerid": true}

// brokerVolumes reads broker-common.conf from the ConfigMap of volumes[0],
// the only volume the operator mounts.
func (cv *converter) brokerVolumes(ref resourceRef, s *brokerSpec) error {
	for i, v := range s.Volumes {
		field := fmt.Sprintf("spec.volumes[%d]", i)
		if i == 0 && v.ConfigMap != nil {
			if err := cv.brokerConf(ref, field, v.ConfigMap); err != nil {
				return err
			}
			continue
		}
		cv.report.dropped(ref, field, "volume %s: the operator mounts only volumes[0], as broker-common.conf from a ConfigMap; not carried over", v.Name)
	}
	return nil
}

func (cv *converter) brokerConf(ref resourceRef, field string, src *corev1.ConfigMapVolumeSource) error {
	key := brokerCommonConf
	for _, it := range src.Items {
		if it.Path == brokerCommonConf {
			key = it.Key
		}
	}
	cm := cv.configMap(ref.Namespace, src.Name)
	if cm == nil {
		cv.report.dropped(ref, field, "broker-common.conf is in ConfigMap %s, which is not among the inputs: add it "+
			"(kubectl get configmap %s -o yaml) to carry its entries over to spec.broker.config", src.Name, src.Name)
		return nil
	}
	text, ok := cm.Data[key]
	if !ok {
		cv.report.dropped(ref, field, "ConfigMap %s has no key %s: no broker settings carried over", src.Name, key)
		return nil
	}
	props := javaprops.Decode([]byte(text))
	for _, k := range sortedKeys(props) {
		if err := cv.brokerSetting(ref, fmt.Sprintf("ConfigMap %s key %s: %s", src.Name, key, k), k, props[k]); err != nil {
			return err
		}
	}
	return nil
}

// brokerSetting carries one broker.conf entry over: to a typed field when
// the API has one, to spec.broker.config otherwise, or to the report when
// the renderer owns the key.
func (cv *converter) brokerSetting(ref resourceRef, field, key, value string) error {
	b := &cv.cluster.Spec.Broker
	switch {
	case operatorIdentityKeys[strings.ToLower(key)]:
		cv.report.dropped(ref, field, "the operator overwrote it too (brokerGenConfig.sh); the new brokers are %s-broker-<group> in cluster %s",
			cv.cluster.Name, cv.cluster.Name)
	case strings.EqualFold(key, "brokerRole"):
		return cv.brokerRole(ref, field, value)
	case strings.EqualFold(key, v1alpha1.ConfigKeyFlushDiskType):
		t := v1alpha1.FlushDiskType(value)
		if t != v1alpha1.FlushAsync && t != v1alpha1.FlushSync {
			return fmt.Errorf("%s: %s: %q is not ASYNC_FLUSH or SYNC_FLUSH: correct it in the ConfigMap", ref, field, value)
		}
		b.FlushDiskType = t
	default:
		if setBy, owned := v1alpha1.OwnedConfigKeyFor(key); owned {
			cv.report.dropped(ref, field, "the renderer sets it from %s", setBy)
			return nil
		}
		if b.Config == nil {
			b.Config = map[string]v1alpha1.ConfigValue{}
		}
		b.Config[key] = v1alpha1.ConfigValue(value)
	}
	return nil
}

// brokerRole maps the masters' role to spec.broker.replicationMode.
func (cv *converter) brokerRole(ref resourceRef, field, value string) error {
	b := &cv.cluster.Spec.Broker
	if b.Mode == v1alpha1.BrokerModeController {
		cv.report.dropped(ref, field, "%s: in Controller mode the Controller elects masters; brokerRole is not used", value)
		return nil
	}
	switch value {
	case "ASYNC_MASTER":
		b.ReplicationMode = v1alpha1.ReplicationAsync
	case "SYNC_MASTER":
		b.ReplicationMode = v1alpha1.ReplicationSync
	case "SLAVE":
		cv.report.changed(ref, field, "SLAVE on every pod leaves no master; the new cluster makes pod 0 of each group the master (ASYNC_MASTER)")
	default:
		return fmt.Errorf("%s: %s: %q is not ASYNC_MASTER, SYNC_MASTER or SLAVE: correct it in the ConfigMap", ref, field, value)
	}
	return nil
}

// brokerMem reads BROKER_MEM, given as a value or from a ConfigMap key.
func (cv *converter) brokerMem(ref resourceRef, field string, e corev1.EnvVar) error {
	value, from, ok := cv.envValue(ref, field, e)
	if !ok {
		return nil
	}
	jvm, rest, err := jvmFromOptions(value)
	if err != nil {
		return fmt.Errorf("%s: %s (%s%s): %w: correct it", ref, field, envBrokerMem, from, err)
	}
	b := &cv.cluster.Spec.Broker
	if fits, why := heapFits(jvm, &b.Resources, brokerDefaultJVM); !fits {
		return fmt.Errorf("%s: %s (%s%s): %s", ref, field, envBrokerMem, from, why)
	}
	b.JVM = jvm
	if len(rest) > 0 {
		cv.report.dropped(ref, field, "%s%s: JVM options %s: the API sizes only the heap and direct memory (spec.broker.jvm); "+
			"the renderer chooses the rest", envBrokerMem, from, strings.Join(rest, " "))
	}
	return nil
}

// envValue resolves an env var's value, from a ConfigMap among the inputs
// when it is a configMapKeyRef; anything else is reported.
func (cv *converter) envValue(ref resourceRef, field string, e corev1.EnvVar) (value, from string, ok bool) {
	if e.ValueFrom == nil {
		return e.Value, "", true
	}
	k := e.ValueFrom.ConfigMapKeyRef
	if k == nil {
		cv.report.dropped(ref, field, "%s: only a value or a ConfigMap key can be read; not carried over", e.Name)
		return "", "", false
	}
	cm := cv.configMap(ref.Namespace, k.Name)
	if cm == nil {
		cv.report.dropped(ref, field, "%s comes from ConfigMap %s, which is not among the inputs: add it to carry the value over", e.Name, k.Name)
		return "", "", false
	}
	v, found := cm.Data[k.Key]
	if !found {
		cv.report.dropped(ref, field, "%s: ConfigMap %s has no key %s", e.Name, k.Name, k.Key)
		return "", "", false
	}
	return v, " from ConfigMap " + k.Name, true
}

// configMap finds a ConfigMap among the inputs in namespace, or given
// without a namespace (a hand-written file).
func (cv *converter) configMap(namespace, name string) *corev1.ConfigMap {
	for _, key := range []string{namespace + "/" + name, "/" + name} {
		if cm := cv.in.configMaps[key]; cm != nil {
			cv.usedConfigMaps[key] = true
			return cm
		}
	}
	return nil
}
