package fn

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/golden"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
)

// goldenDir holds one folder per case: input.yaml (a YAML stream of items,
// or a ResourceList when the case needs a functionConfig) and either
// expected.yaml (+ warnings.txt when there are warnings) or errors.txt.
const goldenDir = "../../testdata/golden"

func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(goldenDir, "*", "input.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs, "no golden cases found under %s", goldenDir)
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) { runGoldenCase(t, dir) })
	}
}

func runGoldenCase(t *testing.T, dir string) {
	input, err := os.ReadFile(filepath.Join(dir, "input.yaml"))
	require.NoError(t, err)
	items, fc := parseInput(t, input)
	out, results := Run(items, fc)
	got := encode(t, out)
	if results.ExitCode() != 0 {
		requireSameText(t, encode(t, mustParseInput(t, input)), got, "the output for invalid input (it must be the input, nothing rendered)")
		checkGolden(t, filepath.Join(dir, "errors.txt"), formatResults(results))
		requireAbsent(t, filepath.Join(dir, "expected.yaml"))
	} else {
		checkGolden(t, filepath.Join(dir, "expected.yaml"), got)
		checkOptionalGolden(t, filepath.Join(dir, "warnings.txt"), formatResults(results))
		requireAbsent(t, filepath.Join(dir, "errors.txt"))
		checkIdempotent(t, got, fc, input)
	}
	checkShuffled(t, input, got, formatResults(results))
}

// checkIdempotent feeds the output back in: nothing may change.
func checkIdempotent(t *testing.T, first string, fc *yaml.RNode, input []byte) {
	t.Helper()
	_, fc2 := parseInput(t, input)
	again, results := Run(parseStream(t, first), fc2)
	require.Zero(t, results.ExitCode(), "second run failed:\n%s", formatResults(results))
	requireSameText(t, first, encode(t, again), "the output of a second run on the first run's output")
}

// checkShuffled runs the case with its items in several random orders; the
// output and the results must be byte-identical.
func checkShuffled(t *testing.T, input []byte, want, wantResults string) {
	t.Helper()
	for seed := uint64(1); seed <= 3; seed++ {
		items, fc := parseInput(t, input)
		r := rand.New(rand.NewPCG(seed, seed))
		r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		out, results := Run(items, fc)
		if results.ExitCode() == 0 {
			requireSameText(t, want, encode(t, out), fmt.Sprintf("the output for shuffled input (seed %d)", seed))
		}
		require.Equal(t, wantResults, formatResults(results), "shuffled input (seed %d) changed the results", seed)
	}
}

// parseInput reads a YAML stream or a ResourceList into items and the
// functionConfig.
func parseInput(t *testing.T, input []byte) ([]*yaml.RNode, *yaml.RNode) {
	t.Helper()
	r := &kio.ByteReader{Reader: bytes.NewReader(input), OmitReaderAnnotations: true}
	items, err := r.Read()
	require.NoError(t, err)
	return items, r.FunctionConfig
}

func mustParseInput(t *testing.T, input []byte) []*yaml.RNode {
	items, _ := parseInput(t, input)
	return items
}

func parseStream(t *testing.T, s string) []*yaml.RNode {
	t.Helper()
	return mustParseInput(t, []byte(s))
}

func encode(t *testing.T, nodes []*yaml.RNode) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, kio.ByteWriter{Writer: &b}.Write(nodes))
	return b.String()
}

func formatResults(results krm.Results) string {
	var b strings.Builder
	for _, r := range results {
		b.WriteString(FormatResult(r))
		b.WriteString("\n")
	}
	return b.String()
}

// checkGolden compares got with the file, or rewrites it when UPDATE_GOLDEN is set.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if golden.Update() {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run UPDATE_GOLDEN=1 go test ./internal/fn and read the result")
	requireSameText(t, string(want), got, path+" (rerun with UPDATE_GOLDEN=1 and review the diff)")
}

// requireSameText fails with a unified diff only: the golden files are
// long, and printing both whole texts hides the change.
func requireSameText(t *testing.T, want, got, what string) {
	t.Helper()
	if want == got {
		return
	}
	diff, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(want), B: difflib.SplitLines(got),
		FromFile: "want", ToFile: "got", Context: 3,
	})
	require.NoError(t, err)
	t.Fatalf("%s differs:\n%s", what, diff)
}

// checkOptionalGolden is checkGolden for a file that exists only when got
// is not empty.
func checkOptionalGolden(t *testing.T, path, got string) {
	t.Helper()
	if got != "" {
		checkGolden(t, path, got)
		return
	}
	if golden.Update() {
		require.NoError(t, removeIfExists(path))
		return
	}
	requireAbsent(t, path)
}

func requireAbsent(t *testing.T, path string) {
	t.Helper()
	if golden.Update() {
		require.NoError(t, removeIfExists(path))
		return
	}
	_, err := os.Stat(path)
	require.True(t, os.IsNotExist(err), "%s must not exist for this case", path)
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
