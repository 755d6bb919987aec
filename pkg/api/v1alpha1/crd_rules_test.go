package v1alpha1

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// crdValidator runs the CRD's defaults, OpenAPI checks and CEL rules the
// way the API server does on create, without an API server. The envtest
// suite proves the same against a real one; this keeps each rule next to
// its Go twin.
type crdValidator kindValidator

func newCRDValidator(t *testing.T) *crdValidator {
	t.Helper()
	return (*crdValidator)(newKindValidator(t, clusterCRD))
}

func (v *crdValidator) validate(t *testing.T, c *RocketMQCluster) field.ErrorList {
	t.Helper()
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var obj map[string]any
	require.NoError(t, json.Unmarshal(b, &obj)) // whole numbers become int64, as in the API server
	delete(obj, "status")
	dropEmptyObjects(obj)
	defaulting.Default(obj, v.structural)
	errs := validation.ValidateCustomResource(nil, obj, v.schema)
	celErrs, _ := v.cel.Validate(context.Background(), nil, v.structural, obj, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

// TestCRDRejectsWhatValidateRejects runs every rule that the CRD claims to
// enforce against the CRD itself.
func TestCRDRejectsWhatValidateRejects(t *testing.T) {
	v := newCRDValidator(t)
	for _, tt := range validationCases {
		if !tt.crd {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			c := validCluster()
			tt.mutate(c)
			errs := v.validate(t, c)
			require.NotEmpty(t, errs, "the CRD accepts what Validate refuses")
			want := strings.TrimPrefix(tt.want[0].path, "metadata.name")
			found := false
			for _, e := range errs {
				// The CRD may point at the field or at its parent
				// (adminSecretRef for adminSecretRef.name).
				found = found || (want != "" && (strings.HasPrefix(e.Field, want) || strings.HasPrefix(want, e.Field+"."))) ||
					(want == "" && strings.Contains(e.Error(), "metadata.name"))
			}
			assert.True(t, found, "no CRD error at %s: %v", tt.want[0].path, errs)
		})
	}
}

// TestCRDAcceptsValidClusters guards against rules that refuse good input,
// including config values of every scalar type.
func TestCRDAcceptsValidClusters(t *testing.T) {
	v := newCRDValidator(t)
	for _, name := range []string{"full.yaml", "minimal.yaml"} {
		c, err := DecodeCluster(readTestdata(t, name))
		require.NoError(t, err)
		assert.Empty(t, v.validate(t, c), name)
	}
	c := validCluster()
	c.Spec.Broker.Mode = BrokerModeController
	c.Spec.Controller = &ControllerSpec{}
	c.Spec.ACL = ACLSpec{Enabled: true, AdminSecretRef: &SecretCredentialsRef{Name: "admin"}}
	assert.Empty(t, v.validate(t, c))
}

// dropEmptyObjects removes the empty objects that encoding/json writes for
// the struct-valued fields with CRD defaults (resources: {}, jvm: {},
// storage: {}), which a user leaves out: the API server applies a field's
// default only when the field is absent. Other empty objects (controller:
// {}) mean something and stay.
func dropEmptyObjects(m map[string]any) {
	for k, v := range m {
		sub, ok := v.(map[string]any)
		if !ok {
			continue
		}
		dropEmptyObjects(sub)
		if len(sub) == 0 && (k == "resources" || k == "jvm" || k == "storage") {
			delete(m, k)
		}
	}
}

// TestCRDPassesAPIServerValidation runs the API server's own checks of
// every CRD in config/crd/bases, the estimated cost of each CEL rule
// included: a rule over an unbounded map or string compiles, yet the API
// server refuses the CRD at install time.
func TestCRDPassesAPIServerValidation(t *testing.T) {
	for _, name := range yamlFiles(t, crdBasesDir) {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(crdBasesDir + "/" + name)
			require.NoError(t, err)
			var crd apiextensionsv1.CustomResourceDefinition
			require.NoError(t, yaml.UnmarshalStrict(b, &crd))
			apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(&crd)
			var internal apiextensions.CustomResourceDefinition
			require.NoError(t, apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&crd, &internal, nil))
			for _, v := range internal.Spec.Versions {
				if v.Storage {
					internal.Status.StoredVersions = []string{v.Name} // as the API server sets on create
				}
			}
			assert.Empty(t, crdvalidation.ValidateCustomResourceDefinition(context.Background(), &internal))
		})
	}
}
