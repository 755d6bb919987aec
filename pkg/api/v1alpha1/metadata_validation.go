package v1alpha1

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// RocketMQName returns the topic's name in RocketMQ: spec.topicName, else
// metadata.name. (Not Name: that would hide the embedded ObjectMeta.Name.)
func (t *RocketMQTopic) RocketMQName() string {
	if t.Spec.TopicName != "" {
		return t.Spec.TopicName
	}
	return t.ObjectMeta.Name
}

// RocketMQName returns the group's name in RocketMQ: spec.groupName, else
// metadata.name.
func (g *RocketMQConsumerGroup) RocketMQName() string {
	if g.Spec.GroupName != "" {
		return g.Spec.GroupName
	}
	return g.ObjectMeta.Name
}

// ClusterKey is "namespace/name" of the referenced cluster; the namespace
// defaults to the object's own.
func (r MetadataClusterReference) ClusterKey(objectNamespace string) string {
	ns := r.Namespace
	if ns == "" {
		ns = objectNamespace
	}
	return ns + "/" + r.Name
}

// QueueCounts returns the read and write queue counts the spec declares.
func (s *RocketMQTopicSpec) QueueCounts() (read, write int32) {
	q := DefaultTopicQueues
	if s.Queues != nil {
		q = *s.Queues
	}
	read, write = q, q
	if s.ReadQueues != nil {
		read = *s.ReadQueues
	}
	if s.WriteQueues != nil {
		write = *s.WriteQueues
	}
	return read, write
}

// PermOrDefault is spec.perm, or 6 (read and write).
func (s *RocketMQTopicSpec) PermOrDefault() int32 {
	if s.Perm != nil {
		return *s.Perm
	}
	return 6
}

// MessageTypeOrDefault is spec.messageType, or NORMAL.
func (s *RocketMQTopicSpec) MessageTypeOrDefault() TopicMessageType {
	if s.MessageType != "" {
		return s.MessageType
	}
	return MessageTypeNormal
}

// DeletionPolicyOrDefault is spec.deletionPolicy, or Retain.
func DeletionPolicyOrDefault(p DeletionPolicy) DeletionPolicy {
	if p == "" {
		return DeletionRetain
	}
	return p
}

// Managed is false when the managed annotation says "false".
func Managed(annotations map[string]string) bool {
	return annotations[AnnotationManaged] != "false"
}

// Validate checks what the CRD schema checks, plus what it cannot: system
// topic names. The KRM function calls it offline, the controller on every
// reconcile so that objects that bypassed the schema are refused with a
// condition.
func (t *RocketMQTopic) Validate() field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateClusterRef(spec.Child("clusterRef"), t.Spec.ClusterRef)
	namePath := spec.Child("topicName")
	if t.Spec.TopicName == "" {
		namePath = field.NewPath("metadata", "name")
	}
	errs = append(errs, validateDeclaredTopicName(namePath, t.RocketMQName())...)
	errs = append(errs, validateQueues(spec, &t.Spec)...)
	if p := t.Spec.PermOrDefault(); p != 2 && p != 4 && p != 6 {
		errs = append(errs, field.NotSupported(spec.Child("perm"), p, []string{"6", "4", "2"}))
	}
	switch t.Spec.MessageTypeOrDefault() {
	case MessageTypeNormal, MessageTypeFIFO, MessageTypeDelay, MessageTypeTransaction:
	default:
		errs = append(errs, field.NotSupported(spec.Child("messageType"), t.Spec.MessageType,
			[]string{string(MessageTypeNormal), string(MessageTypeFIFO), string(MessageTypeDelay), string(MessageTypeTransaction)}))
	}
	errs = append(errs, validateTopicAttributes(spec.Child("attributes"), t.Spec.Attributes)...)
	errs = append(errs, validateBrokerGroupNames(spec.Child("brokerGroups"), t.Spec.BrokerGroups)...)
	errs = append(errs, validateDeletionPolicy(spec.Child("deletionPolicy"), t.Spec.DeletionPolicy)...)
	return errs
}

// Validate checks what the CRD schema checks, plus system group names.
func (g *RocketMQConsumerGroup) Validate() field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateClusterRef(spec.Child("clusterRef"), g.Spec.ClusterRef)
	namePath := spec.Child("groupName")
	if g.Spec.GroupName == "" {
		namePath = field.NewPath("metadata", "name")
	}
	errs = append(errs, validateDeclaredGroupName(namePath, g.RocketMQName())...)
	if r := g.Spec.RetryMaxTimes; r != nil && (*r < 0 || *r > 1000) {
		errs = append(errs, field.Invalid(spec.Child("retryMaxTimes"), *r, "must be 0 to 1000"))
	}
	errs = append(errs, validateRetryPolicy(spec.Child("retryPolicy"), g.Spec.RetryPolicy)...)
	errs = append(errs, validateBrokerGroupNames(spec.Child("brokerGroups"), g.Spec.BrokerGroups)...)
	errs = append(errs, validateDeletionPolicy(spec.Child("deletionPolicy"), g.Spec.DeletionPolicy)...)
	return errs
}

func validateClusterRef(p *field.Path, r MetadataClusterReference) field.ErrorList {
	if r.Name == "" {
		return field.ErrorList{field.Required(p.Child("name"), "name the RocketMQCluster the object belongs to")}
	}
	return nil
}

