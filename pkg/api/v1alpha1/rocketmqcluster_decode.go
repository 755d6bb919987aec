package v1alpha1

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// DecodeError lists every field that did not decode: unknown fields (a
// typo such as spec.nameserver), values of the wrong type, and unparsable
// quantities or config values. Each carries its field path.
//
// +kubebuilder:object:generate=false
type DecodeError struct {
	// Kind is the kind being decoded; empty reads as RocketMQCluster.
	Kind string
	Errs field.ErrorList
}

// Error joins the field errors.
func (e *DecodeError) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = KindRocketMQCluster
	}
	return "decoding " + kind + ": " + e.Errs.ToAggregate().Error()
}

// FieldErrors returns the field errors, for callers that report each one.
func (e *DecodeError) FieldErrors() field.ErrorList { return e.Errs }

// DecodeCluster decodes one RocketMQCluster from YAML or JSON, strictly:
// unknown and duplicate fields and values of the wrong type are errors, and
// apiVersion and kind must be those of a RocketMQCluster. Field problems come
// back as a *DecodeError; a document that is not YAML at all comes back as a
// plain error. When some fields do not decode, the rest of the document is
// still defaulted and validated and its problems join the error, so a user
// sees every problem in one run rather than one round of fixes at a time.
// It never panics.
func DecodeCluster(data []byte) (*RocketMQCluster, error) {
	var c RocketMQCluster
	j, errs, err := decodeStrict(KindRocketMQCluster, data, &c)
	if err != nil {
		return nil, err
	}
	if len(errs) == 0 {
		errs = validateTypeMeta(c.TypeMeta, KindRocketMQCluster)
		errs = append(errs, quantityRangeErrors(reflect.ValueOf(&c.Spec), field.NewPath("spec"))...)
	} else {
		errs = append(errs, remainderErrors(j, clusterType, errs, validateClusterRemainder)...)
	}
	if len(errs) > 0 {
		return nil, &DecodeError{Kind: KindRocketMQCluster, Errs: errs}
	}
	return &c, nil
}

// decodeStrict decodes one object of kind from YAML or JSON into obj (a
// pointer to the kind's type), strictly: unknown and duplicate fields and
// values of the wrong type come back as field errors, each with its path;
// a document that is not a YAML mapping is a plain error. The JSON form of
// the document is returned for remainderErrors.
func decodeStrict(kind string, data []byte, obj any) ([]byte, field.ErrorList, error) {
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s YAML: %w", kind, err)
	}
	j = bytes.TrimSpace(j)
	if len(j) == 0 || j[0] != '{' {
		return nil, nil, fmt.Errorf("reading %s YAML: want a mapping with apiVersion, kind, metadata and spec, got %.40q", kind, j)
	}
	root := reflect.TypeOf(obj).Elem()
	strictErrs, err := kjson.UnmarshalStrict(j, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	errs := strictFieldErrors(root, strictErrs)
	if err != nil {
		// The strict errors are lost when a value fails to decode; the
		// locator finds both kinds.
		errs = locateDecodeErrors(root, j, err)
	}
	return j, errs, nil
}

// validateClusterRemainder defaults and validates what is left of a
// cluster document once the fields that did not decode are removed.
func validateClusterRemainder(rest []byte) field.ErrorList {
	var c RocketMQCluster
	if err := json.Unmarshal(rest, &c); err != nil {
		return nil
	}
	if len(quantityRangeErrors(reflect.ValueOf(&c.Spec), field.NewPath("spec"))) > 0 {
		return nil
	}
	c.Default()
	return c.Validate()
}

// strictFieldErrors turns sigs.k8s.io/json's strict errors (unknown or
// duplicate fields, each with its full path) into field errors, suggesting
// the right spelling when only the case differs.
func strictFieldErrors(root reflect.Type, strict []error) field.ErrorList {
	var errs field.ErrorList
	for _, e := range strict {
		var fe kjson.FieldError
		if !errors.As(e, &fe) {
			errs = append(errs, documentError(e.Error()))
			continue
		}
		errs = append(errs, unknownFieldError(fe.FieldPath(), fieldsAt(root, fe.FieldPath())))
	}
	return errs
}

func validateTypeMeta(tm metav1.TypeMeta, kind string) field.ErrorList {
	var errs field.ErrorList
	if tm.APIVersion != GroupVersion.String() {
		errs = append(errs, field.Invalid(field.NewPath("apiVersion"), tm.APIVersion,
			"must be "+GroupVersion.String()))
	}
	if tm.Kind != kind {
		errs = append(errs, field.Invalid(field.NewPath("kind"), tm.Kind, "must be "+kind))
	}
	return errs
}

// locateDecodeErrors finds the fields behind a decoding error: json
// reports only the first bad value, and errors from custom decoders
// (quantities, config values) carry no path at all.
func locateDecodeErrors(root reflect.Type, j []byte, decodeErr error) field.ErrorList {
	var tree any
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	if err := d.Decode(&tree); err != nil {
		return field.ErrorList{documentError(decodeErr.Error())}
	}
	errs := checkValue(root, tree, nil)
	if len(errs) == 0 {
		errs = field.ErrorList{documentError(decodeErr.Error())}
	}
	return errs
}

// documentError is a decoding problem that no field path pins down.
func documentError(msg string) *field.Error {
	return &field.Error{Type: field.ErrorTypeInvalid, Field: "<document>", BadValue: field.OmitValueType{}, Detail: msg}
}

