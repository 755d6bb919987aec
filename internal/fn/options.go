package fn

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

// Keys of a ConfigMap functionConfig: where the status controller runs,
// so that each cluster's Role is bound to its ServiceAccount. Left out,
// they name the install bundle's ServiceAccount (config/default).
const (
	optStatusControllerNamespace      = "statusControllerNamespace"
	optStatusControllerServiceAccount = "statusControllerServiceAccount"
)

// renderOptions reads the renderer's options from a ConfigMap
// functionConfig; any other functionConfig (none, or a RocketMQCluster
// given to a generator) leaves the defaults.
func renderOptions(fc *yaml.RNode) (render.Options, krm.Results) {
	opts := render.DefaultOptions()
	if fc == nil || fc.GetKind() != "ConfigMap" || fc.GetApiVersion() != "v1" {
		return opts, nil
	}
	data := fc.GetDataMap()
	ref := &yaml.ResourceIdentifier{TypeMeta: yaml.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		NameMeta: yaml.NameMeta{Name: fc.GetName(), Namespace: fc.GetNamespace()}}
	var results krm.Results
	check := func(key string, target *string, problems func(string) []string) {
		v, ok := data[key]
		if !ok {
			return
		}
		if msgs := problems(v); len(msgs) > 0 {
			results = append(results, errorResult(ref, "data."+key,
				fmt.Sprintf("Invalid value: %q: %s; it names the status controller's %s, bound to each cluster's Role", v, msgs[0], keyMeaning(key))))
			return
		}
		*target = v
	}
	check(optStatusControllerNamespace, &opts.StatusController.Namespace, validation.IsDNS1123Label)
	check(optStatusControllerServiceAccount, &opts.StatusController.ServiceAccount, validation.IsDNS1123Subdomain)
	return opts, results
}

func keyMeaning(key string) string {
	if key == optStatusControllerNamespace {
		return "namespace"
	}
	return "ServiceAccount"
}
