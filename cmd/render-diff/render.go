package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/renderdiff"
)

// renderRevision checks rev out into dir and renders its overlays.
func renderRevision(ctx context.Context, o options, rev, dir string, stderr io.Writer) (renders, error) {
	if err := addWorktree(ctx, o.repo, rev, dir); err != nil {
		return nil, err
	}
	defer removeWorktree(o.repo, dir, stderr)

	overlays := o.overlays
	if len(overlays) == 0 {
		found, err := discoverOverlays(dir)
		if err != nil {
			return nil, err
		}
		overlays = found
	}
	if len(overlays) == 0 {
		return renders{}, nil
	}
	binDir, err := installKRMFn(ctx, o.krmFn, dir)
	if err != nil {
		return nil, err
	}
	out := renders{}
	for _, ov := range overlays {
		if _, err := os.Stat(filepath.Join(dir, ov)); errors.Is(err, os.ErrNotExist) {
			continue
		}
		objs, err := kustomizeBuild(ctx, o.kustomize, filepath.Join(dir, ov), binDir)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", ov, err)
		}
		out[filepath.ToSlash(filepath.Clean(ov))] = objs
	}
	return out, nil
}

// installKRMFn puts krm-fn into <worktree>/bin, where kustomizations that
// reference ../../bin/krm-fn find it, and returns that directory for PATH,
// where kustomizations that reference a bare `krm-fn` find it.
func installKRMFn(ctx context.Context, krmFn, worktree string) (string, error) {
	binDir := filepath.Join(worktree, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", binDir, err)
	}
	dst := filepath.Join(binDir, "krm-fn")
	if krmFn != "build" {
		return binDir, copyExecutable(krmFn, dst)
	}
	if _, err := os.Stat(filepath.Join(worktree, "cmd", "krm-fn")); errors.Is(err, os.ErrNotExist) {
		// A revision from before the function: whatever it renders needs
		// no krm-fn, and an overlay that does fails with kustomize's error.
		return binDir, nil
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", dst, "./cmd/krm-fn")
	cmd.Dir = worktree
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building krm-fn: %w\n%s", err, out)
	}
	return binDir, nil
}

func copyExecutable(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("reading krm-fn %s: %w", src, err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		return fmt.Errorf("installing krm-fn into %s: %w", dst, err)
	}
	return nil
}

// kustomizeBuild runs kustomize with both flags: --enable-alpha-plugins
// alone renders nothing and exits 0, which is why empty output is an error.
func kustomizeBuild(ctx context.Context, kustomize, dir, binDir string) ([]renderdiff.Object, error) {
	cmd := exec.CommandContext(ctx, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kustomize build: %w\n%s", err, strings.TrimSpace(stderr.String()))
	}
	objs, err := renderdiff.Parse(stdout.Bytes())
	if err != nil {
		return nil, fmt.Errorf("reading kustomize output: %w", err)
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("kustomize build rendered nothing (is the function reachable?)\n%s", strings.TrimSpace(stderr.String()))
	}
	return objs, nil
}

// absBinary resolves a binary given as a name on PATH or a path, so it
// still works from inside a worktree.
func absBinary(bin string) (string, error) {
	p, err := exec.LookPath(bin)
	if err != nil {
		return "", fmt.Errorf("finding %s: %w", bin, err)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", p, err)
	}
	return abs, nil
}
