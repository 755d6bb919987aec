package v1alpha1

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/yaml"
)

const (
	repoRoot     = "../../.."
	crdBasesDir  = repoRoot + "/config/crd/bases"
	clusterCRD   = crdBasesDir + "/rocketmq.gitops.dev_rocketmqclusters.yaml"
	crdKustomize = repoRoot + "/config/crd/kustomization.yaml"
)

// TestCRDsUpToDate regenerates the CRDs with the pinned controller-gen and
// fails when config/crd/bases differs, so markers and CRDs cannot drift.
func TestCRDsUpToDate(t *testing.T) {
	gen := os.Getenv("CONTROLLER_GEN")
	if gen == "" {
		t.Fatal("CONTROLLER_GEN is not set: run make test (it builds controller-gen and exports it), " +
			"or CONTROLLER_GEN=$PWD/bin/controller-gen-v0.23.0 go test ./pkg/api/...")
	}
	out := t.TempDir()
	cmd := exec.Command(gen, "crd", "paths=./pkg/api/...", "output:crd:artifacts:config="+out)
	cmd.Dir = repoRoot
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "controller-gen: %s", msg)

	generated := yamlFiles(t, out)
	committed := yamlFiles(t, crdBasesDir)
	require.Equal(t, generated, committed, "config/crd/bases holds other files than controller-gen writes: run make manifests")
	for _, name := range generated {
		want, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(crdBasesDir, name))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "config/crd/bases/%s is stale: run make manifests (make test checks it)", name)
	}
}

func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	require.NoError(t, err)
	names := make([]string, 0, len(paths))
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	slices.Sort(names)
	return names
}

// TestCRDKustomizationListsEveryCRD keeps config/crd/kustomization.yaml in
// step with the generated files.
func TestCRDKustomizationListsEveryCRD(t *testing.T) {
	b, err := os.ReadFile(crdKustomize)
	require.NoError(t, err)
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
	}
	require.NoError(t, yaml.UnmarshalStrict(b, &k))
	var want []string
	for _, name := range yamlFiles(t, crdBasesDir) {
		want = append(want, "bases/"+name)
	}
	got := slices.Clone(k.Resources)
	slices.Sort(got)
	assert.Equal(t, want, got)
}

func loadClusterSchema(t *testing.T) *structuralschema.Structural {
	t.Helper()
	b, err := os.ReadFile(clusterCRD)
	require.NoError(t, err)
	var crd apiextensionsv1.CustomResourceDefinition
	require.NoError(t, yaml.UnmarshalStrict(b, &crd))
	require.Len(t, crd.Spec.Versions, 1)
	var internal apiextensions.JSONSchemaProps
	require.NoError(t, apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(
		crd.Spec.Versions[0].Schema.OpenAPIV3Schema, &internal, nil))
	s, err := structuralschema.NewStructural(&internal)
	require.NoError(t, err, "the CRD schema must be structural")
	return s
}

// TestCRDDefaultsAgreeWithDefault applies the CRD's defaults as the API
// server would, then Default: the result must equal Default alone, so a
// cluster read back from the API server renders exactly like the one in
// Git. The defaulted object must also still decode strictly.
func TestCRDDefaultsAgreeWithDefault(t *testing.T) {
	s := loadClusterSchema(t)
	docs := map[string][]byte{
		"minimal.yaml": readTestdata(t, "minimal.yaml"),
		"full.yaml":    readTestdata(t, "full.yaml"),
		"no spec":      []byte(header),
		"partial sections": []byte(header + "spec:\n  placement: {nodeSelector: {a: b}}\n  broker: {storage: {storageClassName: fast}, " +
			"jvm: {heap: 2Gi}, config: {flushDiskType: SYNC_FLUSH}}\n  controller: {}\n  acl: {adminSecretRef: {name: admin}}\n" +
			"  nameServer: {resources: {requests: {cpu: 100m}}}\n"),
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			var obj map[string]any
			require.NoError(t, yaml.Unmarshal(doc, &obj))
			defaulting.Default(obj, s)
			serverDefaulted, err := yaml.Marshal(obj)
			require.NoError(t, err)

			fromServer, err := DecodeCluster(serverDefaulted)
			require.NoError(t, err, "%s", serverDefaulted)
			fromServer.Default()
			fromGit, err := DecodeCluster(doc)
			require.NoError(t, err)
			fromGit.Default()
			assert.True(t, equality.Semantic.DeepEqual(fromGit, fromServer),
				"CRD defaults disagree with Default:\nCRD-defaulted: %s", serverDefaulted)
		})
	}
}

// TestCRDRulesMatchGo checks the CEL rules that restate Go constants.
func TestCRDRulesMatchGo(t *testing.T) {
	b, err := os.ReadFile(clusterCRD)
	require.NoError(t, err)
	crd := string(b)
	for _, want := range []string{
		"self.metadata.name.size() <= " + strconv.Itoa(MaxClusterNameLength),
		"maximum: " + strconv.Itoa(MaxBrokerGroups),
		"default: " + DefaultVersion,
		"default: " + DefaultDashboardImage,
		"pattern: " + versionPattern,
		"maxProperties: " + strconv.Itoa(MaxBrokerConfigEntries),
		"pattern: " + imageNamePattern().String(),
		"pattern: " + imageReferencePattern().String(),
	} {
		assert.True(t, strings.Contains(crd, want), "the CRD lacks %q: keep the markers in step with the Go constants", want)
	}
}
