package v1alpha1

import (
	"net"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Name limits of RocketMQ (TopicValidator.TOPIC_MAX_LENGTH and
// Validators.CHARACTER_MAX_LENGTH).
const (
	maxTopicLength = 127
	maxGroupLength = 255
)

// DrainTimeoutOrDefault is spec.drainTimeout, or DefaultDrainTimeout when
// it is unset (objects built in Go skip the API server's defaulting).
func (s *TopicTransferSpec) DrainTimeoutOrDefault() time.Duration {
	if s.DrainTimeout != nil {
		return s.DrainTimeout.Duration
	}
	d, _ := time.ParseDuration(DefaultDrainTimeout)
	return d
}

// PopInvisibleTimeOrDefault is spec.popInvisibleTime, or
// DefaultPopInvisibleTime when it is unset.
func (s *TopicTransferSpec) PopInvisibleTimeOrDefault() time.Duration {
	if s.PopInvisibleTime != nil {
		return s.PopInvisibleTime.Duration
	}
	d, _ := time.ParseDuration(DefaultPopInvisibleTime)
	return d
}

// RetryBudgetOrDefault is spec.retryBudget, or DefaultRetryBudget when
// it is unset.
func (s *TopicTransferSpec) RetryBudgetOrDefault() time.Duration {
	if s.RetryBudget != nil {
		return s.RetryBudget.Duration
	}
	d, _ := time.ParseDuration(DefaultRetryBudget)
	return d
}

// DeleteSourceTopicOrDefault is spec.deleteSourceTopic, default true.
func (s *TopicTransferSpec) DeleteSourceTopicOrDefault() bool {
	return s.DeleteSourceTopic == nil || *s.DeleteSourceTopic
}

// EndpointClusterName is the brokerClusterName of an endpoint: clusterName
// when given, else the referenced RocketMQCluster's name (the renderer
// sets brokerClusterName to metadata.name).
func (e *TransferEndpoint) EndpointClusterName() string {
	if e.ClusterName != "" || e.ClusterRef == nil {
		return e.ClusterName
	}
	return e.ClusterRef.Name
}

// Validate checks what the CRD schema also checks, plus what it cannot:
// system topic and group names and duplicate groups. The controller calls it
// so that objects that bypassed the schema are refused with a condition.
func (t *TopicTransfer) Validate() field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateTopicName(spec.Child("topic"), t.Spec.Topic)
	errs = append(errs, validateGroups(spec.Child("consumerGroups"), t.Spec.ConsumerGroups)...)
	errs = append(errs, validateEndpoint(spec.Child("source"), &t.Spec.Source)...)
	errs = append(errs, validateEndpoint(spec.Child("target"), &t.Spec.Target)...)
	if equality.Semantic.DeepEqual(t.Spec.Source, t.Spec.Target) {
		errs = append(errs, field.Invalid(spec.Child("target"), t.Spec.Target.EndpointClusterName(),
			"source and target must be different clusters"))
	}
	if t.Spec.DrainTimeout != nil && t.Spec.DrainTimeout.Duration <= 0 {
		errs = append(errs, field.Invalid(spec.Child("drainTimeout"), t.Spec.DrainTimeout.String(), "must be positive"))
	}
	if t.Spec.PopInvisibleTime != nil && t.Spec.PopInvisibleTime.Duration < 0 {
		errs = append(errs, field.Invalid(spec.Child("popInvisibleTime"), t.Spec.PopInvisibleTime.String(), "must not be negative"))
	}
	if t.Spec.RetryBudget != nil && t.Spec.RetryBudget.Duration <= 0 {
		errs = append(errs, field.Invalid(spec.Child("retryBudget"), t.Spec.RetryBudget.String(), "must be positive"))
	}
	return errs
}

func validateTopicName(p *field.Path, topic string) field.ErrorList {
	switch {
	case topic == "":
		return field.ErrorList{field.Required(p, "")}
	case len(topic) > maxTopicLength:
		return field.ErrorList{field.TooLong(p, topic, maxTopicLength)}
	case !isRocketMQName(topic):
		return field.ErrorList{field.Invalid(p, topic, "may only hold letters, digits, '%', '|', '_' and '-'")}
	case IsSystemTopic(topic):
		return field.ErrorList{field.Invalid(p, topic, "system topics cannot be transferred")}
	}
	return nil
}

func validateGroups(p *field.Path, groups []string) field.ErrorList {
	var errs field.ErrorList
	seen := make(map[string]bool, len(groups))
	for i, g := range groups {
		switch {
		case g == "":
			errs = append(errs, field.Required(p.Index(i), ""))
		case len(g) > maxGroupLength:
			errs = append(errs, field.TooLong(p.Index(i), g, maxGroupLength))
		case !isRocketMQName(g):
			errs = append(errs, field.Invalid(p.Index(i), g, "may only hold letters, digits, '%', '|', '_' and '-'"))
		case isSystemGroup(g):
			errs = append(errs, field.Invalid(p.Index(i), g, "system consumer groups cannot be transferred"))
		case seen[g]:
			errs = append(errs, field.Duplicate(p.Index(i), g))
		}
		seen[g] = true
	}
	return errs
}

func validateEndpoint(p *field.Path, e *TransferEndpoint) field.ErrorList {
	var errs field.ErrorList
	hasRef, hasNS := e.ClusterRef != nil, len(e.NameServers) > 0
	switch {
	case hasRef == hasNS:
		errs = append(errs, field.Invalid(p, "", "exactly one of clusterRef or nameServers must be set"))
	case hasRef && e.ClusterRef.Name == "":
		errs = append(errs, field.Required(p.Child("clusterRef", "name"), ""))
	case hasNS && e.ClusterName == "":
		errs = append(errs, field.Required(p.Child("clusterName"), "required with nameServers"))
	}
	for i, addr := range e.NameServers {
		if err := validateHostPort(addr); err != "" {
			errs = append(errs, field.Invalid(p.Child("nameServers").Index(i), addr, err))
		}
	}
	if e.ClusterName != "" && !isRocketMQName(e.ClusterName) {
		errs = append(errs, field.Invalid(p.Child("clusterName"), e.ClusterName, "not a valid brokerClusterName"))
	}
	return errs
}

// validateHostPort returns why addr is not host:port, or "".
func validateHostPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "must be host:port"
	}
	if host == "" {
		return "host is empty"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "port must be 1 to 65535"
	}
	return ""
}

