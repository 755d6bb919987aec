package fn

import (
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
)

// FormatResult is a one-line, human-readable form of a result:
//
//	error: RocketMQCluster mq/orders: spec.controller.replicas: Invalid value: 2: must be odd
//
// Parts that the result does not have are left out.
func FormatResult(r *krm.Result) string {
	var b strings.Builder
	sev := r.Severity
	if sev == "" {
		sev = krm.Info
	}
	b.WriteString(string(sev))
	b.WriteString(": ")
	if ref := r.ResourceRef; ref != nil {
		b.WriteString(ref.Kind)
		b.WriteString(" ")
		b.WriteString(describe(*ref))
		b.WriteString(": ")
	}
	if r.Field != nil && r.Field.Path != "" {
		b.WriteString(r.Field.Path)
		b.WriteString(": ")
	}
	b.WriteString(r.Message)
	return b.String()
}
