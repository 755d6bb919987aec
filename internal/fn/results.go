package fn

import (
	"errors"
	"strings"

	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
)

// errorResult is an error result about ref (nil when no resource is at
// fault) and the field at path (empty for the whole resource).
func errorResult(ref *yaml.ResourceIdentifier, path, message string) *krm.Result {
	return newResult(krm.Error, ref, path, message)
}

// newResult always sets the severity: the functions spec defaults an empty
// one to error, but kyaml counts only an explicit error in ExitCode.
func newResult(sev krm.Severity, ref *yaml.ResourceIdentifier, path, message string) *krm.Result {
	r := &krm.Result{Severity: sev, Message: message}
	if ref != nil {
		c := *ref
		r.ResourceRef = &c
	}
	if path != "" {
		r.Field = &krm.Field{Path: path}
	}
	return r
}

// fieldErrorResults turns validation errors into results of severity sev,
// one per error, each with its field path.
func fieldErrorResults(sev krm.Severity, ref yaml.ResourceIdentifier, errs field.ErrorList) krm.Results {
	out := make(krm.Results, 0, len(errs))
	for _, e := range errs {
		out = append(out, newResult(sev, &ref, fieldPath(e.Field), e.ErrorBody()))
	}
	return out
}

// fieldErrorLister is an error made of field errors, such as
// v1alpha1.DecodeError.
type fieldErrorLister interface {
	error
	FieldErrors() field.ErrorList
}

// errResults turns any error into error results, keeping field paths when
// the error carries them (a *field.Error, or an aggregate of them).
func errResults(ref yaml.ResourceIdentifier, err error) krm.Results {
	var fe *field.Error
	var agg utilerrors.Aggregate
	var fl fieldErrorLister
	switch {
	case errors.As(err, &fl):
		return fieldErrorResults(krm.Error, ref, fl.FieldErrors())
	case errors.As(err, &agg):
		var out krm.Results
		for _, e := range agg.Errors() {
			out = append(out, errResults(ref, e)...)
		}
		return out
	case errors.As(err, &fe):
		return krm.Results{errorResult(&ref, fieldPath(fe.Field), fe.ErrorBody())}
	default:
		return krm.Results{errorResult(&ref, "", err.Error())}
	}
}

// fieldPath drops the placeholders validators use for "no particular
// field" ("<document>", "<nil>"): a result without a field path says that
// better.
func fieldPath(p string) string {
	if strings.HasPrefix(p, "<") {
		return ""
	}
	return p
}