// IsSystemTopic follows org.apache.rocketmq.common.topic.TopicValidator:
// the fixed system topics, the rmq_sys_ prefix, and the per-group retry and
// dead-letter topics.
func IsSystemTopic(topic string) bool {
	switch topic {
	case "TBW102", "SCHEDULE_TOPIC_XXXX", "BenchmarkTest", "RMQ_SYS_TRANS_HALF_TOPIC",
		"RMQ_SYS_TRACE_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC",
		"SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT":
		return true
	}
	for _, prefix := range []string{"rmq_sys_", "%RETRY%", "%DLQ%", "rocketmq-broker-"} {
		if strings.HasPrefix(topic, prefix) {
			return true
		}
	}
	return false
}

// isSystemGroup follows MixAll's consumer group constants.
func isSystemGroup(group string) bool {
	switch group {
	case "TOOLS_CONSUMER", "FILTERSRV_CONSUMER", "__MONITOR_CONSUMER", "CLIENT_INNER_PRODUCER",
		"SELF_TEST_C_GROUP", "CID_ONS-HTTP-PROXY", "CID_ONSAPI_PERMISSION", "CID_ONSAPI_OWNER",
		"CID_ONSAPI_PULL", "CID_RMQ_SYS_TRANS":
		return true
	}
	return strings.HasPrefix(group, "CID_RMQ_SYS_")
}
