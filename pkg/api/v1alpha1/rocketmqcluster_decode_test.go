package v1alpha1

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/equality"
)

const header = "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: orders}\n"

func TestDecodeFull(t *testing.T) {
	c, err := DecodeCluster(readTestdata(t, "full.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "orders", c.Name)
	assert.Equal(t, "mq", c.Namespace)
	assert.Equal(t, BrokerModeController, c.Spec.Broker.Mode)
	assert.Equal(t, map[string]ConfigValue{
		"flushDiskType":             "SYNC_FLUSH",
		"autoCreateTopicEnable":     "false",
		"sendMessageThreadPoolNums": "16",
		"diskMaxUsedSpaceRatio":     "87.5",
	}, c.Spec.Broker.Config, "numbers and booleans keep their text form")
	assert.Equal(t, "50Gi", c.Spec.Broker.Storage.Size.String())
	assert.Equal(t, "fast", *c.Spec.Broker.Storage.StorageClassName)
}

func TestDecodeJSON(t *testing.T) {
	c, err := DecodeCluster([]byte(`{"apiVersion":"rocketmq.gitops.dev/v1alpha1","kind":"RocketMQCluster",` +
		`"metadata":{"name":"orders"},"spec":{"nameServer":{"replicas":3}}}`))
	require.NoError(t, err)
	assert.Equal(t, int32(3), *c.Spec.NameServer.Replicas)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []wantErr
	}{
		{"typo with case suggestion", header + "spec:\n  nameserver: {replicas: 3}\n",
			[]wantErr{{"spec.nameserver", `did you mean "nameServer"`}}},
		{"unknown nested field", header + "spec:\n  broker: {groupz: 2}\n",
			[]wantErr{{"spec.broker.groupz", "unknown field"}}},
		{"unknown metadata field", header[:len(header)-len("metadata: {name: orders}\n")] + "metadata: {name: orders, labelz: {}}\n",
			[]wantErr{{"metadata.labelz", "unknown field"}}},
		{"unknown field in a list item", header + "spec:\n  imagePullSecrets: [{nme: x}]\n",
			// The typo leaves the reference without a name, which the
			// validation of the rest of the document reports too.
			[]wantErr{{"spec.imagePullSecrets[0].nme", "unknown field"}, {"spec.imagePullSecrets[0].name", "RFC 1123"}}},
		{"version as number", header + "spec:\n  version: 5.3\n",
			[]wantErr{{"spec.version", "must be a string (quote it), not a number"}}},
		{"replicas as string", header + "spec:\n  nameServer: {replicas: three}\n",
			[]wantErr{{"spec.nameServer.replicas", "must be a whole number, not a string"}}},
		{"replicas fractional", header + "spec:\n  nameServer: {replicas: 1.5}\n",
			[]wantErr{{"spec.nameServer.replicas", "must be a whole number"}}},
		{"replicas beyond int32", header + "spec:\n  nameServer: {replicas: 3000000000}\n",
			[]wantErr{{"spec.nameServer.replicas", "must fit in 32 bits"}}},
		{"bad quantity", header + "spec:\n  broker: {storage: {size: 50GB}}\n",
			[]wantErr{{"spec.broker.storage.size", "must be a quantity such as 50Gi"}}},
		{"quantity with a huge exponent", header + "spec:\n  nameServer: {jvm: {heap: 1e900000000}}\n",
			[]wantErr{{"spec.nameServer.jvm.heap", "must be at most 8Ei"}}},
		{"huge quantity in a resource list", header + "spec:\n  proxy: {resources: {limits: {memory: 9e30}}}\n",
			[]wantErr{{"spec.proxy.resources.limits[memory]", "must be at most 8Ei"}}},
		{"config value list", header + "spec:\n  broker: {config: {deleteWhen: [4]}}\n",
			[]wantErr{{"spec.broker.config[deleteWhen]", "must be a string, number or boolean"}}},
		{"config value null", header + "spec:\n  broker: {config: {deleteWhen: null}}\n",
			[]wantErr{{"spec.broker.config[deleteWhen]", "must be a string, number or boolean"}}},
		{"section not an object", header + "spec:\n  broker: 2\n",
			[]wantErr{{"spec.broker", "must be an object, not a number"}}},
		{"list expected", header + "spec:\n  imagePullSecrets: regcred\n",
			[]wantErr{{"spec.imagePullSecrets", "must be a list, not a string"}}},
		{"every problem at once, unknown fields included", header + "spec:\n  nameserver: {}\n  proxy: {enabled: yes please}\n",
			[]wantErr{{"spec.nameserver", "unknown field"}, {"spec.proxy.enabled", "must be true or false"}}},
		{"wrong kind", "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: Cluster\nmetadata: {name: a}\n",
			[]wantErr{{"kind", "must be RocketMQCluster"}}},
		{"wrong apiVersion", "apiVersion: v1\nkind: RocketMQCluster\nmetadata: {name: a}\n",
			[]wantErr{{"apiVersion", "must be rocketmq.gitops.dev/v1alpha1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := DecodeCluster([]byte(tt.in))
			assert.Nil(t, c)
			var de *DecodeError
			require.True(t, errors.As(err, &de), "want a *DecodeError, got %v", err)
			assertErrors(t, de.FieldErrors(), tt.want...)
			assert.Contains(t, err.Error(), tt.want[0].path)
		})
	}
}

// Fields that do not decode are removed and the rest is still defaulted
// and validated, so one run reports every problem; problems on a removed
// field are not reported twice.
func TestDecodeAlsoValidatesTheRest(t *testing.T) {
	in := header[:len(header)-len("metadata: {name: orders}\n")] + `metadata: {name: Orders}
spec:
  nameserver: {replicas: 3}
  broker: {mode: Controller, groups: 0, storage: {size: 50GB}, config: {brokerName: x}}
  controller: {replicas: 2}
`
	_, err := DecodeCluster([]byte(in))
	var de *DecodeError
	require.True(t, errors.As(err, &de), "want a *DecodeError, got %v", err)
	assertErrors(t, de.FieldErrors(),
		wantErr{"spec.broker.storage.size", "must be a quantity"},
		wantErr{"spec.nameserver", "unknown field"},
		wantErr{"metadata.name", "lower-case"},
		wantErr{"spec.controller.replicas", "must be odd"},
		wantErr{"spec.broker.groups", "between 1 and 100"},
		wantErr{"spec.broker.config[brokerName]", "set by the renderer"},
	)
}

func TestDecodeMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"null":           "null",
		"list":           "- a\n- b\n",
		"scalar":         "orders",
		"duplicate keys": header + "spec: {}\nspec: {}\n",
		"bad yaml":       "spec: {broker: [}\n",
	} {
		t.Run(name, func(t *testing.T) {
			c, err := DecodeCluster([]byte(in))
			assert.Nil(t, c)
			require.Error(t, err)
			var de *DecodeError
			assert.False(t, errors.As(err, &de), "no field path applies: %v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "reading RocketMQCluster YAML: "), err.Error())
		})
	}
}

// TestDecodeRoundTrip checks that a decoded, defaulted cluster encodes and
// decodes to itself, so the renderer can pass it through unchanged.
func TestDecodeRoundTrip(t *testing.T) {
	c, err := DecodeCluster(readTestdata(t, "full.yaml"))
	require.NoError(t, err)
	c.Default()
	out, err := yamlMarshal(c)
	require.NoError(t, err)
	again, err := DecodeCluster(out)
	require.NoError(t, err, "%s", out)
	assert.True(t, equality.Semantic.DeepEqual(c, again))
}
