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
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// kindValidator runs a CRD's defaults, OpenAPI checks and CEL rules,
// transition rules included, as the API server does on create and update.
type kindValidator struct {
	structural *structuralschema.Structural
	schema     validation.SchemaValidator
	cel        *cel.Validator
}

func newKindValidator(t *testing.T, path string) *kindValidator {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var crd apiextensionsv1.CustomResourceDefinition
	require.NoError(t, yaml.UnmarshalStrict(b, &crd))
	var internal apiextensions.JSONSchemaProps
	require.NoError(t, apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(
		crd.Spec.Versions[0].Schema.OpenAPIV3Schema, &internal, nil))
	s, err := structuralschema.NewStructural(&internal)
	require.NoError(t, err)
	sv, _, err := validation.NewSchemaValidator(&internal)
	require.NoError(t, err)
	return &kindValidator{structural: s, schema: sv, cel: cel.NewValidator(s, true, celconfig.PerCallLimit)}
}

func (v *kindValidator) object(t *testing.T, o any) map[string]any {
	t.Helper()
	if o == nil {
		return nil
	}
	b, err := json.Marshal(o)
	require.NoError(t, err)
	var obj map[string]any
	require.NoError(t, json.Unmarshal(b, &obj))
	delete(obj, "status")
	dropEmptyObjects(obj)
	defaulting.Default(obj, v.structural)
	return obj
}

// validate checks newObj, as an update of oldObj when oldObj is not nil.
func (v *kindValidator) validate(t *testing.T, newObj, oldObj any) field.ErrorList {
	t.Helper()
	obj, old := v.object(t, newObj), v.object(t, oldObj)
	errs := validation.ValidateCustomResource(nil, obj, v.schema)
	var oldAny any
	if old != nil {
		oldAny = old
	}
	celErrs, _ := v.cel.Validate(context.Background(), nil, v.structural, obj, oldAny, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

func crdTopic(mutate func(*RocketMQTopic)) *RocketMQTopic {
	t := &RocketMQTopic{
		TypeMeta:   metav1.TypeMeta{APIVersion: GroupVersion.String(), Kind: KindRocketMQTopic},
		ObjectMeta: metav1.ObjectMeta{Name: "orders", Namespace: "team"},
		Spec:       RocketMQTopicSpec{ClusterRef: MetadataClusterReference{Name: "demo"}},
	}
	if mutate != nil {
		mutate(t)
	}
	return t
}

// TestTopicCRDRules: the rules the controller also enforces against the
// brokers are refused by the API server before they reach it.
func TestTopicCRDRules(t *testing.T) {
	v := newKindValidator(t, crdBasesDir+"/rocketmq.gitops.dev_rocketmqtopics.yaml")
	base := crdTopic(func(t *RocketMQTopic) { t.Spec.Queues = ptr.To[int32](8) })
	cases := []struct {
		name   string
		old    *RocketMQTopic
		new    *RocketMQTopic
		refuse string
	}{
		{"grow", base, crdTopic(func(t *RocketMQTopic) { t.Spec.Queues = ptr.To[int32](16) }), ""},
		{"shrink", base, crdTopic(func(t *RocketMQTopic) { t.Spec.Queues = ptr.To[int32](4) }), "queues may grow, never shrink"},
		{"message type", base, crdTopic(func(t *RocketMQTopic) {
			t.Spec.Queues, t.Spec.MessageType = ptr.To[int32](8), MessageTypeFIFO
		}), "messageType is immutable"},
		{"topic name", base, crdTopic(func(t *RocketMQTopic) { t.Spec.Queues, t.Spec.TopicName = ptr.To[int32](8), "Orders_1" }), "topicName is immutable"},
		{"cluster", base, crdTopic(func(t *RocketMQTopic) {
			t.Spec.Queues, t.Spec.ClusterRef.Name = ptr.To[int32](8), "other"
		}), "clusterRef is immutable"},
		{"fewer read than write queues", nil, crdTopic(func(t *RocketMQTopic) {
			t.Spec.ReadQueues, t.Spec.WriteQueues = ptr.To[int32](4), ptr.To[int32](8)
		}), "readQueues must be at least writeQueues"},
		{"message.type attribute", nil, crdTopic(func(t *RocketMQTopic) {
			t.Spec.Attributes = map[string]string{"message.type": "FIFO"}
		}), "set message.type with spec.messageType"},
		{"bad perm", nil, crdTopic(func(t *RocketMQTopic) { t.Spec.Perm = ptr.To[int32](7) }), "spec.perm"},
		{"valid", nil, crdTopic(nil), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var old any
			if c.old != nil {
				old = c.old
			}
			errs := v.validate(t, c.new, old)
			if c.refuse == "" {
				assert.Empty(t, errs)
				return
			}
			require.NotEmpty(t, errs)
			assert.Contains(t, errs.ToAggregate().Error(), c.refuse)
			// Validate() agrees on what a single object can show.
			if c.old == nil {
				assert.NotEmpty(t, c.new.Validate(), "Validate() lets through what the CRD refuses")
			}
		})
	}
}

// TestConsumerGroupCRDRules: names are immutable and retry policies whole.
func TestConsumerGroupCRDRules(t *testing.T) {
	v := newKindValidator(t, crdBasesDir+"/rocketmq.gitops.dev_rocketmqconsumergroups.yaml")
	group := func(mutate func(*RocketMQConsumerGroup)) *RocketMQConsumerGroup {
		g := &RocketMQConsumerGroup{
			TypeMeta:   metav1.TypeMeta{APIVersion: GroupVersion.String(), Kind: KindRocketMQConsumerGroup},
			ObjectMeta: metav1.ObjectMeta{Name: "billing", Namespace: "team"},
			Spec:       RocketMQConsumerGroupSpec{ClusterRef: MetadataClusterReference{Name: "demo"}},
		}
		if mutate != nil {
			mutate(g)
		}
		return g
	}
	named := group(func(g *RocketMQConsumerGroup) { g.Spec.GroupName = "billing_v1" })
	errs := v.validate(t, group(func(g *RocketMQConsumerGroup) { g.Spec.GroupName = "billing_v2" }), named)
	assert.Contains(t, errs.ToAggregate().Error(), "groupName is immutable")

	noExp := group(func(g *RocketMQConsumerGroup) {
		g.Spec.RetryPolicy = &GroupRetryPolicySpec{Type: RetryPolicyExponential}
	})
	errs = v.validate(t, noExp, nil)
	require.NotEmpty(t, errs)
	assert.True(t, strings.Contains(errs.ToAggregate().Error(), "exponential is required when type is Exponential"), errs)
	assert.NotEmpty(t, noExp.Validate())

	assert.Empty(t, v.validate(t, group(func(g *RocketMQConsumerGroup) { g.Spec.RetryMaxTimes = ptr.To[int32](3) }), group(nil)))
}
