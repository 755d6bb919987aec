package crdschema_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/crdschema"
)

const (
	repoRoot   = "../.."
	crdDir     = repoRoot + "/config/crd/bases"
	schemasDir = repoRoot + "/schemas"
	group      = "rocketmq.gitops.dev"
)

// TestSchemasUpToDate generates the schemas from config/crd/bases and fails
// when the committed schemas/ differs, so the CRDs and the schemas editors
// and kubeconform read cannot drift apart.
func TestSchemasUpToDate(t *testing.T) {
	files, err := crdschema.Generate(crdDir)
	require.NoError(t, err)
	committed, err := crdschema.List(schemasDir)
	require.NoError(t, err)
	var want []string
	for name := range files {
		want = append(want, name)
	}
	assert.ElementsMatch(t, want, committed, "schemas/ holds other files than the CRDs give: run make schemas")
	for name, b := range files {
		got, err := os.ReadFile(filepath.Join(schemasDir, filepath.FromSlash(name)))
		if err != nil {
			continue // reported above
		}
		assert.True(t, bytes.Equal(b, got), "schemas/%s is stale: run make schemas", name)
	}
}

// TestKubeconformLayout pins the file names to kubeconform's
// {{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json template (kind
// lowercased, version without the group), which docs/gitops.md documents.
func TestKubeconformLayout(t *testing.T) {
	files, err := crdschema.Generate(crdDir)
	require.NoError(t, err)
	assert.Contains(t, files, "rocketmq.gitops.dev/rocketmqcluster_v1alpha1.json")
	assert.Contains(t, files, "rocketmq.gitops.dev/topictransfer_v1alpha1.json")
}

type validator struct {
	schemas map[string]*jsonschema.Schema // by apiVersion + " " + kind
}

func newValidator(t *testing.T) *validator {
	t.Helper()
	names, err := crdschema.List(schemasDir)
	require.NoError(t, err)
	require.NotEmpty(t, names, "no schemas under schemas/: run make schemas")
	v := &validator{schemas: map[string]*jsonschema.Schema{}}
	c := jsonschema.NewCompiler()
	for _, name := range names {
		f, err := os.Open(filepath.Join(schemasDir, filepath.FromSlash(name)))
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(f)
		require.NoError(t, f.Close())
		require.NoError(t, err, name)
		url := "file:///schemas/" + name
		require.NoError(t, c.AddResource(url, doc), name)
		sch, err := c.Compile(url)
		require.NoError(t, err, name)
		props := doc.(map[string]any)["properties"].(map[string]any)
		apiVersion := props["apiVersion"].(map[string]any)["enum"].([]any)[0].(string)
		kind := props["kind"].(map[string]any)["enum"].([]any)[0].(string)
		v.schemas[apiVersion+" "+kind] = sch
	}
	return v
}

// validate checks one object; ok is false when it is not one of ours.
func (v *validator) validate(obj map[string]any) (ok bool, err error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if !strings.HasPrefix(apiVersion, group+"/") {
		return false, nil
	}
	sch := v.schemas[apiVersion+" "+kind]
	if sch == nil {
		// No schema for this apiVersion: validate against any version of
		// the kind, so the enum names the versions there are.
		for key, s := range v.schemas {
			if strings.HasSuffix(key, " "+kind) {
				sch = s
			}
		}
	}
	if sch == nil {
		return true, errors.New("no schema for " + apiVersion + " " + kind)
	}
	return true, sch.Validate(obj)
}

// documents returns the YAML documents of a file as JSON values
// (json.Number for numbers, as the validator wants them).
func documents(t *testing.T, b []byte) []any {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var docs []any
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs
		}
		require.NoError(t, err)
		j, err := yaml.YAMLToJSON(doc)
		require.NoError(t, err)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		require.NoError(t, err)
		if v != nil {
			docs = append(docs, v)
		}
	}
}

// objects returns our objects in a document, looking into a List's or a
// ResourceList's items and functionConfig.
func objects(doc any) []map[string]any {
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil
	}
	out := []map[string]any{obj}
	if fc, ok := obj["functionConfig"].(map[string]any); ok {
		out = append(out, fc)
	}
	items, _ := obj["items"].([]any)
	for _, item := range items {
		out = append(out, objects(item)...)
	}
	return out
}

