package argocd_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

// health is what an Argo CD health script returns.
type health struct{ status, message string }

// runHealth runs a health script the way Argo CD's repo-server runs one
// from argocd-cm: no standard library but package, base and table, the
// object as the global `obj` (JSON numbers as Lua numbers), a one-second
// limit, and a table result with status and message.
func runHealth(t *testing.T, script, object string) health {
	t.Helper()
	var obj map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(object), &obj))

	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for name, open := range map[string]lua.LGFunction{
		lua.LoadLibName: lua.OpenPackage, lua.BaseLibName: lua.OpenBase, lua.TabLibName: lua.OpenTable,
	} {
		require.NoError(t, l.CallByParam(lua.P{Fn: l.NewFunction(open), Protect: true}, lua.LString(name)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	require.NoError(t, l.DoString(script))

	ret, ok := l.Get(-1).(*lua.LTable)
	require.True(t, ok, "the script must return a table, got %s", l.Get(-1).Type())
	return health{status: lua.LVAsString(ret.RawGetString("status")), message: lua.LVAsString(ret.RawGetString("message"))}
}

func toLua(l *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []any:
		t := l.CreateTable(len(x), 0)
		for _, it := range x {
			t.Append(toLua(l, it))
		}
		return t
	case map[string]any:
		t := l.CreateTable(0, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.RawSetString(k, toLua(l, x[k]))
		}
		return t
	}
	return lua.LNil
}

func readScript(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("argocd-config", "health", name))
	require.NoError(t, err)
	return string(b)
}

const clusterHead = `
apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: orders, namespace: mq, generation: 3}
`

func TestRocketMQClusterHealth(t *testing.T) {
	script := readScript(t, "rocketmqcluster.lua")
	cases := []struct {
		name   string
		status string
		want   health
	}{
		{"no status yet", ``,
			health{"Progressing", "Waiting for the status controller to report"}},
		{"status of an older generation", `
status:
  observedGeneration: 2
  conditions: [{type: Ready, status: "True", message: all ready}]`,
			health{"Progressing", "Waiting for the status controller to observe generation 3"}},
		{"observedGeneration missing", `
status:
  conditions: [{type: Ready, status: "True"}]`,
			health{"Progressing", "Waiting for the status controller to observe generation 3"}},
		{"healthy", `
status:
  observedGeneration: 3
  conditions:
  - {type: Ready, status: "True", message: "3/3 nameservers, 2/2 broker groups with a master, 2/2 proxies"}
  - {type: Progressing, status: "False"}
  - {type: Degraded, status: "False"}
  brokerGroups:
  - {group: 0, name: orders-broker-0, desired: 2, ready: 2, metadata: Initial}
  - {group: 1, name: orders-broker-1, desired: 2, ready: 2, metadata: Synced}`,
			health{"Healthy", "3/3 nameservers, 2/2 broker groups with a master, 2/2 proxies"}},
		{"rolling out", `
status:
  observedGeneration: 3
  conditions:
  - {type: Ready, status: "False", message: "orders-broker-2: 0/2 ready"}
  - {type: Progressing, status: "True", message: "orders-broker-2: 0/2 ready; metadata Pending"}`,
			health{"Progressing", "orders-broker-2: 0/2 ready; metadata Pending"}},
		{"not ready, nothing progressing", `
status:
  observedGeneration: 3
  conditions: [{type: Ready, status: "False", message: "waiting for orders-nameserver"}]`,
			health{"Progressing", "waiting for orders-nameserver"}},
		{"degraded wins over ready", `
status:
  observedGeneration: 3
  conditions:
  - {type: Ready, status: "True"}
  - {type: Degraded, status: "True", message: "orders-broker-1 has no master"}`,
			health{"Degraded", "orders-broker-1 has no master"}},
		{"stalled", `
status:
  observedGeneration: 3
  conditions:
  - {type: Ready, status: "False", message: "broker group orders-broker-1 has had no ready master since 2026-05-01T12:00:00Z"}
  - {type: Stalled, status: "True", message: "broker group orders-broker-1 has had no ready master since 2026-05-01T12:00:00Z"}
  - {type: Reconciling, status: "False"}`,
			health{"Degraded", "broker group orders-broker-1 has had no ready master since 2026-05-01T12:00:00Z"}},
		{"rolling update: master restarting is not damage", `
status:
  observedGeneration: 3
  conditions:
  - {type: Ready, status: "False", message: "StatefulSet orders-broker-0 is rolling out revision r2 (1/2 pods updated)"}
  - {type: Progressing, status: "True", message: "StatefulSet orders-broker-0 is rolling out revision r2 (1/2 pods updated)"}
  - {type: Degraded, status: "False"}
  - {type: Reconciling, status: "True", message: "StatefulSet orders-broker-0 is rolling out revision r2 (1/2 pods updated)"}
  - {type: Stalled, status: "False"}
  brokerGroups:
  - {group: 0, name: orders-broker-0, desired: 2, ready: 1, metadata: Initial, masterLostSince: "2026-05-01T12:00:00Z"}`,
			health{"Progressing", "StatefulSet orders-broker-0 is rolling out revision r2 (1/2 pods updated)"}},
		{"reconciling only", `
status:
  observedGeneration: 3
  conditions:
  - {type: Ready, status: "False", message: "no NameServer pod is ready"}
  - {type: Reconciling, status: "True", message: "waiting for a NameServer"}`,
			health{"Progressing", "waiting for a NameServer"}},
		{"failed metadata copy", `
status:
  observedGeneration: 3
  conditions: [{type: Progressing, status: "True"}]
  brokerGroups:
  - {group: 2, name: orders-broker-2, desired: 2, ready: 2, metadata: Failed, metadataMessage: "source group unreachable"}`,
			health{"Degraded", "Metadata copy to orders-broker-2 failed: source group unreachable"}},
		{"empty conditions", `
status:
  observedGeneration: 3`,
			health{"Progressing", "Waiting for the status controller to report"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, runHealth(t, script, clusterHead+tc.status))
		})
	}
}

