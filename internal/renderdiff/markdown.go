package renderdiff

import (
	"fmt"
	"io"
	"strings"
)

var actionMark = map[Action]string{Added: "+", Removed: "-", Changed: "~"}

// WriteMarkdown writes the report under a heading; it reads well in a
// terminal and as a pull-request comment.
func (r Report) WriteMarkdown(w io.Writer, title string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	if r.Empty() {
		fmt.Fprintf(&b, "No change (%d objects).\n\n", r.Unchanged)
		_, err := io.WriteString(w, b.String())
		return err
	}
	added, removed, changed := r.Count()
	fmt.Fprintf(&b, "%d added, %d removed, %d changed, %d unchanged.\n\n", added, removed, changed, r.Unchanged)
	if len(r.Refused) > 0 {
		b.WriteString("**Refused by the API server**: applying this would fail; undo these changes:\n\n")
		for _, s := range r.Refused {
			fmt.Fprintf(&b, "- %s\n", s)
		}
		b.WriteString("\n")
	}
	for _, s := range r.Summary {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	if len(r.Summary) > 0 {
		b.WriteString("\n")
	}
	writeList(&b, "Added", r.Changes, Added)
	writeList(&b, "Removed", r.Changes, Removed)
	for _, c := range r.Changes {
		if c.Action == Changed {
			writeChange(&b, c)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeList lists added or removed objects on one line each: their whole
// content is new or gone, so field paths would only repeat the YAML.
func writeList(b *strings.Builder, title string, changes []ObjectChange, action Action) {
	n := 0
	for _, c := range changes {
		if c.Action != action {
			continue
		}
		if n == 0 {
			fmt.Fprintf(b, "%s:\n\n", title)
		}
		fmt.Fprintf(b, "- %s %s%s\n", actionMark[action], c.ID, listNote(c))
		n++
	}
	if n > 0 {
		b.WriteString("\n")
	}
}

func writeChange(b *strings.Builder, c ObjectChange) {
	fmt.Fprintf(b, "#### %s %s\n", actionMark[c.Action], c.ID)
	if len(c.Fields) > 0 {
		b.WriteString("\n")
	}
	for _, f := range c.Fields {
		if len(f.Lines) > 0 {
			fmt.Fprintf(b, "- `%s`:\n\n  ```diff\n", f.Path)
			for _, l := range f.Lines {
				fmt.Fprintf(b, "  %s\n", l)
			}
			b.WriteString("  ```\n")
			continue
		}
		fmt.Fprintf(b, "- `%s`: `%s` → `%s`\n", f.Path, f.Old, f.New)
	}
	b.WriteString("\n")
}

// listNote marks a removed object the GitOps engines will not prune: it
// leaves the render, not the cluster.
func listNote(c ObjectChange) string {
	if c.Action == Removed && pruneProtected(c.Old) {
		return " (not pruned: stays in the cluster)"
	}
	return ""
}
