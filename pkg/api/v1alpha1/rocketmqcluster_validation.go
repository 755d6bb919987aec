package v1alpha1

import (
	"fmt"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Name limits. A StatefulSet stamps every pod with the label
// controller-revision-hash=<statefulset name>-<hash>, where the hash is up to
// 10 characters, and a label value holds at most 63 characters: so a
// StatefulSet name may hold 63-1-10 = 52. Its pods, <statefulset>-<ordinal>,
// and the headless Services then stay valid 63-character DNS labels too. The
// longest StatefulSet suffixes are "-nameserver" and "-controller" (11
// characters); "-broker-<g>" is at most 10 with g < MaxBrokerGroups = 100. So
// a cluster name may hold 52-11 = 41 characters.
const (
	maxLabelValueLength      = validation.LabelValueMaxLength
	maxRevisionHashLength    = 10
	maxStatefulSetNameLength = maxLabelValueLength - 1 - maxRevisionHashLength
	longestStatefulSetSuffix = len("-" + ComponentNameServer)

	// MaxClusterNameLength is the longest metadata.name a RocketMQCluster may have.
	MaxClusterNameLength = maxStatefulSetNameLength - longestStatefulSetSuffix
	// MaxBrokerGroups bounds spec.broker.groups; it keeps "-broker-<g>" at
	// two digits, and more groups than this belong in a second cluster.
	MaxBrokerGroups = 100
)

// Validate returns every problem of the cluster, each with its field path
// and a message that says how to fix it. It validates the cluster as the
// renderer will see it, that is after Default, without changing c.
func (c *RocketMQCluster) Validate() field.ErrorList {
	spec := field.NewPath("spec")
	if errs := quantityRangeErrors(reflect.ValueOf(&c.Spec), spec); len(errs) > 0 {
		return errs // comparing such quantities would not return
	}
	d := c.DeepCopy()
	d.Default()
	errs := validateObjectMeta(d)
	s := &d.Spec
	errs = append(errs, s.validateImage(spec)...)
	errs = append(errs, s.validateVersionGates(spec)...)
	errs = append(errs, validatePlacement(s.Placement, spec.Child("placement"))...)
	errs = append(errs, s.NameServer.validate(spec.Child("nameServer"))...)
	errs = append(errs, s.validateController(spec.Child("controller"))...)
	errs = append(errs, s.Broker.validate(spec.Child("broker"))...)
	errs = append(errs, s.Proxy.validate(spec.Child("proxy"))...)
	errs = append(errs, s.Dashboard.validate(spec.Child("dashboard"))...)
	errs = append(errs, s.ACL.validate(spec.Child("acl"))...)
	errs = append(errs, s.Metrics.validate(spec.Child("metrics"))...)
	return errs
}

func validateObjectMeta(c *RocketMQCluster) field.ErrorList {
	var errs field.ErrorList
	meta := field.NewPath("metadata")
	switch {
	case c.Name == "":
		errs = append(errs, field.Required(meta.Child("name"), "set metadata.name; it prefixes every rendered object's name"))
	case len(c.Name) > MaxClusterNameLength:
		errs = append(errs, field.TooLong(meta.Child("name"), c.Name, MaxClusterNameLength))
	default:
		if len(validation.IsDNS1035Label(c.Name)) > 0 {
			errs = append(errs, field.Invalid(meta.Child("name"), c.Name,
				"must be lower-case letters, digits and '-', starting with a letter and ending with a letter or digit: it names Services (DNS-1035 labels)"))
		}
	}
	if c.Namespace != "" {
		for _, msg := range validation.IsDNS1123Label(c.Namespace) {
			errs = append(errs, field.Invalid(meta.Child("namespace"), c.Namespace, msg))
		}
	}
	return errs
}

func (s *RocketMQClusterSpec) validateImage(spec *field.Path) field.ErrorList {
	var errs field.ErrorList
	if !isRocketMQ5Version(s.Version) {
		errs = append(errs, field.Invalid(spec.Child("version"), s.Version,
			fmt.Sprintf("must be a RocketMQ 5 release such as %q (major.minor.patch, major 5, no suffix)", DefaultVersion)))
	}
	errs = append(errs, validateImageRepository(s.Image, spec.Child("image"))...)
	errs = append(errs, validateEnum(spec.Child("imagePullPolicy"), string(s.ImagePullPolicy),
		string(corev1.PullAlways), string(corev1.PullIfNotPresent), string(corev1.PullNever))...)
	for i, ref := range s.ImagePullSecrets {
		errs = append(errs, validateObjectName(ref.Name, spec.Child("imagePullSecrets").Index(i).Child("name"))...)
	}
	return errs
}

func (n *NameServerSpec) validate(path *field.Path) field.ErrorList {
	errs := validateReplicas(n.Replicas, path.Child("replicas"))
	errs = append(errs, validateJVM(&n.JVM, path.Child("jvm"))...)
	errs = append(errs, validateResources(&n.Resources, path.Child("resources"))...)
	errs = append(errs, validateMemoryHeadroom(&n.JVM, &n.Resources, path)...)
	errs = append(errs, validatePlacement(n.Placement, path.Child("placement"))...)
	return errs
}

// validateController checks that the Controller quorum exists exactly when
// brokers run in Controller mode, and that it is sane.
func (s *RocketMQClusterSpec) validateController(path *field.Path) field.ErrorList {
	c := s.Controller
	if s.Broker.Mode == BrokerModeController && c == nil {
		return field.ErrorList{field.Required(path,
			"set spec.controller (for example {replicas: 3}) when spec.broker.mode is Controller")}
	}
	if c == nil {
		return nil
	}
	// An unsupported mode (controller for Controller) is reported on
	// spec.broker.mode alone: whether the quorum belongs is unknown.
	if s.Broker.Mode == BrokerModeMasterSlave {
		return field.ErrorList{field.Forbidden(path, fmt.Sprintf(
			"the Controller quorum is only used when spec.broker.mode is Controller: remove spec.controller or set the mode (now %s)", s.Broker.Mode))}
	}
	errs := validateReplicas(c.Replicas, path.Child("replicas"))
	if c.Replicas != nil && *c.Replicas >= 1 && *c.Replicas%2 == 0 {
		errs = append(errs, field.Invalid(path.Child("replicas"), *c.Replicas,
			"must be odd (1, 3, 5, ...): a quorum of an even size tolerates no more failures than one member fewer"))
	}
	errs = append(errs, validateEnum(path.Child("type"), string(c.Type), string(ControllerDLedger), string(ControllerJRaft))...)
	errs = append(errs, validateStorage(&c.Storage, path.Child("storage"))...)
	errs = append(errs, validateJVM(&c.JVM, path.Child("jvm"))...)
	errs = append(errs, validateResources(&c.Resources, path.Child("resources"))...)
	errs = append(errs, validateMemoryHeadroom(&c.JVM, &c.Resources, path)...)
	errs = append(errs, validatePlacement(c.Placement, path.Child("placement"))...)
	return errs
}

func (b *BrokerSpec) validate(path *field.Path) field.ErrorList {
	errs := validateEnum(path.Child("mode"), string(b.Mode), string(BrokerModeMasterSlave), string(BrokerModeController))
	errs = append(errs, b.validateGroups(path)...)
	errs = append(errs, validateReplicas(b.ReplicasPerGroup, path.Child("replicasPerGroup"))...)
	errs = append(errs, validateStorage(&b.Storage, path.Child("storage"))...)
	errs = append(errs, validateBrokerConfig(b, path.Child("config"))...)
	errs = append(errs, validateEnum(path.Child("flushDiskType"), string(b.FlushDiskType), string(FlushAsync), string(FlushSync))...)
	errs = append(errs, validateEnum(path.Child("replicationMode"), string(b.ReplicationMode), string(ReplicationAsync), string(ReplicationSync))...)
	errs = append(errs, validateEnum(path.Child("retiredGroupPolicy"), string(b.RetiredGroupPolicy), string(RetiredGroupRetain), string(RetiredGroupDelete))...)
	errs = append(errs, validateJVM(&b.JVM, path.Child("jvm"))...)
	errs = append(errs, validateResources(&b.Resources, path.Child("resources"))...)
	errs = append(errs, validateMemoryHeadroom(&b.JVM, &b.Resources, path)...)
	errs = append(errs, validatePlacement(b.Placement, path.Child("placement"))...)
	return errs
}

func (b *BrokerSpec) validateGroups(path *field.Path) field.ErrorList {
	if b.Groups == nil {
		return nil
	}
	g := *b.Groups
	if g < 1 || g > MaxBrokerGroups {
		return field.ErrorList{field.Invalid(path.Child("groups"), g,
			fmt.Sprintf("must be between 1 and %d; run more groups as a second cluster", MaxBrokerGroups))}
	}
	if m := b.MetadataSourceGroup; m != nil && (*m < 0 || *m >= g) {
		return field.ErrorList{field.Invalid(path.Child("metadataSourceGroup"), *m,
			fmt.Sprintf("must name an existing group, 0 to %d (spec.broker.groups is %d)", g-1, g))}
	}
	return nil
}

func (p *ProxySpec) validate(path *field.Path) field.ErrorList {
	errs := validateReplicas(p.Replicas, path.Child("replicas"))
	errs = append(errs, validateEnum(path.Child("serviceType"), string(p.ServiceType),
		string(corev1.ServiceTypeClusterIP), string(corev1.ServiceTypeNodePort), string(corev1.ServiceTypeLoadBalancer))...)
	errs = append(errs, p.validateExternal(path)...)
	errs = append(errs, validateJVM(&p.JVM, path.Child("jvm"))...)
	errs = append(errs, validateResources(&p.Resources, path.Child("resources"))...)
	errs = append(errs, validateMemoryHeadroom(&p.JVM, &p.Resources, path)...)
	errs = append(errs, validatePlacement(p.Placement, path.Child("placement"))...)
	return errs
}

func (d *DashboardSpec) validate(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if d.Enabled {
		errs = append(errs, validateImageReference(d.Image, path.Child("image"))...)
	}
	errs = append(errs, validateReplicas(d.Replicas, path.Child("replicas"))...)
	errs = append(errs, validateResources(&d.Resources, path.Child("resources"))...)
	errs = append(errs, validatePlacement(d.Placement, path.Child("placement"))...)
	return errs
}

func (a *ACLSpec) validate(path *field.Path) field.ErrorList {
	ref := path.Child("adminSecretRef")
	if a.AdminSecretRef == nil {
		if a.Enabled {
			return field.ErrorList{field.Required(ref.Child("name"),
				"set spec.acl.adminSecretRef.name to the Secret holding the admin username and password")}
		}
		return nil
	}
	errs := validateCredentialsRef(a.AdminSecretRef, ref)
	if next := a.NextAdminSecretRef; next != nil {
		nextPath := path.Child("nextAdminSecretRef")
		errs = append(errs, validateCredentialsRef(next, nextPath)...)
		if next.Name == a.AdminSecretRef.Name {
			errs = append(errs, field.Invalid(nextPath.Child("name"), next.Name,
				"name a new Secret, not adminSecretRef's: the rotation needs the old credentials until every broker accepts the new ones"))
		}
	}
	return errs
}

func validateCredentialsRef(r *SecretCredentialsRef, ref *field.Path) field.ErrorList {
	var errs field.ErrorList
	if r.Name == "" {
		errs = append(errs, field.Required(ref.Child("name"),
			"set the name of the Secret holding the admin username and password"))
	} else {
		errs = append(errs, validateObjectName(r.Name, ref.Child("name"))...)
	}
	errs = append(errs, validateSecretKey(r.UsernameKey, ref.Child("usernameKey"))...)
	errs = append(errs, validateSecretKey(r.PasswordKey, ref.Child("passwordKey"))...)
	return errs
}

func (m *MetricsSpec) validate(path *field.Path) field.ErrorList {
	if m.Interval == "" || !isInterval(m.Interval) {
		return field.ErrorList{field.Invalid(path.Child("interval"), m.Interval,
			`must be a Prometheus duration such as "30s" or "1m30s"`)}
	}
	return nil
}
