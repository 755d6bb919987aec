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
			[]wantErr{{"spec.broker.groupz", `did you mean "groups"?`}}},
		{"unknown metadata field", header[:len(header)-len("metadata: {name: orders}\n")] + "metadata: {name: orders, labelz: {}}\n",
			[]wantErr{{"metadata.labelz", "unknown field"}}},
		{"unknown field in a list item", header + "spec:\n  imagePullSecrets: [{nme: x}]\n",
			// The typo leaves the reference without a name; that the name
			// is missing is not reported as well (the suggestion says it).
			[]wantErr{{"spec.imagePullSecrets[0].nme", `did you mean "name"?`}}},
		{"the suggested field is set too, and its problems count", header + "spec:\n  nameserver: {}\n  nameServer: {replicas: 0}\n",
			[]wantErr{{"spec.nameserver", `did you mean "nameServer"?`}, {"spec.nameServer.replicas", "must be at least 1"}}},
		{"misspelt required reference", header + "spec:\n  acl: {enabled: true, adminSecret: {name: admin}}\n",
			[]wantErr{{"spec.acl.adminSecret", `did you mean "adminSecretRef"?`}}},
		{"misspelt field a cross-field rule needs", header + "spec:\n  broker: {mode: Controller}\n  controler: {replicas: 3}\n",
			[]wantErr{{"spec.controler", `did you mean "controller"?`}}},
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

// An unknown field's error names the field, the field most likely meant
// and every valid field at that place, so it helps where no documentation
// is at hand (an Argo CD sync error, a CI log).
func TestUnknownFieldMessages(t *testing.T) {
	tests := []struct {
		name, spec, path, want string
	}{
		{"missing letter", "nameServer: {replica: 3}", "spec.nameServer.replica",
			`unknown field "replica": did you mean "replicas"? (valid fields: hostNetwork, jvm, placement, replicas, resources)`},
		{"prefix of the field", "broker: {storage: {storageClass: fast}}", "spec.broker.storage.storageClass",
			`unknown field "storageClass": did you mean "storageClassName"? (valid fields: size, storageClassName)`},
		{"swapped letters", "dashbaord: {enabled: true}", "spec.dashbaord", //nolint:misspell // the typo under test
			`unknown field "dashbaord": did you mean "dashboard"?`}, //nolint:misspell // the typo under test
		{"case only", "nameserver: {}", "spec.nameserver", `did you mean "nameServer"?`},
		{"nothing close", "nameServer: {zookeeper: 3}", "spec.nameServer.zookeeper",
			`unknown field "zookeeper": remove it or correct its name (valid fields: hostNetwork, jvm, placement, replicas, resources)`},
		{"in a list item", "imagePullSecrets: [{nmae: x}]", "spec.imagePullSecrets[0].nmae", //nolint:misspell // the typo under test
			`unknown field "nmae": did you mean "name"? (valid fields: name)`}, //nolint:misspell // the typo under test
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCluster([]byte(header + "spec:\n  " + tt.spec + "\n"))
			var de *DecodeError
			require.True(t, errors.As(err, &de), "want a *DecodeError, got %v", err)
			require.Len(t, de.FieldErrors(), 1, "%v", err)
			e := de.FieldErrors()[0]
			assert.Equal(t, tt.path, e.Field)
			assert.Contains(t, e.Error(), tt.want)
			assert.NotContains(t, e.Error(), "docs/api.md")
		})
	}
}

func TestSuggestFieldName(t *testing.T) {
	fields := []string{"replicas", "replicasPerGroup", "replicationMode", "groups", "storageClassName", "dashboard", "nameServer", "jvm"}
	for name, want := range map[string]string{
		"replica":           "replicas",
		"Replicas":          "replicas",
		"replicaPerGroup":   "replicasPerGroup",
		"replicasPerGroups": "replicasPerGroup",
		"replicationMod":    "replicationMode",
		"storageClass":      "storageClassName",
		"storageclassname":  "storageClassName",
		"dashbaord":         "dashboard", //nolint:misspell // the typo under test
		"nameserver":        "nameServer",
		"name_server":       "nameServer",
		"groupz":            "groups",
		"jvn":               "jvm",
		"rep":               "", // too short to be a prefix, and too far
		"jv":                "jvm",
		"zookeeper":         "",
		"size":              "",
		"x":                 "",
	} {
		assert.Equal(t, want, suggestFieldName(name, fields), name)
	}
	assert.Empty(t, suggestFieldName("replica", nil))
	// A huge key costs no quadratic work: its length alone rules every field out.
	assert.Empty(t, suggestFieldName(strings.Repeat("r", 1<<20), fields))
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"replica", "replicas", 1},
		{"dashbaord", "dashboard", 1}, {"kitten", "sitting", 3}, {"ca", "abc", 3}, //nolint:misspell // the typo under test
	} {
		assert.Equal(t, tt.want, editDistance(tt.a, tt.b), "%s/%s", tt.a, tt.b)
		assert.Equal(t, tt.want, editDistance(tt.b, tt.a), "%s/%s", tt.b, tt.a)
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
