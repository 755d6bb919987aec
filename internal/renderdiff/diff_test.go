package renderdiff

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const brokerSTS = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: orders-broker-%G%
  namespace: mq
  labels: {app.kubernetes.io/component: broker}
  annotations:
    argocd.argoproj.io/sync-options: Prune=false,Delete=false
    kustomize.toolkit.fluxcd.io/prune: disabled
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: broker
        image: apache/rocketmq:5.3.2
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
  volumeClaimTemplates:
  - metadata: {name: store}
    spec: {resources: {requests: {storage: 50Gi}}}
`

const proxyDeploy = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-proxy
  namespace: mq
  labels: {app.kubernetes.io/component: proxy}
spec:
  replicas: 2
`

const brokerConf = `
apiVersion: v1
kind: ConfigMap
metadata: {name: orders-broker-0, namespace: mq, labels: {app.kubernetes.io/component: broker}}
data:
  broker.conf: |
    brokerClusterName=orders
    flushDiskType=ASYNC_FLUSH
    deleteWhen=04
`

func broker(g string) string { return strings.ReplaceAll(brokerSTS, "%G%", g) }

// unprotected drops the prune-protection annotations, as a render from
// before they existed would lack them.
func unprotected(doc string) string {
	var kept []string
	for _, l := range strings.Split(doc, "\n") {
		if !strings.Contains(l, "argocd.argoproj.io/sync-options") && !strings.Contains(l, "kustomize.toolkit.fluxcd.io/prune") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

func objs(t *testing.T, docs ...string) []Object {
	t.Helper()
	o, err := Parse([]byte(strings.Join(docs, "\n---\n")))
	require.NoError(t, err)
	return o
}

func TestDiff(t *testing.T) {
	cases := []struct {
		name      string
		old, new  []string
		changes   []string // "<action> <id>"
		fields    []string // "<path>: old → new" over all changes
		summary   []string
		unchanged int
	}{
		{
			name:      "broker group added",
			old:       []string{broker("0"), broker("1")},
			new:       []string{broker("0"), broker("1"), broker("2")},
			changes:   []string{"added StatefulSet/mq/orders-broker-2"},
			summary:   []string{"broker group orders-broker-2 added"},
			unchanged: 2,
		},
		{
			name:    "broker group removed is left running to drain",
			old:     []string{broker("0"), broker("1")},
			new:     []string{broker("0")},
			changes: []string{"removed StatefulSet/mq/orders-broker-1"},
			summary: []string{"broker group orders-broker-1 left running to drain: Argo CD and Flux do not prune it; the status controller " +
				"wipes its write permission and reports it Retiring, then Drained with the command that deletes it (its PersistentVolumeClaims are kept)"},

			unchanged: 1,
		},
		{
			name:    "broker group without prune protection removed",
			old:     []string{broker("0"), unprotected(broker("1"))},
			new:     []string{broker("0")},
			changes: []string{"removed StatefulSet/mq/orders-broker-1"},
			summary: []string{"broker group orders-broker-1 removed (its PersistentVolumeClaims are retained)"},

			unchanged: 1,
		},
		{
			name:    "proxy replicas",
			old:     []string{proxyDeploy},
			new:     []string{strings.Replace(proxyDeploy, "replicas: 2", "replicas: 3", 1)},
			changes: []string{"changed Deployment/mq/orders-proxy"},
			fields:  []string{"spec.replicas: 2 → 3"},
			summary: []string{"orders-proxy replicas 2 → 3"},
		},
		{
			name:    "image bump rolls the pods",
			old:     []string{broker("0")},
			new:     []string{strings.Replace(broker("0"), "5.3.2", "5.3.3", 1)},
			changes: []string{"changed StatefulSet/mq/orders-broker-0"},
			fields:  []string{"spec.template.spec.containers[broker].image: apache/rocketmq:5.3.2 → apache/rocketmq:5.3.3"},
			summary: []string{
				"broker group orders-broker-0 image apache/rocketmq:5.3.2 → apache/rocketmq:5.3.3",
				"broker group orders-broker-0 pods will roll (pod template changed)",
			},
		},
		{
			name:    "env var inserted is one addition, matched by name",
			old:     []string{broker("0")},
			new:     []string{strings.Replace(broker("0"), "- {name: A", "- {name: Z, value: z}\n        - {name: A", 1)},
			changes: []string{"changed StatefulSet/mq/orders-broker-0"},
			fields:  []string{`spec.template.spec.containers[broker].env[Z]: (none) → {"name":"Z","value":"z"}`},
			summary: []string{"broker group orders-broker-0 pods will roll (pod template changed)"},
		},
		{
			name:    "storage size change is flagged as immutable",
			old:     []string{broker("0")},
			new:     []string{strings.Replace(broker("0"), "50Gi", "100Gi", 1)},
			changes: []string{"changed StatefulSet/mq/orders-broker-0"},
			fields:  []string{"spec.volumeClaimTemplates[0].spec.resources.requests.storage: 50Gi → 100Gi"},
			summary: []string{"WARNING: broker group orders-broker-0 volumeClaimTemplates changed; " +
				"the field is immutable, the apply will be rejected until the StatefulSet is recreated"},
		},
		{
			name: "prune protection removed",
			old:  []string{broker("0")},
			new: []string{strings.Replace(strings.Replace(broker("0"),
				"Prune=false,Delete=false", "Delete=false", 1), "    kustomize.toolkit.fluxcd.io/prune: disabled\n", "", 1)},
			changes: []string{"changed StatefulSet/mq/orders-broker-0"},
			fields: []string{
				`metadata.annotations["argocd.argoproj.io/sync-options"]: Prune=false,Delete=false → Delete=false`,
				`metadata.annotations["kustomize.toolkit.fluxcd.io/prune"]: disabled → (none)`,
			},
			summary: []string{
				"WARNING: broker group orders-broker-0 no longer carries argocd.argoproj.io/sync-options: Prune=false",
				"WARNING: broker group orders-broker-0 no longer carries kustomize.toolkit.fluxcd.io/prune: disabled",
			},
		},
		{
			name:    "broker.conf key change",
			old:     []string{brokerConf},
			new:     []string{strings.Replace(brokerConf, "ASYNC_FLUSH", "SYNC_FLUSH\n    maxMessageSize=1048576", 1)},
			changes: []string{"changed ConfigMap/mq/orders-broker-0"},
			fields:  []string{`data["broker.conf"]: (text) → (text)`},
			summary: []string{
				"orders-broker-0 broker.conf: flushDiskType ASYNC_FLUSH → SYNC_FLUSH",
				"orders-broker-0 broker.conf: maxMessageSize=1048576 added",
			},
		},
		{
			name:    "cluster spec edits are listed",
			old:     []string{"apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: orders, namespace: mq}\nspec: {broker: {groups: 2}, proxy: {replicas: 2}}"},
			new:     []string{"apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: orders, namespace: mq}\nspec: {broker: {groups: 3}, proxy: {replicas: 2}}"},
			changes: []string{"changed RocketMQCluster/mq/orders"},
			fields:  []string{"spec.broker.groups: 2 → 3"},
			summary: []string{"cluster orders spec.broker.groups 2 → 3"},
		},
		{
			name:    "api version move is a change, not remove and add",
			old:     []string{"apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: mq}"},
			new:     []string{"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: mq}"},
			changes: []string{"changed PodDisruptionBudget/mq/p"},
			fields:  []string{"apiVersion: policy/v1beta1 → policy/v1"},
		},
		{
			name:    "service type",
			old:     []string{"apiVersion: v1\nkind: Service\nmetadata: {name: orders-proxy, namespace: mq, labels: {app.kubernetes.io/component: proxy}}\nspec: {type: ClusterIP}"},
			new:     []string{"apiVersion: v1\nkind: Service\nmetadata: {name: orders-proxy, namespace: mq, labels: {app.kubernetes.io/component: proxy}}\nspec: {type: LoadBalancer}"},
			changes: []string{"changed Service/mq/orders-proxy"},
			fields:  []string{"spec.type: ClusterIP → LoadBalancer"},
			summary: []string{"orders-proxy type ClusterIP → LoadBalancer"},
		},
		{
			name:      "identical renders",
			old:       []string{broker("0"), proxyDeploy},
			new:       []string{proxyDeploy, broker("0")},
			unchanged: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Diff(objs(t, tc.old...), objs(t, tc.new...))
			require.NoError(t, err)
			var changes, fields []string
			for _, c := range r.Changes {
				changes = append(changes, string(c.Action)+" "+c.ID.String())
				for _, f := range c.Fields {
					fields = append(fields, f.Path+": "+f.Old+" → "+f.New)
				}
			}
			assert.Equal(t, tc.changes, changes, "changes")
			assert.Equal(t, tc.fields, fields, "fields")
			assert.Equal(t, tc.summary, r.Summary, "summary")
			assert.Equal(t, tc.unchanged, r.Unchanged, "unchanged")
		})
	}
}

func TestDiffRefusesAmbiguousInput(t *testing.T) {
	_, err := Diff(objs(t, proxyDeploy, proxyDeploy), nil)
	assert.ErrorContains(t, err, "Deployment/mq/orders-proxy appears twice")

	_, err = Diff(nil, objs(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: mq}"))
	assert.ErrorContains(t, err, "without kind or metadata.name")
}

func TestParse(t *testing.T) {
	o, err := Parse([]byte("---\n# comment only\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---\n{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"b\"}}\n"))
	require.NoError(t, err)
	require.Len(t, o, 2)
	assert.Equal(t, "Secret", o[1]["kind"])

	_, err = Parse([]byte("apiVersion: v1\nkind: [unclosed\n"))
	assert.ErrorContains(t, err, "decoding document 0")
}

func TestLineDiff(t *testing.T) {
	cases := []struct {
		a, b string
		want []string
	}{
		{"a\nb\nc\n", "a\nb\nc\n", nil},
		{"a\nb\nc", "a\nB\nc", []string{"-b", "+B"}},
		{"a\nc", "a\nb\nc", []string{"+b"}},
		{"a\nb", "b", []string{"-a"}},
		{"", "x", []string{"-", "+x"}},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, lineDiff(tc.a, tc.b), "%q → %q", tc.a, tc.b)
	}
}

func TestFormatCutsLongValues(t *testing.T) {
	s := format(strings.Repeat("x", 300))
	assert.Equal(t, maxValueLen, len([]rune(s)), "cut to the limit in runes")
	assert.Equal(t, maxValueLen, len([]rune(format(strings.Repeat("é", 300)))), "never splits a rune")
	assert.True(t, strings.HasSuffix(s, "…"))
	assert.Equal(t, `""`, format(""))
	assert.Equal(t, "3", format(float64(3)))
	assert.Equal(t, `{"a":[1,2]}`, format(map[string]any{"a": []any{float64(1), float64(2)}}))
}
