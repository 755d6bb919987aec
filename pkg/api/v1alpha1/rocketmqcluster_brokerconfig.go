package v1alpha1

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ConfigKeyFlushDiskType is the broker.conf key that spec.broker.flushDiskType
// mirrors; it is the one wiring-free key Default and Validate look into.
const ConfigKeyFlushDiskType = "flushDiskType"

// MaxBrokerConfigEntries bounds spec.broker.config, as the CRD's
// maxProperties does; RocketMQ has about 250 broker settings in all.
const MaxBrokerConfigEntries = 256

// ownedConfigKey is a broker.conf key, or key prefix, that the renderer
// writes itself; a user value would break identity, ports or wiring.
type ownedConfigKey struct {
	key     string // key as RocketMQ spells it, or a prefix when prefix is true
	prefix  bool
	setBy   string // the spec field (or fact) that sets it instead
	because string
}

// ownedConfigKeys lists every broker.conf key the renderer owns. RocketMQ
// loads properties by calling "set" + key with the first letter upper-cased
// (MixAll.properties2Object), so "BrokerName" sets brokerName too; keys are
// therefore matched without regard to case. The CRD's CEL rules on
// spec.broker.config hold the same list; a test keeps them in step.
var ownedConfigKeys = []ownedConfigKey{
	{key: "brokerName", setBy: "metadata.name and the group number", because: "it is the group's identity"},
	{key: "brokerClusterName", setBy: "metadata.name", because: "it is the cluster's identity"},
	{key: "brokerId", setBy: "the pod ordinal", because: "it is derived at container start"},
	{key: "brokerRole", setBy: "the pod ordinal and spec.broker.replicationMode", because: "it is derived at container start"},
	{key: "namesrvAddr", setBy: "spec.nameServer", because: "brokers find NameServers by their pod DNS names"},
	{key: "fetchNameSrvAddrByDnsLookup", setBy: "spec.nameServer", because: "NameServer discovery is wired by the renderer"},
	{key: "fetchNamesrvAddrByAddressServer", setBy: "spec.nameServer", because: "NameServer discovery is wired by the renderer"},
	{key: "listenPort", setBy: "the fixed broker ports (10911, HA 10912)", because: "Services and probes use them"},
	{key: "haListenPort", setBy: "the fixed broker ports (10911, HA 10912)", because: "Services and probes use them"},
	{key: "brokerIP1", setBy: "the pod DNS name", because: "brokers advertise stable DNS names, never pod IPs"},
	{key: "brokerIP2", setBy: "the pod DNS name", because: "brokers advertise stable DNS names, never pod IPs"},
	{key: "storePath", prefix: true, setBy: "spec.broker.storage", because: "the store lives on the pod's volume"},
	{key: "enableControllerMode", setBy: "spec.broker.mode and spec.controller", because: "the mode decides it"},
	{key: "controllerAddr", setBy: "spec.broker.mode and spec.controller", because: "Controller addresses are pod DNS names"},
	{key: "fetchControllerAddrByDnsLookup", setBy: "spec.broker.mode and spec.controller", because: "Controller discovery is wired by the renderer"},
	{key: "enableDLegerCommitLog", setBy: "spec.broker.mode (use Controller for automatic failover)", because: "DLedger commit-log mode is not supported"},
	{key: "aclEnable", setBy: "spec.acl", because: "ACL 1.0 is replaced by ACL 2.0"},
	{key: "authentication", prefix: true, setBy: "spec.acl", because: "ACL 2.0 is wired by the renderer"},
	{key: "authorization", prefix: true, setBy: "spec.acl", because: "ACL 2.0 is wired by the renderer"},
	{key: "initAuthenticationUser", setBy: "spec.acl.adminSecretRef", because: "credentials come from a Secret, never from a ConfigMap"},
	{key: "innerClientAuthenticationCredentials", setBy: "spec.acl.adminSecretRef", because: "credentials come from a Secret, never from a ConfigMap"},
	{key: "metricsExporterType", setBy: "spec.metrics", because: "the exporter is wired by the renderer"},
	{key: "metricsProm", prefix: true, setBy: "spec.metrics", because: "the exporter is wired by the renderer"},
}

// OwnedConfigKeyFor reports the spec field that sets a broker.conf key the
// renderer owns, and whether key is such a key.
func OwnedConfigKeyFor(key string) (setBy string, owned bool) {
	if o, ok := lookupOwnedConfigKey(key); ok {
		return o.setBy, true
	}
	return "", false
}

func lookupOwnedConfigKey(key string) (ownedConfigKey, bool) {
	lower := strings.ToLower(key)
	for _, o := range ownedConfigKeys {
		k := strings.ToLower(o.key)
		if lower == k || (o.prefix && strings.HasPrefix(lower, k)) {
			return o, true
		}
	}
	return ownedConfigKey{}, false
}

// validateBrokerConfig checks every spec.broker.config entry, in key order
// so that the error list is stable.
func validateBrokerConfig(b *BrokerSpec, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(b.Config) > MaxBrokerConfigEntries {
		errs = append(errs, field.TooMany(path, len(b.Config), MaxBrokerConfigEntries))
	}
	keys := make([]string, 0, len(b.Config))
	for k := range b.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		errs = append(errs, validateConfigEntry(k, string(b.Config[k]), path.Key(k))...)
	}
	errs = append(errs, validateConfigFlushDiskType(b, path)...)
	return errs
}

func validateConfigEntry(key, value string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if !isConfigKey(key) {
		errs = append(errs, field.Invalid(path, key,
			"must be a broker.conf property name: a letter followed by letters, digits, '.', '_' or '-'"))
	}
	if o, owned := lookupOwnedConfigKey(key); owned {
		errs = append(errs, field.Forbidden(path, fmt.Sprintf(
			"%s is set by the renderer from %s (%s): remove it from spec.broker.config", key, o.setBy, o.because)))
	}
	if strings.ContainsAny(value, "\r\n") {
		errs = append(errs, field.Invalid(path, value,
			"must be one line: broker.conf is a properties file; remove the line breaks"))
	}
	return errs
}

func validateConfigFlushDiskType(b *BrokerSpec, path *field.Path) field.ErrorList {
	v, ok := b.Config[ConfigKeyFlushDiskType]
	if !ok {
		return nil
	}
	p := path.Key(ConfigKeyFlushDiskType)
	t := FlushDiskType(v)
	if t != FlushAsync && t != FlushSync {
		return field.ErrorList{field.NotSupported(p, string(v), []string{string(FlushAsync), string(FlushSync)})}
	}
	if b.FlushDiskType != "" && b.FlushDiskType != t {
		return field.ErrorList{field.Invalid(p, string(v), fmt.Sprintf(
			"disagrees with spec.broker.flushDiskType (%s): set only one of them, or make them equal", b.FlushDiskType))}
	}
	return nil
}
