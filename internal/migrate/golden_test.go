package migrate

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/golden"
)

// TestGolden runs every case of testdata/golden: input.yaml holds the
// operator's resources; with topics.txt the case writes TopicTransfers
// instead of the cluster. A valid case has expected.yaml (and report.txt
// when something is reported), an invalid one errors.txt. Rewrite with
// UPDATE_GOLDEN=1 go test ./internal/migrate/.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "golden", "*", "input.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) { runCase(t, dir) })
	}
}

func runCase(t *testing.T, dir string) {
	input := readFile(t, filepath.Join(dir, "input.yaml"))
	out, report, err := migrateCase(input, optionalFile(t, filepath.Join(dir, "topics.txt")))
	if err != nil {
		checkGolden(t, filepath.Join(dir, "errors.txt"), err.Error()+"\n")
		requireAbsent(t, filepath.Join(dir, "expected.yaml"))
		requireAbsent(t, filepath.Join(dir, "report.txt"))
		return
	}
	requireAbsent(t, filepath.Join(dir, "errors.txt"))
	checkGolden(t, filepath.Join(dir, "expected.yaml"), out)
	checkGolden(t, filepath.Join(dir, "report.txt"), report)
	checkShuffled(t, input, optionalFile(t, filepath.Join(dir, "topics.txt")), out, report)
	if !strings.Contains(out, "kind: TopicTransfer") {
		requireRenders(t, out)
	}
}

// migrateCase converts input; with a topic list it writes TopicTransfers.
func migrateCase(input, topics []byte) (out, report string, err error) {
	in := &Inputs{}
	if err := Parse(input, in); err != nil {
		return "", "", err
	}
	res, err := Convert(in, Options{})
	if err != nil {
		return "", "", err
	}
	objs := []any{res.Cluster}
	rep := &res.Report
	if topics != nil {
		rep = &Report{}
		list, err := ParseTopicList(topics, rep)
		if err != nil {
			return "", "", err
		}
		ts, err := Transfers(res.Source, list, TransferOptions{Target: res.Cluster.Name, Namespace: res.Cluster.Namespace, BatchSize: 3})
		if err != nil {
			return "", "", err
		}
		objs = objs[:0]
		for i := range ts {
			objs = append(objs, &ts[i])
		}
	}
	y, err := Encode(objs...)
	if err != nil {
		return "", "", err
	}
	var r bytes.Buffer
	if err := rep.Write(&r); err != nil {
		return "", "", err
	}
	return string(y), r.String(), nil
}

// checkShuffled converts the input documents in other orders: the output
// and the report must not change.
func checkShuffled(t *testing.T, input, topics []byte, want, wantReport string) {
	t.Helper()
	docs := strings.Split(string(input), "\n---\n")
	for seed := uint64(1); seed <= 3; seed++ {
		r := rand.New(rand.NewPCG(seed, seed))
		r.Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })
		out, report, err := migrateCase([]byte(strings.Join(docs, "\n---\n")), topics)
		require.NoError(t, err, "seed %d", seed)
		require.Equal(t, want, out, "output for shuffled input, seed %d", seed)
		require.Equal(t, wantReport, report, "report for shuffled input, seed %d", seed)
	}
}

// requireRenders runs the converted cluster through the KRM function, the
// way kustomize would: it must validate and render without error.
func requireRenders(t *testing.T, out string) {
	t.Helper()
	items, err := (&kio.ByteReader{Reader: strings.NewReader(out), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	rendered, results := fn.Run(items, nil)
	require.Zero(t, results.ExitCode(), "the KRM function refused the converted cluster: %v", results)
	kinds := map[string]bool{}
	for _, n := range rendered {
		kinds[n.GetKind()] = true
	}
	require.True(t, kinds["StatefulSet"], "nothing rendered: %v", kinds)
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if golden.Update() {
		if got == "" {
			require.NoError(t, removeIfExists(path))
			return
		}
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want := string(optionalFile(t, path))
	require.Equal(t, want, got, "%s differs; rewrite with UPDATE_GOLDEN=1 and read the diff", path)
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
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

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// optionalFile returns nil when the file does not exist.
func optionalFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	return b
}