func validateDeclaredTopicName(p *field.Path, topic string) field.ErrorList {
	switch {
	case len(topic) > maxTopicLength:
		return field.ErrorList{field.TooLong(p, topic, maxTopicLength)}
	case !isRocketMQName(topic):
		return field.ErrorList{field.Invalid(p, topic,
			"may only hold letters, digits, '%', '|', '_' and '-'; set spec.topicName when the RocketMQ name differs from metadata.name")}
	case IsSystemTopic(topic):
		return field.ErrorList{field.Invalid(p, topic, "is a system topic name (TopicValidator); system topics are managed by the broker")}
	}
	return nil
}

func validateDeclaredGroupName(p *field.Path, group string) field.ErrorList {
	switch {
	case len(group) > maxGroupLength:
		return field.ErrorList{field.TooLong(p, group, maxGroupLength)}
	case !isRocketMQName(group):
		return field.ErrorList{field.Invalid(p, group,
			"may only hold letters, digits, '%', '|', '_' and '-'; set spec.groupName when the RocketMQ name differs from metadata.name")}
	case isSystemGroup(group):
		return field.ErrorList{field.Invalid(p, group, "is a system consumer group name (MixAll)")}
	}
	return nil
}

func validateQueues(spec *field.Path, s *RocketMQTopicSpec) field.ErrorList {
	var errs field.ErrorList
	for _, q := range []struct {
		name string
		v    *int32
	}{{"queues", s.Queues}, {"readQueues", s.ReadQueues}, {"writeQueues", s.WriteQueues}} {
		if q.v != nil && (*q.v < 1 || *q.v > 1024) {
			errs = append(errs, field.Invalid(spec.Child(q.name), *q.v, "must be 1 to 1024"))
		}
	}
	if read, write := s.QueueCounts(); len(errs) == 0 && read < write {
		errs = append(errs, field.Invalid(spec.Child("readQueues"), read,
			fmt.Sprintf("must be at least the %d write queues: messages written to a queue nobody reads are not consumed", write)))
	}
	return errs
}

// unchangeableTopicAttributes are the topic attributes the broker refuses to
// change once set (TopicAttributes: changeable=false).
var unchangeableTopicAttributes = map[string]bool{"queue.type": true, "cleanup.policy": true}

// IsUnchangeableTopicAttribute reports whether the broker refuses to change
// the attribute once the topic exists.
func IsUnchangeableTopicAttribute(key string) bool { return unchangeableTopicAttributes[key] }

func validateTopicAttributes(p *field.Path, attrs map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedKeys(attrs) {
		switch {
		case k == TopicAttributeMessageType:
			errs = append(errs, field.Forbidden(p.Key(k), "set the message type with spec.messageType"))
		case k == "" || strings.ContainsAny(k, "+-=,") || strings.ContainsAny(attrs[k], "=,"):
			errs = append(errs, field.Invalid(p.Key(k), attrs[k], "keys and values may not hold '=' or ',', keys not '+' or '-' (AttributeParser)"))
		}
	}
	return errs
}

func validateBrokerGroupNames(p *field.Path, groups []string) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, g := range groups {
		switch {
		case g == "":
			errs = append(errs, field.Required(p.Index(i), "a broker group name, <cluster>-broker-<n>"))
		case seen[g]:
			errs = append(errs, field.Duplicate(p.Index(i), g))
		}
		seen[g] = true
	}
	return errs
}

func validateDeletionPolicy(p *field.Path, d DeletionPolicy) field.ErrorList {
	switch DeletionPolicyOrDefault(d) {
	case DeletionRetain, DeletionDelete:
		return nil
	}
	return field.ErrorList{field.NotSupported(p, d, []string{string(DeletionRetain), string(DeletionDelete)})}
}

func validateRetryPolicy(p *field.Path, rp *GroupRetryPolicySpec) field.ErrorList {
	if rp == nil {
		return nil
	}
	var errs field.ErrorList
	switch rp.Type {
	case RetryPolicyCustomized:
		if rp.Exponential != nil {
			errs = append(errs, field.Forbidden(p.Child("exponential"), "only for type Exponential"))
		}
		for i, d := range rp.Next {
			if d.Duration <= 0 {
				errs = append(errs, field.Invalid(p.Child("next").Index(i), d.String(), "must be positive"))
			}
		}
	case RetryPolicyExponential:
		errs = append(errs, validateExponential(p.Child("exponential"), rp.Exponential)...)
		if len(rp.Next) > 0 {
			errs = append(errs, field.Forbidden(p.Child("next"), "only for type Customized"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("type"), rp.Type, []string{string(RetryPolicyCustomized), string(RetryPolicyExponential)}))
	}
	return errs
}

func validateExponential(p *field.Path, e *ExponentialRetrySpec) field.ErrorList {
	if e == nil {
		return field.ErrorList{field.Required(p, "set initial, max and multiplier")}
	}
	var errs field.ErrorList
	if e.Initial.Duration < time.Millisecond {
		errs = append(errs, field.Invalid(p.Child("initial"), e.Initial.String(), "must be at least 1ms"))
	}
	if e.Max.Duration < e.Initial.Duration {
		errs = append(errs, field.Invalid(p.Child("max"), e.Max.String(), "must be at least initial"))
	}
	if e.Multiplier < 1 || e.Multiplier > 100 {
		errs = append(errs, field.Invalid(p.Child("multiplier"), e.Multiplier, "must be 1 to 100"))
	}
	return errs
}
