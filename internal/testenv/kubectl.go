package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Kubectl runs the kubectl of AssetsDir against the Env as the admin user
// and returns its standard output. The error carries kubectl's standard
// error. kubectl's discovery cache stays in the Env's temporary directory.
func (e *Env) Kubectl(ctx context.Context, args ...string) ([]byte, error) {
	bin := filepath.Join(e.AssetsDir, "kubectl")
	if err := checkExecutable(bin); err != nil {
		return nil, fmt.Errorf("kubectl: %w: %s", err, buildHint)
	}
	full := append([]string{"--kubeconfig", e.kubeconfig, "--cache-dir", filepath.Join(e.tmpDir, "cache")}, args...)
	cmd := exec.CommandContext(ctx, bin, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}
