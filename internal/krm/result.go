package krm

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Severity of a result, as the KRM functions specification names them.
type Severity string

// The severities; kyaml's fn/framework uses the same words.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Result is one entry of a ResourceList's results. The fields and their
// order are kyaml's fn/framework.Result's, so the results print the same;
// this type exists so that krm-fn does not link fn/framework, whose
// OpenAPI validation packages cost more to initialise than a render.
type Result struct {
	Message     string                   `yaml:"message,omitempty" json:"message,omitempty"`
	Severity    Severity                 `yaml:"severity,omitempty" json:"severity,omitempty"`
	ResourceRef *yaml.ResourceIdentifier `yaml:"resourceRef,omitempty" json:"resourceRef,omitempty"`
	Field       *Field                   `yaml:"field,omitempty" json:"field,omitempty"`
}

// Field names the field a result is about.
type Field struct {
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
}

// String is "[severity] apiVersion/kind/namespace/name path: message",
// leaving out the parts the result does not have.
func (r Result) String() string {
	var b strings.Builder
	sev := r.Severity
	if sev == "" {
		sev = Info
	}
	fmt.Fprintf(&b, "[%s]", sev)
	if ref := r.ResourceRef; ref != nil {
		var id []string
		for _, s := range []string{ref.APIVersion, ref.Kind, ref.Namespace, ref.Name} {
			if s != "" {
				id = append(id, s)
			}
		}
		if len(id) > 0 {
			b.WriteString(" " + strings.Join(id, "/"))
		}
	}
	if r.Field != nil {
		b.WriteString(" " + r.Field.Path)
	}
	b.WriteString(": " + r.Message)
	return b.String()
}

// Results are a ResourceList's results; as an error, they are the
// results of a failed run.
type Results []*Result

// Error is every result, separated by blank lines.
func (rs Results) Error() string {
	msgs := make([]string, 0, len(rs))
	for _, r := range rs {
		msgs = append(msgs, r.String())
	}
	return strings.Join(msgs, "\n\n")
}

// ExitCode is 1 when a result has severity error, else 0.
func (rs Results) ExitCode() int {
	for _, r := range rs {
		if r.Severity == Error {
			return 1
		}
	}
	return 0
}
