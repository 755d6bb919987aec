package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/podruntime"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/simcluster"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// timeScale runs the emulated processes' Java periods ten times faster:
// brokers register every 3 s and re-resolve the NameServer Service every
// 12 s; the controller declares a broker dead after 1 s without heartbeat.
const timeScale = 0.1

// suite is what every scenario shares.
type suite struct {
	cluster    *simcluster.Cluster
	client     client.WithWatch
	runtime    *podruntime.Runtime
	controller string // the status-controller binary
	dir        string
}

var s suite

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "rocketmq-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := s.start(dir); err != nil {
		_, _ = fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	code := m.Run()
	if err := s.stop(); err != nil {
		_, _ = fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

var stopRuntime context.CancelFunc
var runtimeDone = make(chan struct{})

func (s *suite) start(dir string) error {
	s.dir = dir
	bin, err := buildController(dir)
	if err != nil {
		return err
	}
	s.controller = bin
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s.cluster, err = simcluster.Start(ctx, simcluster.Options{LogDir: filepath.Join(dir, "logs")})
	if err != nil {
		return fmt.Errorf("while starting the simulated cluster: %w", err)
	}
	s.client, err = client.NewWithWatch(s.cluster.Config, client.Options{Scheme: s.cluster.Client.Scheme()})
	if err != nil {
		return err
	}
	s.runtime = &podruntime.Runtime{
		Client: s.cluster.Client, Dir: filepath.Join(dir, "pods"), Timers: &rmqtest.Timers{Scale: timeScale},
		SetReady: s.cluster.SetPodReady, Logf: runtimeLog(filepath.Join(dir, "logs", "podruntime.log")),
	}
	rctx, rcancel := context.WithCancel(context.Background())
	stopRuntime = rcancel
	go func() { _ = s.runtime.Run(rctx); close(runtimeDone) }()
	return nil
}

func (s *suite) stop() error {
	stopRuntime()
	<-runtimeDone
	return s.cluster.Stop()
}

// buildController builds cmd/status-controller, the binary users run.
func buildController(dir string) (string, error) {
	out := filepath.Join(dir, "status-controller")
	cmd := exec.Command("go", "build", "-o", out, "github.com/rocketmq-gitops/rocketmq-gitops/cmd/status-controller")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("while building the status controller: %w: %s", err, b)
	}
	return out, nil
}

// runtimeLog appends the pod runtime's lines to a file; scenario failures
// print its tail.
func runtimeLog(path string) func(string, ...any) {
	_ = os.MkdirAll(filepath.Dir(path), 0o755)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return func(string, ...any) {}
	}
	return func(format string, args ...any) {
		_, _ = fmt.Fprintf(f, time.Now().Format("15:04:05.000 ")+format+"\n", args...)
	}
}
