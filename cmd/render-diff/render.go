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

	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/renderdiff"
)

// renderRevision checks rev out into dir and renders its overlays. With
// checkStale (the head revision) a render that krm-fn check refuses, an
// overlay patching the spec without running the function, is an error; the
// base revision is not checked, as it may predate the rendered-spec-hash
// annotation.
func renderRevision(ctx context.Context, o options, rev, dir string, checkStale bool, stderr io.Writer) (renders, error) {
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
		raw, err := kustomizeBuildRaw(ctx, o.kustomize, filepath.Join(dir, ov), binDir)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", ov, err)
		}
		if checkStale {
			if err := checkRender(raw, ov); err != nil {
				return nil, fmt.Errorf("rendering %s: %w", ov, err)
			}
		}
		objs, err := parseRender(raw)
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

// renderOutput is kustomize's stdout and stderr (stderr for messages).
type renderOutput struct{ stdout, stderr []byte }

// kustomizeBuildRaw runs kustomize build in dir with krm-fn on PATH, with
// both flags: --enable-alpha-plugins alone renders nothing and exits 0,
// which is why parseRender makes empty output an error.
func kustomizeBuildRaw(ctx context.Context, kustomize, dir, binDir string) (renderOutput, error) {
	cmd := exec.CommandContext(ctx, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return renderOutput{}, fmt.Errorf("kustomize build: %w\n%s", err, strings.TrimSpace(stderr.String()))
	}
	return renderOutput{stdout: stdout.Bytes(), stderr: stderr.Bytes()}, nil
}

// parseRender reads kustomize's output; empty output is an error.
func parseRender(raw renderOutput) ([]renderdiff.Object, error) {
	objs, err := renderdiff.Parse(raw.stdout)
	if err != nil {
		return nil, fmt.Errorf("reading kustomize output: %w", err)
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("kustomize build rendered nothing (is the function reachable?)\n%s", strings.TrimSpace(string(raw.stderr)))
	}
	return objs, nil
}

// checkRender is krm-fn check on a render of overlay (a path relative to
// the repository, named in the error).
func checkRender(raw renderOutput, overlay string) error {
	items, err := (&kio.ByteReader{Reader: bytes.NewReader(raw.stdout), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return fmt.Errorf("reading kustomize output: %w", err)
	}
	if err := fn.Check(items, overlay); err != nil {
		return fmt.Errorf("stale render (krm-fn check):\n%w", err)
	}
	return nil
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
