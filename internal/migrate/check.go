package migrate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

// check runs the KRM function's validation on the converted cluster and
// renders it, so that the converter never writes a spec the function would
// refuse, nor one whose objects take the names of the operator's objects
// in the same namespace (side by side, both must exist at once).
func check(c *v1alpha1.RocketMQCluster, in *Inputs) error {
	d := c.DeepCopy()
	d.Default()
	if errs := d.Validate(); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("the converted RocketMQCluster %s is not valid, fix the input or the flags: %s", c.Name, strings.Join(msgs, "; "))
	}
	objs, err := render.Render(d)
	if err != nil {
		return fmt.Errorf("rendering the converted RocketMQCluster %s: %w", c.Name, err)
	}
	taken := operatorObjectNames(in)
	for _, o := range objs {
		if owner, ok := taken[o.GetKind()+"/"+o.GetName()]; ok {
			return fmt.Errorf("the new cluster's %s %s would replace the one of %s in the same namespace: "+
				"choose another name for the new cluster with --name", o.GetKind(), o.GetName(), owner)
		}
	}
	return nil
}

// operatorObjectNames lists the objects the operator created for the
// inputs, by "Kind/name" (pkg/controller/*/..._controller.go naming).
func operatorObjectNames(in *Inputs) map[string]string {
	names := map[string]string{}
	for _, ns := range in.nameServices {
		names["StatefulSet/"+ns.ref.Name] = ns.ref.String()
	}
	for _, b := range in.brokers {
		for _, sts := range brokerStatefulSets(b.ref.Name, &b.obj.Spec) {
			names["StatefulSet/"+sts] = b.ref.String()
		}
	}
	for _, c := range in.controllers {
		names["StatefulSet/"+c.ref.Name] = c.ref.String()
		names["Service/"+c.ref.Name+"-svc"] = c.ref.String()
		names["Service/"+c.ref.Name+"-svc-headless"] = c.ref.String()
	}
	for _, c := range in.consoles {
		names["Deployment/"+c.ref.Name] = c.ref.String()
	}
	return names
}

// brokerStatefulSets are the operator's broker StatefulSet names:
// <cr>-<g>-master and <cr>-<g>-replica-<r> in STATIC mode, <cr>-<g>-<r>
// in CONTROLLER mode.
func brokerStatefulSets(name string, s *brokerSpec) []string {
	var out []string
	for g := int32(0); g < s.Size; g++ {
		for r := int32(0); r <= s.ReplicaPerGroup; r++ {
			switch {
			case strings.EqualFold(s.ClusterMode, clusterModeController):
				out = append(out, fmt.Sprintf("%s-%d-%d", name, g, r))
			case r == 0:
				out = append(out, fmt.Sprintf("%s-%d-master", name, g))
			default:
				out = append(out, fmt.Sprintf("%s-%d-replica-%d", name, g, r))
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
