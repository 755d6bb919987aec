package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/renderdiff"
)

// renders holds one revision's output per overlay; a missing key means the
// overlay does not exist at that revision.
type renders map[string][]renderdiff.Object

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	kustomize, err := absBinary(o.kustomize)
	if err != nil {
		return err
	}
	o.kustomize = kustomize
	if o.krmFn != "build" {
		if o.krmFn, err = absBinary(o.krmFn); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "render-diff-")
	if err != nil {
		return fmt.Errorf("creating a temporary directory: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(tmp); err != nil {
			_, _ = fmt.Fprintf(stderr, "render-diff: removing %s: %v\n", tmp, err)
		}
	}()

	warning := uncommittedWarning(ctx, o)
	if warning != "" {
		_, _ = fmt.Fprintf(stderr, "render-diff: warning: %s\n", warning)
	}
	baseOut, headOut, err := renderBoth(ctx, o, tmp, stderr)
	if err != nil {
		// The report says so too: posted as a pull-request comment, it
		// replaces the previous diff, which no longer describes the head.
		if werr := reportFailure(o, warning, err, stdout); werr != nil {
			return errors.Join(err, fmt.Errorf("writing the report: %w", werr))
		}
		return err
	}
	differ, refused, err := report(o, warning, baseOut, headOut, stdout)
	if err != nil {
		return err
	}
	if refused > 0 {
		return fmt.Errorf("%w: %d change(s) to RocketMQTopic or RocketMQConsumerGroup objects, listed at the top of the report", errRefused, refused)
	}
	if differ && o.exitCode {
		return errDifferences
	}
	return nil
}

func renderBoth(ctx context.Context, o options, tmp string, stderr io.Writer) (renders, renders, error) {
	base, err := renderRevision(ctx, o, o.base, filepath.Join(tmp, "base"), false, stderr)
	if err != nil {
		return nil, nil, fmt.Errorf("base %s: %w", o.base, err)
	}
	head, err := renderRevision(ctx, o, o.head, filepath.Join(tmp, "head"), true, stderr)
	if err != nil {
		return nil, nil, fmt.Errorf("head %s: %w", o.head, err)
	}
	return base, head, nil
}

// writeHeader writes the report's heading and the warning, if any.
func writeHeader(o options, warning string, w io.Writer) error {
	header := fmt.Sprintf("## Rendered diff %s → %s\n\n", o.base, o.head)
	if warning != "" {
		header += "> **Warning:** " + warning + "\n\n"
	}
	_, err := io.WriteString(w, header)
	return err
}

// reportFailure writes the heading and the error that stopped the render.
func reportFailure(o options, warning string, renderErr error, w io.Writer) error {
	if err := writeHeader(o, warning, w); err != nil {
		return err
	}
	fence := "```"
	for strings.Contains(renderErr.Error(), fence) {
		fence += "`"
	}
	_, err := fmt.Fprintf(w, "**Render failed**: no diff, the error below must be fixed first.\n\n%stext\n%s\n%s\n",
		fence, strings.TrimSpace(renderErr.Error()), fence)
	return err
}

// report writes one section per overlay and says whether any differ and
// how many changes the API server would refuse.
func report(o options, warning string, base, head renders, w io.Writer) (bool, int, error) {
	if err := writeHeader(o, warning, w); err != nil {
		return false, 0, err
	}
	differ, refused := false, 0
	for _, dir := range overlayUnion(base, head) {
		r, err := renderdiff.Diff(base[dir], head[dir])
		if err != nil {
			return false, 0, fmt.Errorf("comparing %s: %w", dir, err)
		}
		title := "`" + dir + "`"
		_, inBase := base[dir]
		_, inHead := head[dir]
		switch {
		case !inBase:
			title += " (new overlay)"
		case !inHead:
			title += " (overlay removed)"
		}
		if err := r.WriteMarkdown(w, title); err != nil {
			return false, 0, fmt.Errorf("writing the report: %w", err)
		}
		differ = differ || !r.Empty()
		refused += len(r.Refused)
	}
	return differ, refused, nil
}

func overlayUnion(a, b renders) []string {
	var dirs []string
	for d := range a {
		dirs = append(dirs, d)
	}
	for d := range b {
		if _, ok := a[d]; !ok {
			dirs = append(dirs, d)
		}
	}
	sort.Strings(dirs)
	return dirs
}