// unknownFieldError reports a field the API does not have; valid are the
// fields at that place. The message suggests the field most likely meant
// (see suggestFieldName) and lists the valid fields, so that it helps where no documentation is at
// hand (an Argo CD sync error, a CI log):
//
//	spec.nameServer.replica: Forbidden: unknown field "replica": did you mean "replicas"? (valid fields: jvm, placement, replicas, resources)
func unknownFieldError(path string, valid []string) *field.Error {
	name := path[strings.LastIndexByte(path, '.')+1:]
	msg := fmt.Sprintf("unknown field %q", name)
	if s := suggestFieldName(name, valid); s != "" {
		msg += fmt.Sprintf(": did you mean %q?", s)
	} else {
		msg += ": remove it or correct its name"
	}
	if len(valid) > 0 {
		sorted := slices.Sorted(slices.Values(valid))
		msg += " (valid fields: " + strings.Join(sorted, ", ") + ")"
	}
	return field.Forbidden(field.NewPath(path), msg)
}

// remainderErrors validates what is left of the document once the fields
// behind decodeErrs are removed, with validate (which decodes the rest into
// root's type). Problems on a removed field, or on a field that contains or
// lies within one, are left out: the decode error already names them, and
// a default standing in for a removed value would only confuse. So are
// problems on the field an unknown field was suggested for
// (spec.imagePullSecrets[0].nme leaves that reference without a name): the
// user meant to set it, and the suggestion already says how.
func remainderErrors(j []byte, root reflect.Type, decodeErrs field.ErrorList, validate func(rest []byte) field.ErrorList) field.ErrorList {
	var tree map[string]any
	if err := json.Unmarshal(j, &tree); err != nil {
		return nil
	}
	for _, e := range decodeErrs {
		removePath(tree, e.Field)
	}
	rest, err := json.Marshal(tree)
	if err != nil {
		return nil
	}
	meant := meantFields(root, tree, decodeErrs)
	var out field.ErrorList
	for _, e := range validate(rest) {
		if !overlapsAny(e.Field, decodeErrs) && !withinAny(e.Field, meant) {
			out = append(out, e)
		}
	}
	return out
}

// meantFields returns the fields that the unknown fields in errs were
// suggested for (spec.controller for spec.controler) and that the document
// (tree) leaves unset.
func meantFields(root reflect.Type, tree map[string]any, errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		if e.Type != field.ErrorTypeForbidden || !strings.HasPrefix(e.Detail, "unknown field") {
			continue
		}
		parent, name := "", e.Field
		if i := strings.LastIndexByte(e.Field, '.'); i >= 0 {
			parent, name = e.Field[:i+1], e.Field[i+1:]
		}
		if s := suggestFieldName(name, fieldsAt(root, e.Field)); s != "" && !hasPath(tree, parent+s) {
			out = append(out, parent+s)
		}
	}
	return out
}

// hasPath says whether the decoded JSON tree has a value at a field path
// such as spec.controller or spec.imagePullSecrets[0].name.
func hasPath(tree map[string]any, path string) bool {
	var node any = tree
	for _, part := range strings.Split(path, ".") {
		name, indexes := splitIndexes(part)
		m, ok := node.(map[string]any)
		if !ok {
			return false
		}
		if node, ok = m[name]; !ok {
			return false
		}
		for _, idx := range indexes {
			list, ok := node.([]any)
			if !ok || idx < 0 || idx >= len(list) {
				return false
			}
			node = list[idx]
		}
	}
	return node != nil
}

// withinAny says whether path is one of paths or lies within one.
func withinAny(path string, paths []string) bool {
	for _, p := range paths {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}

// removePath deletes the value at a field path such as spec.broker.config
// or spec.placement.tolerations[1].key from a decoded JSON tree.
func removePath(tree map[string]any, path string) {
	parts := strings.Split(path, ".")
	var node any = tree
	for i, part := range parts {
		name, indexes := splitIndexes(part)
		m, ok := node.(map[string]any)
		if !ok {
			return
		}
		if i == len(parts)-1 && len(indexes) == 0 {
			delete(m, name)
			return
		}
		node = m[name]
		for k, idx := range indexes {
			list, ok := node.([]any)
			if !ok || idx < 0 || idx >= len(list) {
				return
			}
			if i == len(parts)-1 && k == len(indexes)-1 {
				list[idx] = nil // keep the other items at their indexes
				return
			}
			node = list[idx]
		}
	}
}

// splitIndexes splits "tolerations[1]" into "tolerations" and [1]. Keys in
// brackets (config[brokerName]) are treated as map keys one level down.
func splitIndexes(part string) (string, []int) {
	name, rest, found := strings.Cut(part, "[")
	if !found {
		return part, nil
	}
	var idx []int
	for _, seg := range strings.Split(strings.TrimSuffix(rest, "]"), "][") {
		n, err := strconv.Atoi(seg)
		if err != nil {
			return name, nil
		}
		idx = append(idx, n)
	}
	return name, idx
}

// overlapsAny says whether path equals, contains or lies within the path
// of one of errs.
func overlapsAny(path string, errs field.ErrorList) bool {
	for _, e := range errs {
		if path == e.Field || strings.HasPrefix(path, e.Field+".") || strings.HasPrefix(path, e.Field+"[") ||
			strings.HasPrefix(e.Field, path+".") || strings.HasPrefix(e.Field, path+"[") {
			return true
		}
	}
	return false
}