func transfer(generation int, rest string) string {
	return fmt.Sprintf("apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: TopicTransfer\n"+
		"metadata: {name: move-orders, namespace: mq, generation: %d}\n%s", generation, rest)
}

func TestTopicTransferHealth(t *testing.T) {
	script := readScript(t, "topictransfer.lua")
	cases := []struct {
		name       string
		generation int
		rest       string
		want       health
	}{
		{"no status yet", 1, ``, health{"Progressing", "Waiting for the status controller to report"}},
		{"pending", 1, `
status: {observedGeneration: 1, phase: Pending}`, health{"Progressing", "Pending"}},
		{"running", 1, `
status: {observedGeneration: 1, phase: Running, step: 5, stepName: Drain, message: "waiting for 120 messages to be consumed"}`,
			health{"Progressing", "Step 5/7 Drain: waiting for 120 messages to be consumed"}},
		{"rolling back", 1, `
status: {observedGeneration: 1, phase: RollingBack, lastError: "drain timed out after 30m"}`,
			health{"Progressing", "Rolling back: drain timed out after 30m"}},
		{"succeeded", 1, `
status: {observedGeneration: 1, phase: Succeeded, message: "orders moved to cluster payments"}`,
			health{"Healthy", "orders moved to cluster payments"}},
		{"rolled back after a failure", 1, `
status: {observedGeneration: 1, phase: RolledBack, lastError: "drain timed out after 30m"}`,
			health{"Degraded", "Rolled back: drain timed out after 30m"}},
		{"rolled back on request", 1, `
spec: {abort: true}
status: {observedGeneration: 1, phase: RolledBack}`,
			health{"Healthy", "Aborted on request and rolled back: the source is unchanged"}},
		{"failed", 1, `
status: {observedGeneration: 1, phase: Failed, message: "topic orders not found on cluster orders"}`,
			health{"Degraded", "Failed: topic orders not found on cluster orders"}},
		{"status of an older generation", 2, `
status: {observedGeneration: 1, phase: Succeeded}`,
			health{"Progressing", "Waiting for the status controller to observe generation 2"}},
		{"spec changed after completion is refused", 1, `
status:
  observedGeneration: 1
  phase: Succeeded
  conditions: [{type: SpecChangeRefused, status: "True", message: "the transfer finished with generation 1; create a new TopicTransfer"}]`,
			health{"Degraded", "the transfer finished with generation 1; create a new TopicTransfer"}},
		{"unknown phase", 1, `
status: {observedGeneration: 1, phase: Paused}`, health{"Unknown", "Unknown phase Paused"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, runHealth(t, script, transfer(tc.generation, tc.rest)))
		})
	}
}

func metadataObject(kind string, generation int, status string) string {
	return fmt.Sprintf("apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: %s\n"+
		"metadata: {name: orders, namespace: team-orders, generation: %d}\nspec: {clusterRef: {name: orders}}\n%s", kind, generation, status)
}

