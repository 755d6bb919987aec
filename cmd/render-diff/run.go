package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

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

	baseOut, headOut, err := renderBoth(ctx, o, tmp, stderr)
	if err != nil {
		return err
	}
	differ, err := report(o, baseOut, headOut, stdout)
	if err != nil {
		return err
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

// report writes one section per overlay and says whether any differ.
func report(o options, base, head renders, w io.Writer) (bool, error) {
	if _, err := fmt.Fprintf(w, "## Rendered diff %s → %s\n\n", o.base, o.head); err != nil {
		return false, err
	}
	differ := false
	for _, dir := range overlayUnion(base, head) {
		r, err := renderdiff.Diff(base[dir], head[dir])
		if err != nil {
			return false, fmt.Errorf("comparing %s: %w", dir, err)
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
			return false, fmt.Errorf("writing the report: %w", err)
		}
		differ = differ || !r.Empty()
	}
	return differ, nil
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
