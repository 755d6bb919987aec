package migrate

import (
	"fmt"
	"io"
)

// Outcome says what became of one field of the operator's resources.
type Outcome string

// Outcomes.
const (
	// Changed: carried over, but the new cluster behaves differently; read
	// the message before applying.
	Changed Outcome = "changed"
	// Dropped: not carried over; the message says why and what to do.
	Dropped Outcome = "dropped"
	// Warning: a risky choice of the new cluster, as the KRM function
	// warns about it when rendering.
	Warning Outcome = "warning"
)

// Entry is one line of the report: a field of one operator resource.
type Entry struct {
	Outcome  Outcome
	Resource string // "Broker default/broker"
	Field    string // "spec.hostNetwork"; empty for the whole resource
	Message  string
}

// Report lists, field by field, what the conversion could not carry over
// as it was. Entries keep the order the converter found them in, which is
// fixed (resource kind, then field), so the report is the same every run.
type Report struct {
	Entries []Entry
}

func (r *Report) add(o Outcome, res resourceRef, field, format string, args ...any) {
	r.Entries = append(r.Entries, Entry{Outcome: o, Resource: res.String(), Field: field, Message: fmt.Sprintf(format, args...)})
}

func (r *Report) changed(res resourceRef, field, format string, args ...any) {
	r.add(Changed, res, field, format, args...)
}

func (r *Report) dropped(res resourceRef, field, format string, args ...any) {
	r.add(Dropped, res, field, format, args...)
}

// Write prints one line per entry: "dropped: Broker default/broker:
// spec.allowRestart: message".
func (r *Report) Write(w io.Writer) error {
	for _, e := range r.Entries {
		line := string(e.Outcome) + ": " + e.Resource
		if e.Field != "" {
			line += ": " + e.Field
		}
		if _, err := fmt.Fprintf(w, "%s: %s\n", line, e.Message); err != nil {
			return fmt.Errorf("writing the migration report: %w", err)
		}
	}
	return nil
}
