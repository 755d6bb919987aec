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
	var t RocketMQTopic
	errs, err := decodeMetadata(KindRocketMQTopic, data, &t, &t.TypeMeta, func(rest []byte) field.ErrorList {
		var r RocketMQTopic
		if json.Unmarshal(rest, &r) != nil {
			return nil
		}
		return r.Validate()
	})
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, &DecodeError{Kind: KindRocketMQTopic, Errs: errs}
	}
	return &t, nil
}

// DecodeConsumerGroup is DecodeTopic for a RocketMQConsumerGroup.
func DecodeConsumerGroup(data []byte) (*RocketMQConsumerGroup, error) {
	var g RocketMQConsumerGroup
	errs, err := decodeMetadata(KindRocketMQConsumerGroup, data, &g, &g.TypeMeta, func(rest []byte) field.ErrorList {
		var r RocketMQConsumerGroup
		if json.Unmarshal(rest, &r) != nil {
			return nil
		}
		return r.Validate()
	})
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, &DecodeError{Kind: KindRocketMQConsumerGroup, Errs: errs}
	}
	return &g, nil
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
