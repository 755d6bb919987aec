package flux_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// kstatus results, as kustomize-controller names them.
const (
	current    = "Current"
	failed     = "Failed"
	inProgress = "InProgress"
)

// evaluate reproduces kustomize-controller's reading of healthCheckExprs:
// an observedGeneration other than metadata.generation is InProgress;
// then inProgress, failed and current are tried in that order, each
// parsed (not type-checked, since the object is untyped) and run with the
// object's top-level fields as variables; none true is InProgress.
func evaluate(t *testing.T, exprs map[string]any, object string) (string, error) {
	t.Helper()
	// Through JSON into Unstructured, so numbers are int64 as read from the
	// API server.
	j, err := yaml.YAMLToJSON([]byte(object))
	require.NoError(t, err)
	var u unstructured.Unstructured
	require.NoError(t, u.UnmarshalJSON(j))
	obj := u.Object
	observed, hasObserved, _ := unstructured.NestedInt64(obj, "status", "observedGeneration")
	generation, hasGeneration, _ := unstructured.NestedInt64(obj, "metadata", "generation")
	if hasObserved && hasGeneration && observed != generation {
		return inProgress, nil
	}
	celEnv, err := cel.NewEnv(cel.HomogeneousAggregateLiterals(), cel.EagerlyValidateDeclarations(true),
		cel.DefaultUTCTimeZone(true), cel.CrossTypeNumericComparisons(true), cel.OptionalTypes(),
		ext.Strings(), ext.Sets(), ext.Encoders())
	require.NoError(t, err)
	for _, step := range []struct{ key, result string }{{"inProgress", inProgress}, {"failed", failed}, {"current", current}} {
		src, _ := exprs[step.key].(string)
		if src == "" {
			continue
		}
		ast, iss := celEnv.Parse(src)
		require.NoError(t, iss.Err(), "%s: %s", step.key, src)
		prg, err := celEnv.Program(ast)
		require.NoError(t, err)
		val, _, err := prg.ContextEval(context.Background(), obj)
		if err != nil {
			return "", fmt.Errorf("%s: %w", step.key, err)
		}
		if val == types.True {
			return step.result, nil
		}
	}
	return inProgress, nil
}

func TestHealthCheckExprs(t *testing.T) {
	for _, dir := range []string{"deploy/git", "deploy/oci"} {
		exprs, _, _ := unstructured.NestedSlice(build(t, dir)["Kustomization/payments-rocketmq"].Object, "spec", "healthCheckExprs")
		require.Len(t, exprs, 1, dir)
		e := exprs[0].(map[string]any)
		assert.Equal(t, "RocketMQCluster", e["kind"])
		assert.Equal(t, "rocketmq.gitops.dev/v1alpha1", e["apiVersion"])

		head := "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: payments, generation: 4}\n"
		cases := []struct {
			name, status, want string
		}{
			{"ready", `{observedGeneration: 4, conditions: [{type: Ready, status: "True"}, {type: Degraded, status: "False"}]}`, current},
			{"stalled", `{observedGeneration: 4, conditions: [{type: Ready, status: "False"}, {type: Degraded, status: "True"}, {type: Stalled, status: "True"}, {type: Reconciling, status: "False"}]}`, failed},
			{"degraded but healing", `{observedGeneration: 4, conditions: [{type: Ready, status: "False"}, {type: Degraded, status: "True"}, {type: Stalled, status: "False"}, {type: Reconciling, status: "True"}]}`, inProgress},
			{"rolling out", `{observedGeneration: 4, conditions: [{type: Ready, status: "False"}, {type: Progressing, status: "True"}]}`, inProgress},
			{"broker rolling update", `{observedGeneration: 4, conditions: [{type: Ready, status: "False", reason: RollingUpdate}, {type: Progressing, status: "True", reason: RollingUpdate}, {type: Degraded, status: "False"}, {type: Reconciling, status: "True", reason: RollingUpdate}, {type: Stalled, status: "False"}]}`, inProgress},
			{"older generation", `{observedGeneration: 3, conditions: [{type: Ready, status: "True"}]}`, inProgress},
			{"status without conditions", `{observedGeneration: 4}`, inProgress},
		}
		for _, tc := range cases {
			got, err := evaluate(t, e, head+"status: "+tc.status)
			require.NoError(t, err, "%s %s", dir, tc.name)
			assert.Equal(t, tc.want, got, "%s %s", dir, tc.name)
		}

		// Before the controller's first status there is no `status` to read:
		// the expressions error, and kustomize-controller keeps polling until
		// a status appears or the timeout passes.
		_, err := evaluate(t, e, head)
		assert.Error(t, err, "%s: no status yet", dir)
	}
}

// The team's Kustomization checks topics and groups with the same three
// conditions.
func TestTopicHealthCheckExprs(t *testing.T) {
	for _, dir := range []string{"deploy/git", "deploy/oci"} {
		exprs, _, _ := unstructured.NestedSlice(build(t, dir)["Kustomization/team-payments-topics"].Object, "spec", "healthCheckExprs")
		require.Len(t, exprs, 2, dir)
		for i, kind := range []string{"RocketMQTopic", "RocketMQConsumerGroup"} {
			e := exprs[i].(map[string]any)
			assert.Equal(t, kind, e["kind"])
			assert.Equal(t, "rocketmq.gitops.dev/v1alpha1", e["apiVersion"])
			head := "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: " + kind + "\nmetadata: {name: refunds, namespace: team-payments, generation: 2}\n"
			for _, tc := range []struct{ name, status, want string }{
				{"ready", `{observedGeneration: 2, conditions: [{type: Ready, status: "True", reason: Applied}, {type: Reconciling, status: "False"}, {type: Stalled, status: "False"}]}`, current},
				{"applying", `{observedGeneration: 2, conditions: [{type: Ready, status: "False", reason: Applying}, {type: Reconciling, status: "True", reason: Applying}]}`, inProgress},
				{"stalled", `{observedGeneration: 2, conditions: [{type: Ready, status: "False", reason: QueuesCannotShrink}, {type: Reconciling, status: "False"}, {type: Stalled, status: "True", reason: QueuesCannotShrink}]}`, failed},
				{"cluster not ready", `{observedGeneration: 2, conditions: [{type: Ready, status: "False", reason: ClusterNotReady}]}`, inProgress},
				{"older generation", `{observedGeneration: 1, conditions: [{type: Ready, status: "True"}]}`, inProgress},
			} {
				got, err := evaluate(t, e, head+"status: "+tc.status)
				require.NoError(t, err, "%s %s %s", dir, kind, tc.name)
				assert.Equal(t, tc.want, got, "%s %s %s", dir, kind, tc.name)
			}
		}
	}
}
