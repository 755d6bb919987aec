// Package fn is the RocketMQCluster KRM function: it finds every cluster in
// a ResourceList, defaults, validates and renders each one, and appends the
// rendered objects to the items. RocketMQTopic and RocketMQConsumerGroup
// objects pass through, validated (metadata.go) and placed in the sync wave
// after the cluster's. On any error it renders nothing and reports error
// results instead, so a pipeline never applies half a cluster.
package fn

import (
	"fmt"
	"runtime"
	"sort"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

// Processor renders every RocketMQCluster of a ResourceList (for
// krm.Execute).
type Processor struct{}

// Process renders the clusters in rl. It returns the results as an error
// when one has severity error: kyaml's framework only appends results a
// filter returns and exits 0, which would let kustomize carry on with an
// incomplete render.
func (Processor) Process(rl *krm.ResourceList) (err error) {
	defer func() {
		// Last line of defence: a panic becomes an error result, never a
		// stack trace on the user's terminal or a half-written output.
		if r := recover(); r != nil {
			rl.Results = append(rl.Results, &krm.Result{
				Severity: krm.Error,
				Message:  fmt.Sprintf("%s while rendering RocketMQClusters: %v", internalErrorPrefix, r),
			})
			err = rl.Results
		}
	}()
	items, results := Run(rl.Items, rl.FunctionConfig)
	rl.Results = append(rl.Results, results...)
	if rl.Results.ExitCode() != 0 {
		return rl.Results
	}
	rl.Items = items
	return nil
}

// Run renders the clusters found in items and in functionConfig. It returns
// the output items and the results; when a result is an error the returned
// items are the input items, untouched. A panic while rendering a cluster
// becomes an error result starting with internalErrorPrefix.
func Run(items []*yaml.RNode, functionConfig *yaml.RNode) ([]*yaml.RNode, krm.Results) {
	out, results := run(items, functionConfig)
	return out, sortResults(results)
}

func run(items []*yaml.RNode, functionConfig *yaml.RNode) ([]*yaml.RNode, krm.Results) {
	opts, results := renderOptions(functionConfig)
	clusters, rs := findClusters(items, functionConfig)
	results = append(results, rs...)
	if results.ExitCode() != 0 {
		return items, results
	}
	metadata, rs := findMetadata(items)
	results = append(results, rs...)
	results = append(results, checkMetadata(metadata, clusters, items)...)
	if len(clusters) == 0 && len(metadata) == 0 && rs.ExitCode() == 0 {
		// Most likely a kustomization that wires the function but lists no
		// cluster: say so rather than succeed silently with nothing.
		results = append(results, newResult(krm.Warning, nil, "",
			"no RocketMQCluster ("+v1alpha1.GroupVersion.String()+") found in the items or the functionConfig"))
	}
	if results.ExitCode() != 0 {
		return items, results
	}
	rendered, hashes, rs := renderAll(clusters, opts)
	results = append(results, rs...)
	if results.ExitCode() != 0 {
		return items, results
	}
	out, err := assemble(items, clusters, rendered, hashes)
	if err != nil {
		return items, append(results, errorResult(nil, "", fmt.Sprintf("assembling the output: %v", err)))
	}
	return out, results
}

// renderAll renders the clusters on all CPUs: rendering is pure, and a
// repository with hundreds of clusters is rendered on every pull request.
// The output keeps the clusters' order; hashes are the clusters' SpecHash.
func renderAll(clusters []cluster, opts render.Options) ([][]*yaml.RNode, []string, krm.Results) {
	rendered := make([][]*yaml.RNode, len(clusters))
	hashes := make([]string, len(clusters))
	perCluster := make([]krm.Results, len(clusters))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(clusters)) {
		wg.Go(func() {
			for i := range next {
				rendered[i], hashes[i], perCluster[i] = safeRenderCluster(clusters[i], opts)
			}
		})
	}
	for i := range clusters {
		next <- i
	}
	close(next)
	wg.Wait()
	var results krm.Results
	for _, rs := range perCluster {
		results = append(results, rs...)
	}
	return rendered, hashes, results
}

// internalErrorPrefix starts the message of a result made from a panic; the
// fuzz test fails on it.
const internalErrorPrefix = "internal error"

// safeRenderCluster is renderCluster on a worker goroutine, where a panic
// would otherwise kill the process: Process's recover cannot reach it.
func safeRenderCluster(c cluster, opts render.Options) (objs []*yaml.RNode, hash string, results krm.Results) {
	defer func() {
		if r := recover(); r != nil {
			objs, hash = nil, ""
			results = krm.Results{errorResult(&c.ref, "",
				fmt.Sprintf("%s while rendering RocketMQCluster %s: %v", internalErrorPrefix, describe(c.ref), r))}
		}
	}()
	return renderCluster(c, opts)
}

// sortResults orders results by resource, keeping each resource's results
// in the order validation found them, so that the input order never shows.
func sortResults(results krm.Results) krm.Results {
	sort.SliceStable(results, func(i, j int) bool {
		return refKey(results[i].ResourceRef) < refKey(results[j].ResourceRef)
	})
	return results
}

func refKey(ref *yaml.ResourceIdentifier) string {
	if ref == nil {
		return ""
	}
	return ref.Namespace + "/" + ref.Name + "/" + ref.Kind + "/" + ref.APIVersion
}
