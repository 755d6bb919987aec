package podruntime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// scriptTimeout bounds one run of a start script; the broker's waits for
// its own DNS name end well before.
const scriptTimeout = 2 * time.Minute

// runScript runs the container's command with the host's sh and returns
// the launcher's arguments the stub recorded.
func (r *Runtime) runScript(ctx context.Context, c *container) ([]string, error) {
	argv := append(append([]string(nil), c.spec.Command...), c.spec.Args...)
	if len(argv) == 0 {
		return nil, errors.New("the container has no command: the image's entrypoint is not emulated")
	}
	for i := range argv {
		argv[i] = c.rewrite(argv[i])
	}
	ctx, cancel := context.WithTimeout(ctx, scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = c.env
	if c.spec.WorkingDir != "" {
		cmd.Dir = c.rewrite(c.spec.WorkingDir)
		if err := os.MkdirAll(cmd.Dir, 0o755); err != nil {
			return nil, err
		}
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	_ = os.Remove(c.launch)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("while starting the command: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if err := r.serveHosts(ctx, c, done); err != nil {
		return nil, fmt.Errorf("the start script failed: %w; output: %s", err, tail(stderr.String()))
	}
	data, err := os.ReadFile(c.launch)
	if err != nil {
		return nil, fmt.Errorf("the start script exited without starting a process; output: %s", tail(stderr.String()))
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"), nil
}

// serveHosts keeps the pod's hosts file (what the getent stub answers)
// current until the script ends, and returns how it ended.
func (r *Runtime) serveHosts(ctx context.Context, c *container, done <-chan error) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		r.writeHosts(ctx, c)
		select {
		case err := <-done:
			return err
		case <-tick.C:
		}
	}
}

// writeHosts lists the names a start script may wait for that resolve
// now: the pod's own names under its subdomain, and the Services of its
// namespace.
func (r *Runtime) writeHosts(ctx context.Context, c *container) {
	p := c.pod
	var candidates []string
	if p.Spec.Subdomain != "" {
		own := podHostname(p) + "." + p.Spec.Subdomain + "." + p.Namespace + ".svc"
		candidates = append(candidates, own, own+".cluster.local")
	}
	var b strings.Builder
	for _, name := range candidates {
		if _, err := r.resolver.LookupHost(name); err == nil {
			b.WriteString(name + "\n")
		}
	}
	_ = os.WriteFile(c.hosts, []byte(b.String()), 0o644)
}

// tail is the end of a command's output, for errors.
func tail(s string) string {
	const n = 600
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}
