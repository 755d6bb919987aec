package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// maxListedPaths bounds the paths a warning names.
const maxListedPaths = 10

// uncommittedWarning says which uncommitted changes in the caller's working
// tree the diff leaves out: render-diff renders commits, so an edit to a
// compared overlay (or a base it includes) or, when krm-fn is built from
// each revision, to the renderer's source is not in it. It returns "" when
// there is none, and a warning of its own when it cannot tell.
func uncommittedWarning(ctx context.Context, o options) string {
	top, err := gitOutput(ctx, o.repo, "rev-parse", "--show-toplevel")
	if err != nil {
		return fmt.Sprintf("could not check the working tree for uncommitted changes: %v", err)
	}
	top = strings.TrimSpace(top)
	status, err := gitOutput(ctx, top, "status", "--porcelain", "-z", "--untracked-files=all")
	if err != nil {
		return fmt.Sprintf("could not check the working tree for uncommitted changes: %v", err)
	}
	changed := porcelainPaths(status)
	if len(changed) == 0 {
		return ""
	}
	overlays := o.overlays
	if len(overlays) == 0 {
		if overlays, err = discoverOverlays(top); err != nil {
			return fmt.Sprintf("could not check the working tree for uncommitted changes: %v", err)
		}
	}
	inputs := map[string]bool{}
	for _, ov := range overlays {
		overlayInputs(top, filepath.Join(top, ov), map[string]bool{}, inputs)
	}
	var renderer map[string]bool
	if o.krmFn == "build" {
		renderer = rendererPackages(ctx, top)
	}
	var hits []string
	for _, p := range changed {
		if underAny(p, inputs) || rendererFile(p, renderer) {
			hits = append(hits, p)
		}
	}
	if len(hits) == 0 {
		return ""
	}
	sort.Strings(hits)
	listed := hits
	more := ""
	if len(hits) > maxListedPaths {
		listed = hits[:maxListedPaths]
		more = fmt.Sprintf(" and %d more", len(hits)-maxListedPaths)
	}
	return fmt.Sprintf("uncommitted changes are not included (render-diff compares the commits %s and %s; commit them to see their effect): %s%s",
		o.base, o.head, strings.Join(listed, ", "), more)
}

func gitOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// porcelainPaths reads `git status --porcelain -z`: "XY path" entries, a
// rename or copy followed by its source path, which is changed too.
func porcelainPaths(status string) []string {
	var paths []string
	fields := strings.Split(status, "\x00")
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) < 4 {
			continue
		}
		paths = append(paths, f[3:])
		if f[0] == 'R' || f[0] == 'C' {
			if i+1 < len(fields) && fields[i+1] != "" {
				paths = append(paths, fields[i+1])
			}
			i++
		}
	}
	return paths
}

// overlayInputs adds to inputs, relative to top, the directory of an
// overlay and every local file or directory its kustomization (and, in
// turn, theirs) lists as a resource, component, generator, transformer or
// validator. Files named elsewhere (patches, generator sources) outside
// the overlay's own directory are not followed.
func overlayInputs(top, dir string, seen, inputs map[string]bool) {
	if seen[dir] {
		return
	}
	seen[dir] = true
	if rel, err := filepath.Rel(top, dir); err == nil && !strings.HasPrefix(rel, "..") {
		inputs[filepath.ToSlash(rel)] = true
	}
	k, err := readKustomization(dir)
	if err != nil || k == nil {
		return
	}
	entries := append(append(append(append(append([]string{}, k.Resources...), k.Components...),
		k.Generators...), k.Transformers...), k.Validators...)
	for _, e := range entries {
		if strings.Contains(e, "\n") || remote(e) {
			continue
		}
		p := filepath.Join(dir, e)
		info, err := os.Stat(p)
		if err != nil {
			continue
		}
		if info.IsDir() {
			overlayInputs(top, p, seen, inputs)
			continue
		}
		if rel, err := filepath.Rel(top, p); err == nil && !strings.HasPrefix(rel, "..") {
			inputs[filepath.ToSlash(rel)] = true
		}
	}
}

// rendererPackages lists, relative to top, the directories of the
// repository's packages that cmd/krm-fn is built from; nil when the
// working tree has no cmd/krm-fn.
func rendererPackages(ctx context.Context, top string) map[string]bool {
	if _, err := os.Stat(filepath.Join(top, "cmd", "krm-fn")); err != nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", "./cmd/krm-fn")
	cmd.Dir = top
	out, err := cmd.Output()
	if err != nil {
		// A renderer that does not build is a change too: name its
		// command's directory at least.
		return map[string]bool{"cmd/krm-fn": true}
	}
	dirs := map[string]bool{}
	for _, d := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if rel, err := filepath.Rel(top, d); err == nil && d != "" && !strings.HasPrefix(rel, "..") {
			dirs[filepath.ToSlash(rel)] = true
		}
	}
	return dirs
}

// rendererFile says whether p is go.mod, go.sum or a non-test Go file of
// one of the renderer's packages.
func rendererFile(p string, packages map[string]bool) bool {
	if packages == nil {
		return false
	}
	if p == "go.mod" || p == "go.sum" {
		return true
	}
	return strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") && packages[path.Dir(p)]
}

// underAny says whether p is one of roots or lies under one of them.
func underAny(p string, roots map[string]bool) bool {
	for r := range roots {
		if r == "." || p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}
