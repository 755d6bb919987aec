package v1alpha1

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Image reference grammar, after the distribution reference grammar:
// [domain[:port]/]path[/path...] then an optional :tag and @digest.
const (
	imageDomain    = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?`
	imagePath      = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	imageName      = `(?:` + imageDomain + `/)?` + imagePath + `(?:/` + imagePath + `)*`
	imageTag       = `:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
	imageDigest    = `@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
	imageReference = imageName + `(?:` + imageTag + `)?(?:` + imageDigest + `)?`
)

// validateImageRepository checks spec.image: a repository without tag,
// because the tag is spec.version.
func validateImageRepository(image string, path *field.Path) field.ErrorList {
	if isImageName(image) {
		return nil
	}
	if isImageReference(image) {
		return field.ErrorList{field.Invalid(path, image,
			"must be an image repository without tag or digest: the tag is spec.version")}
	}
	return field.ErrorList{field.Invalid(path, image,
		`must be an image repository such as "apache/rocketmq" or "registry.example.com:5000/mirror/rocketmq"`)}
}

// validateImageReference checks a full image reference (tag allowed).
func validateImageReference(image string, path *field.Path) field.ErrorList {
	if image == "" {
		return field.ErrorList{field.Required(path, "set an image, for example "+DefaultDashboardImage)}
	}
	if !isImageReference(image) {
		return field.ErrorList{field.Invalid(path, image,
			"must be an image reference such as "+DefaultDashboardImage)}
	}
	return nil
}

func validateEnum(path *field.Path, value string, allowed ...string) field.ErrorList {
	if slices.Contains(allowed, value) {
		return nil
	}
	return field.ErrorList{field.NotSupported(path, value, allowed)}
}

// MaxReplicas bounds every replicas field. The renderer lists every pod's
// DNS name in configuration (NameServer and Controller peers), so an absurd
// count would exhaust the function's memory instead of failing validation.
const MaxReplicas = 1000

func validateReplicas(r *int32, path *field.Path) field.ErrorList {
	switch {
	case r == nil:
		return nil
	case *r < 1:
		return field.ErrorList{field.Invalid(path, *r, "must be at least 1")}
	case *r > MaxReplicas:
		return field.ErrorList{field.Invalid(path, *r, fmt.Sprintf("must be at most %d", MaxReplicas))}
	}
	return nil
}

func validatePositive(q *resource.Quantity, path *field.Path) field.ErrorList {
	if q != nil && q.Sign() <= 0 {
		return field.ErrorList{field.Invalid(path, q.String(), "must be a positive quantity such as 1Gi")}
	}
	return nil
}

func validateJVM(j *JVMSpec, path *field.Path) field.ErrorList {
	errs := validatePositive(j.Heap, path.Child("heap"))
	return append(errs, validatePositive(j.DirectMemory, path.Child("directMemory"))...)
}

func validateStorage(s *StorageSpec, path *field.Path) field.ErrorList {
	errs := validatePositive(s.Size, path.Child("size"))
	if s.StorageClassName != nil && *s.StorageClassName != "" {
		errs = append(errs, validateObjectName(*s.StorageClassName, path.Child("storageClassName"))...)
	}
	return errs
}

// validateResources refuses negative quantities and requests above limits,
// which the API server would refuse only later, on the rendered pods.
func validateResources(r *corev1.ResourceRequirements, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, name := range sortedResourceNames(r.Requests) {
		q := r.Requests[name]
		if q.Sign() < 0 {
			errs = append(errs, field.Invalid(path.Child("requests").Key(string(name)), q.String(), "must not be negative"))
		}
		if lim, ok := r.Limits[name]; ok && q.Cmp(lim) > 0 {
			errs = append(errs, field.Invalid(path.Child("requests").Key(string(name)), q.String(),
				fmt.Sprintf("must not exceed resources.limits.%s (%s)", name, lim.String())))
		}
	}
	for _, name := range sortedResourceNames(r.Limits) {
		if q := r.Limits[name]; q.Sign() < 0 {
			errs = append(errs, field.Invalid(path.Child("limits").Key(string(name)), q.String(), "must not be negative"))
		}
	}
	return errs
}

func sortedResourceNames(l corev1.ResourceList) []corev1.ResourceName {
	names := make([]corev1.ResourceName, 0, len(l))
	for n := range l {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func validatePlacement(p *Placement, path *field.Path) field.ErrorList {
	if p == nil {
		return nil
	}
	var errs field.ErrorList
	if p.AntiAffinity != "" {
		errs = append(errs, validateEnum(path.Child("antiAffinity"), string(p.AntiAffinity),
			string(AntiAffinitySoft), string(AntiAffinityHard), string(AntiAffinityNone))...)
	}
	if p.TopologyKey != "" {
		errs = append(errs, validateLabelKey(p.TopologyKey, path.Child("topologyKey"))...)
	}
	for i := range p.TopologySpreadConstraints {
		errs = append(errs, validateSpread(&p.TopologySpreadConstraints[i], path.Child("topologySpreadConstraints").Index(i))...)
	}
	for _, k := range sortedKeys(p.NodeSelector) {
		kp := path.Child("nodeSelector").Key(k)
		errs = append(errs, validateLabelKey(k, kp)...)
		for _, msg := range validation.IsValidLabelValue(p.NodeSelector[k]) {
			errs = append(errs, field.Invalid(kp, p.NodeSelector[k], msg))
		}
	}
	if p.PriorityClassName != "" {
		errs = append(errs, validateObjectName(p.PriorityClassName, path.Child("priorityClassName"))...)
	}
	return errs
}

func validateSpread(t *corev1.TopologySpreadConstraint, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if t.MaxSkew < 1 {
		errs = append(errs, field.Invalid(path.Child("maxSkew"), t.MaxSkew, "must be at least 1"))
	}
	if t.TopologyKey == "" {
		errs = append(errs, field.Required(path.Child("topologyKey"), "set a node label key such as topology.kubernetes.io/zone"))
	} else {
		errs = append(errs, validateLabelKey(t.TopologyKey, path.Child("topologyKey"))...)
	}
	errs = append(errs, validateEnum(path.Child("whenUnsatisfiable"), string(t.WhenUnsatisfiable),
		string(corev1.DoNotSchedule), string(corev1.ScheduleAnyway))...)
	return errs
}

func validateLabelKey(k string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(k) {
		errs = append(errs, field.Invalid(path, k, msg))
	}
	return errs
}

// validateObjectName checks the name of a referenced object (Secret,
// StorageClass, PriorityClass): a DNS-1123 subdomain.
func validateObjectName(name string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Subdomain(name) {
		errs = append(errs, field.Invalid(path, name, msg))
	}
	return errs
}

func validateSecretKey(key string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsConfigMapKey(key) {
		errs = append(errs, field.Invalid(path, key, msg))
	}
	return errs
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