// Topics and consumer groups: Healthy once Ready at the current
// generation, Degraded when Stalled (with the condition's message),
// Progressing otherwise.
func TestRocketMQTopicAndConsumerGroupHealth(t *testing.T) {
	script := readScript(t, "rocketmqmetadata.lua")
	cases := []struct {
		name       string
		generation int
		status     string
		want       health
	}{
		{"no status yet", 1, ``, health{"Progressing", "Waiting for the status controller to report"}},
		{"status of an older generation", 2, `
status:
  observedGeneration: 1
  conditions: [{type: Ready, status: "True", reason: Applied, message: "on orders-broker-0, orders-broker-1"}]`,
			health{"Progressing", "Waiting for the status controller to observe generation 2"}},
		{"observedGeneration missing", 1, `
status:
  conditions: [{type: Ready, status: "True"}]`,
			health{"Progressing", "Waiting for the status controller to observe generation 1"}},
		{"ready", 2, `
status:
  observedGeneration: 2
  conditions:
  - {type: Ready, status: "True", reason: Applied, message: "on orders-broker-0, orders-broker-1 as declared"}
  - {type: Reconciling, status: "False", reason: Applied}
  - {type: Stalled, status: "False", reason: Applied}`,
			health{"Healthy", "on orders-broker-0, orders-broker-1 as declared"}},
		{"ready without a message", 2, `
status:
  observedGeneration: 2
  conditions: [{type: Ready, status: "True", reason: Applied}]`,
			health{"Healthy", "Applied"}},
		{"applying", 2, `
status:
  observedGeneration: 2
  conditions:
  - {type: Ready, status: "False", reason: Applying, message: "1/2 broker groups"}
  - {type: Reconciling, status: "True", reason: Applying, message: "creating on orders-broker-1"}`,
			health{"Progressing", "creating on orders-broker-1"}},
		{"cluster not ready yet", 2, `
status:
  observedGeneration: 2
  conditions: [{type: Ready, status: "False", reason: ClusterNotReady, message: "cluster mq/orders has no reachable master"}]`,
			health{"Progressing", "cluster mq/orders has no reachable master"}},
		{"stalled: queues would shrink", 2, `
status:
  observedGeneration: 2
  conditions:
  - {type: Ready, status: "False", reason: QueuesCannotShrink}
  - {type: Reconciling, status: "False"}
  - {type: Stalled, status: "True", reason: QueuesCannotShrink, message: "orders-broker-0 holds 16 queues, the spec 8: queue counts may grow, never shrink"}`,
			health{"Degraded", "orders-broker-0 holds 16 queues, the spec 8: queue counts may grow, never shrink"}},
		{"stalled without a message", 2, `
status:
  observedGeneration: 2
  conditions: [{type: Stalled, status: "True", reason: NamespaceNotAllowed}]`,
			health{"Degraded", "NamespaceNotAllowed"}},
		{"stalled wins over a stale ready", 2, `
status:
  observedGeneration: 2
  conditions:
  - {type: Ready, status: "True"}
  - {type: Stalled, status: "True", message: "duplicate of team-orders/orders-v2"}`,
			health{"Degraded", "duplicate of team-orders/orders-v2"}},
		{"empty conditions", 2, `
status:
  observedGeneration: 2`,
			health{"Progressing", "Waiting for the status controller to report"}},
	}
	for _, kind := range []string{"RocketMQTopic", "RocketMQConsumerGroup"} {
		for _, tc := range cases {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				assert.Equal(t, tc.want, runHealth(t, script, metadataObject(kind, tc.generation, tc.status)))
			})
		}
	}
}

// The Application check is Argo CD's documented one: a child Application
// reports its own health, and is Progressing until it has one.
func TestApplicationHealth(t *testing.T) {
	script := readScript(t, "application.lua")
	head := "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: orders-rocketmq, namespace: argocd}\n"
	for _, c := range []struct {
		name, status string
		want         health
	}{
		{"no status yet", "", health{"Progressing", ""}},
		{"no health yet", "status: {sync: {status: OutOfSync}}", health{"Progressing", ""}},
		{"healthy", "status: {health: {status: Healthy}}", health{"Healthy", ""}},
		{"degraded with a message", "status: {health: {status: Degraded, message: orders is Degraded}}", health{"Degraded", "orders is Degraded"}},
		{"progressing", "status: {health: {status: Progressing}}", health{"Progressing", ""}},
		{"missing", "status: {health: {status: Missing}}", health{"Missing", ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, runHealth(t, script, head+c.status))
		})
	}
}
