package fn

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

// renderCluster decodes, defaults, validates and renders one cluster, and
// returns the SpecHash of the spec it rendered. The input node is never
// modified: decoding makes the copy that gets defaulted, so the cluster
// passes through as written (assemble adds annotations only).
func renderCluster(c cluster, opts render.Options) ([]*yaml.RNode, string, krm.Results) {
	text, err := c.node.String()
	if err != nil {
		return nil, "", krm.Results{errorResult(&c.ref, "", fmt.Sprintf("cannot serialise the RocketMQCluster: %v", err))}
	}
	obj, err := v1alpha1.DecodeCluster([]byte(text))
	if err != nil {
		return nil, "", errResults(c.ref, err)
	}
	obj.Default()
	if errs := obj.Validate(); len(errs) > 0 {
		return nil, "", fieldErrorResults(krm.Error, c.ref, errs)
	}
	var results krm.Results
	for _, w := range obj.Warnings() {
		results = append(results, newResult(krm.Warning, &c.ref, w.Field, w.Message))
	}
	hash, err := obj.SpecHash()
	if err != nil {
		return nil, "", append(results, errorResult(&c.ref, "", err.Error()))
	}
	objs, err := render.RenderWith(obj, opts)
	if err != nil {
		return nil, "", append(results, errorResult(&c.ref, "", fmt.Sprintf("rendering RocketMQCluster %s: %v", describe(c.ref), err)))
	}
	nodes := make([]*yaml.RNode, 0, len(objs))
	for _, o := range objs {
		n, err := toRNode(o.Object)
		if err != nil {
			return nil, "", append(results, errorResult(&c.ref, "",
				fmt.Sprintf("converting rendered %s %s: %v", o.GetKind(), o.GetName(), err)))
		}
		nodes = append(nodes, n)
	}
	return nodes, hash, results
}
