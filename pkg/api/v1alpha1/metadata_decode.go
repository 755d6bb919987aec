package v1alpha1

import (
	"encoding/json"
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// DecodeTopic decodes one RocketMQTopic from YAML or JSON as strictly as
// DecodeCluster decodes a cluster: unknown fields (with a "did you mean"
// suggestion), duplicate fields and values of the wrong type come back as
// a *DecodeError, together with what Validate finds in the rest of the
// document. It does not call Validate on a document that decodes.
func DecodeTopic(data []byte) (*RocketMQTopic, error) {
	return decodeDeclared(KindRocketMQTopic, data, func(t *RocketMQTopic) *metav1.TypeMeta { return &t.TypeMeta })
}

// DecodeConsumerGroup is DecodeTopic for a RocketMQConsumerGroup.
func DecodeConsumerGroup(data []byte) (*RocketMQConsumerGroup, error) {
	return decodeDeclared(KindRocketMQConsumerGroup, data, func(g *RocketMQConsumerGroup) *metav1.TypeMeta { return &g.TypeMeta })
}

// validated is a pointer to a kind with a Validate method.
type validated[T any] interface {
	*T
	Validate() field.ErrorList
}

// decodeDeclared decodes one object of a declared kind strictly; typeMeta
// returns the object's TypeMeta for the apiVersion and kind checks.
func decodeDeclared[T any, PT validated[T]](kind string, data []byte, typeMeta func(PT) *metav1.TypeMeta) (*T, error) {
	var obj T
	errs, err := decodeMetadata(kind, data, &obj, typeMeta(&obj), func(rest []byte) field.ErrorList {
		var r T
		if json.Unmarshal(rest, &r) != nil {
			return nil
		}
		return PT(&r).Validate()
	})
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, &DecodeError{Kind: kind, Errs: errs}
	}
	return &obj, nil
}

// decodeMetadata decodes obj strictly and checks its apiVersion and kind;
// when fields do not decode, validate checks the rest of the document.
func decodeMetadata(kind string, data []byte, obj any, tm *metav1.TypeMeta, validate func([]byte) field.ErrorList) (field.ErrorList, error) {
	j, errs, err := decodeStrict(kind, data, obj)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return append(errs, remainderErrors(j, reflect.TypeOf(obj).Elem(), errs, validate)...), nil
	}
	return validateTypeMeta(*tm, kind), nil
}
