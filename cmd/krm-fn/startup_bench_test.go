package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// BenchmarkStartup runs a built krm-fn as kustomize does, one process per
// build: `version` (process start and package init only), `render` of the
// example cluster, and the function protocol on the ResourceList kustomize
// sends for it. floor is an empty Go program: the Go runtime's own start
// on this machine, which no change to krm-fn can go below. Besides ns/op
// each reports the process's CPU time (user+sys, cpu-ms/op), steadier than
// wall time on a busy machine. See docs/performance.md.
func BenchmarkStartup(b *testing.B) {
	bin := filepath.Join(krmFnDir(b), "krm-fn")
	cases := []struct {
		name  string
		bin   string
		args  []string
		stdin []byte
	}{
		{name: "floor", bin: emptyGoProgram(b)},
		{name: "version", bin: bin, args: []string{"version"}},
		{name: "render", bin: bin, args: []string{"render", exampleCluster}},
		{name: "resourcelist", bin: bin, stdin: exampleResourceList(b)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var cpu time.Duration
			n := 0
			for b.Loop() {
				cpu += runProcess(b, c.bin, c.args, c.stdin)
				n++
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/op")
		})
	}
}

// runProcess runs bin and returns its CPU time.
func runProcess(b *testing.B, bin string, args []string, stdin []byte) time.Duration {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// emptyGoProgram builds a Go program that exits at once.
func emptyGoProgram(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	src := filepath.Join(dir, "main.go")
	require.NoError(b, os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o600))
	cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "empty"), src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(b, err, "building an empty Go program: %s", out)
	return filepath.Join(dir, "empty")
}

// exampleResourceList is the ResourceList kustomize gives krm-fn for the
// example: the cluster, without its comments (kustomize drops them), as
// the item and as the functionConfig.
func exampleResourceList(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile(exampleCluster)
	require.NoError(b, err)
	items, err := (&kio.ByteReader{Reader: bytes.NewReader(data), OmitReaderAnnotations: true}).Read()
	require.NoError(b, err)
	require.Len(b, items, 1)
	dropComments(items[0].YNode())
	var rl bytes.Buffer
	w := kio.ByteWriter{Writer: &rl, FunctionConfig: items[0].Copy(),
		WrappingKind: kio.ResourceListKind, WrappingAPIVersion: kio.ResourceListAPIVersion}
	require.NoError(b, w.Write(items))
	return rl.Bytes()
}

func dropComments(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		dropComments(c)
	}
}
