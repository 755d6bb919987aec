package migrate

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// component is where one operator kind lands in the new spec.
type component struct {
	path      string // "spec.broker"
	placement **v1alpha1.Placement
	resources *corev1.ResourceRequirements
}

// podField carries over or reports a spec field that every operator kind
// but Console has; it returns false for any other key.
func (cv *converter) podField(ref resourceRef, key string, pf *podFields, c component) bool {
	switch key {
	case "imagePullPolicy":
		cv.pullPolicy(ref, pf.ImagePullPolicy)
	case "resources":
		*c.resources = *pf.Resources.DeepCopy()
	case "imagePullSecrets":
		cv.pullSecrets(pf.ImagePullSecrets)
	case "tolerations":
		placementOf(c).Tolerations = pf.Tolerations
	case "nodeSelector":
		placementOf(c).NodeSelector = pf.NodeSelector
	case "priorityClassName":
		placementOf(c).PriorityClassName = pf.PriorityClassName
	case "affinity":
		cv.report.dropped(ref, "spec.affinity", "the renderer writes the pods' affinity itself: anti-affinity between the pods of one "+
			"component from %s.placement.antiAffinity (Soft by default); for node choice use %s.placement.nodeSelector or tolerations", c.path, c.path)
	case "securityContext", "containerSecurityContext":
		cv.report.dropped(ref, "spec."+key, "the renderer sets a security context that meets the restricted Pod Security profile "+
			"(non-root uid 3000 of the official image, read-only root filesystem); the operator's images ran as root")
	case "podAnnotations":
		cv.report.dropped(ref, "spec.podAnnotations", "the RocketMQCluster API has no pod annotations: add them with a kustomize patch on the rendered workloads")
	case "serviceAccountName":
		cv.report.dropped(ref, "spec.serviceAccountName", "RocketMQ pods need no Kubernetes API access: they run with the namespace's "+
			"default ServiceAccount and no mounted token")
	default:
		return false
	}
	return true
}

func placementOf(c component) *v1alpha1.Placement {
	if *c.placement == nil {
		*c.placement = &v1alpha1.Placement{}
	}
	return *c.placement
}

// pullPolicy keeps the first policy seen (the Broker's) for the whole
// cluster and reports a component that differs.
func (cv *converter) pullPolicy(ref resourceRef, p corev1.PullPolicy) {
	spec := &cv.cluster.Spec
	switch {
	case p == "":
	case spec.ImagePullPolicy == "":
		spec.ImagePullPolicy = p
	case spec.ImagePullPolicy != p:
		cv.report.changed(ref, "spec.imagePullPolicy", "%s: the new cluster has one policy for every component, %s (the Broker's)", p, spec.ImagePullPolicy)
	}
}

// pullSecrets adds the secrets to the cluster-wide list, once each.
func (cv *converter) pullSecrets(secrets []corev1.LocalObjectReference) {
	spec := &cv.cluster.Spec
	for _, s := range secrets {
		seen := false
		for _, have := range spec.ImagePullSecrets {
			seen = seen || have.Name == s.Name
		}
		if !seen && s.Name != "" {
			spec.ImagePullSecrets = append(spec.ImagePullSecrets, s)
		}
	}
}

// unknownField reports a spec field the operator's CRD does not have: the
// API server would have pruned it, so it never had an effect.
func (cv *converter) unknownField(ref resourceRef, key string) {
	cv.report.dropped(ref, "spec."+key, "not a field of the operator's %s CRD (the API server prunes it): ignored", ref.Kind)
}

// env reports environment variables the new cluster does not take; handled
// names (BROKER_MEM) are skipped by the caller.
func (cv *converter) envVar(ref resourceRef, i int, e corev1.EnvVar) {
	cv.report.dropped(ref, "spec.env["+itoa(i)+"]", "%s: the RocketMQCluster API sets no free environment variables "+
		"(JVM sizes are spec.*.jvm; broker settings are spec.broker.config)", e.Name)
}