// TestExamplesMatchSchemas validates every object of our kinds
// (RocketMQCluster, TopicTransfer, RocketMQTopic, RocketMQConsumerGroup)
// in a YAML file under examples/ (every directory, overlays included) and in
// the valid inputs and outputs of testdata/golden with the committed
// schemas, as kubeconform and an editor would.
func TestExamplesMatchSchemas(t *testing.T) {
	v := newValidator(t)
	seen := map[string]int{}
	check := func(path string) {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		rel, _ := filepath.Rel(repoRoot, path)
		for _, doc := range documents(t, b) {
			for _, obj := range objects(doc) {
				ours, err := v.validate(obj)
				if !ours {
					continue
				}
				seen[obj["kind"].(string)]++
				assert.NoError(t, err, "%s: %v/%v", rel, obj["kind"], obj["metadata"])
			}
		}
	}
	walk := func(root string, skip func(dir string) bool) {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != root && (strings.HasPrefix(d.Name(), ".") || skip(d.Name())) {
					return filepath.SkipDir
				}
				return nil
			}
			if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
				check(path)
			}
			return nil
		})
		require.NoError(t, err)
	}
	// Under examples/, testdata holds the inputs of the examples' own
	// tests, some of them broken on purpose.
	walk(repoRoot+"/examples", func(dir string) bool { return dir == "testdata" })
	walk(repoRoot+"/testdata/golden", func(dir string) bool { return strings.HasPrefix(dir, "invalid-") })
	assert.GreaterOrEqual(t, seen["RocketMQCluster"], 10, "RocketMQCluster objects validated: is the walk looking at the examples?")
	assert.GreaterOrEqual(t, seen["TopicTransfer"], 2, "TopicTransfer objects validated")
	assert.GreaterOrEqual(t, seen["RocketMQTopic"], 6, "RocketMQTopic objects validated (examples/topics, examples/flux/topics)")
	assert.GreaterOrEqual(t, seen["RocketMQConsumerGroup"], 3, "RocketMQConsumerGroup objects validated")
	t.Logf("validated %v", seen)
}

const validCluster = `
apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata:
  name: orders
  namespace: mq
  labels: {team: payments}
spec:
  version: "5.3.3"
  nameServer: {replicas: 3}
  broker:
    mode: MasterSlave
    groups: 2
    replicasPerGroup: 2
    storage: {size: 50Gi}
    config: {flushDiskType: SYNC_FLUSH, autoCreateTopicEnable: false, maxMessageSize: 4194304}
`

// TestSchemasRefuseBrokenManifests checks that the schemas are strict enough
// to be worth an editor's squiggle: unknown fields at every depth, wrong
// types, values outside an enum and a foreign apiVersion are refused, while
// the unbroken manifest passes.
func TestSchemasRefuseBrokenManifests(t *testing.T) {
	v := newValidator(t)
	parse := func(s string) map[string]any {
		docs := documents(t, []byte(s))
		require.Len(t, docs, 1)
		return docs[0].(map[string]any)
	}
	ours, err := v.validate(parse(validCluster))
	require.True(t, ours)
	require.NoError(t, err)

	broken := map[string]func(string) string{
		"unknown top-level field": func(s string) string { return s + "extra: 1\n" },
		"unknown spec field":      func(s string) string { return strings.Replace(s, "  version:", "  replica: 3\n  version:", 1) },
		"misspelt nested field":   func(s string) string { return strings.Replace(s, "replicasPerGroup", "replicaPerGroup", 1) },
		"unknown field in a struct": func(s string) string {
			return strings.Replace(s, "{size: 50Gi}", "{size: 50Gi, storageClass: fast}", 1)
		},
		"wrong type":            func(s string) string { return strings.Replace(s, "groups: 2", "groups: two", 1) },
		"object for an integer": func(s string) string { return strings.Replace(s, "{replicas: 3}", "{replicas: {count: 3}}", 1) },
		"value outside an enum": func(s string) string { return strings.Replace(s, "MasterSlave", "Sentinel", 1) },
		"foreign apiVersion":    func(s string) string { return strings.Replace(s, "v1alpha1", "v1beta1", 1) },
		"label value not a string": func(s string) string {
			return strings.Replace(s, "{team: payments}", "{replicas: 3}", 1)
		},
	}
	for name, mutate := range broken {
		t.Run(name, func(t *testing.T) {
			src := mutate(validCluster)
			require.NotEqual(t, validCluster, src, "the mutation changed nothing")
			ours, err := v.validate(parse(src))
			require.True(t, ours)
			assert.Error(t, err, "the schema accepted:\n%s", src)
		})
	}

	// Two of the inputs krm-fn refuses are refused by the schema too.
	for _, dir := range []string{"invalid-unknown-field-nameserver", "invalid-bad-enum-mode"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, "testdata/golden", dir, "input.yaml"))
		require.NoError(t, err)
		refused := false
		for _, doc := range documents(t, b) {
			for _, obj := range objects(doc) {
				if ours, err := v.validate(obj); ours && err != nil {
					refused = true
				}
			}
		}
		assert.True(t, refused, "testdata/golden/%s/input.yaml passes the schema", dir)
	}

	transfer := parse(`
apiVersion: rocketmq.gitops.dev/v1alpha1
kind: TopicTransfer
metadata: {name: t}
spec: {unknownField: true}
`)
	_, err = v.validate(transfer)
	assert.ErrorContains(t, err, "unknownField")
}
