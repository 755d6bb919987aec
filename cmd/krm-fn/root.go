package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
)

// streams are the process's standard streams, injected for tests.
type streams struct {
	in     io.Reader
	out    io.Writer
	errOut io.Writer
}

// errReported means the failure was already printed to stderr.
var errReported = errors.New("reported")

// run executes the command line and returns the exit code. It never lets a
// panic escape: kustomize would show the stack trace to the user.
func run(args []string, s streams) (code int) {
	defer func() {
		if r := recover(); r != nil {
			_, _ = fmt.Fprintf(s.errOut, "error: internal error in krm-fn: %v\n", r)
			code = 2
		}
	}()
	root := newRootCommand(s)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		if !errors.Is(err, errReported) {
			_, _ = fmt.Fprintf(s.errOut, "error: %v\n", err)
		}
		return 1
	}
	return 0
}

func newRootCommand(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "krm-fn",
		Short: "Render RocketMQCluster specs into Kubernetes objects (KRM function)",
		Long: `krm-fn is a KRM function. Without arguments it reads a ResourceList on
stdin (kustomize, kpt), renders every rocketmq.gitops.dev/v1alpha1
RocketMQCluster among the items and in the functionConfig, and writes the
ResourceList with the rendered objects on stdout. On bad input it writes
error results, renders nothing and exits 1.`,
		Args:          cobra.NoArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(*cobra.Command, []string) error {
			return runResourceList(s)
		},
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.errOut)
	root.AddCommand(newRenderCommand(s), newCheckCommand(s), newVersionCommand(s))
	return root
}

// runResourceList is the KRM function protocol: ResourceList in, out. The
// results also go to stderr, one line each, so that `kustomize build`
// users see warnings and errors without reading the ResourceList.
func runResourceList(s streams) error {
	rw := &kio.ByteReadWriter{Reader: s.in, KeepReaderAnnotations: true}
	rec := &recordingProcessor{}
	err := execute(rec, rw, s.out)
	printResults(s.errOut, rec.results, nil)
	var results framework.Results
	switch {
	case err == nil:
		return nil
	case errors.As(err, &results):
		return errReported
	default:
		return fmt.Errorf("running the RocketMQCluster function: %w", err)
	}
}

// execute is kyaml's framework.Execute with krm.Writer as the writer: it
// reads the ResourceList, keeps the path, index and id annotations of both
// generations consistent, runs p, and writes the items and results.
func execute(p framework.ResourceListProcessor, rw *kio.ByteReadWriter, out io.Writer) error {
	items, err := rw.Read()
	if err != nil {
		return fmt.Errorf("reading the ResourceList on stdin: %w", err)
	}
	rl := framework.ResourceList{Items: items, FunctionConfig: rw.FunctionConfig}
	annotations, err := kio.PreprocessResourcesForInternalAnnotationMigration(rl.Items)
	if err != nil {
		return fmt.Errorf("reading the ResourceList on stdin: %w", err)
	}
	processErr := p.Process(&rl)
	if err := kio.ReconcileInternalAnnotations(rl.Items, annotations); err != nil {
		return fmt.Errorf("restoring the items' annotations: %w", err)
	}
	w := krm.Writer{Writer: out, KeepReaderAnnotations: true, FunctionConfig: rw.FunctionConfig,
		Results: rw.Results, WrappingKind: rw.WrappingKind, WrappingAPIVersion: rw.WrappingAPIVersion}
	if len(rl.Results) > 0 {
		if w.Results, err = resultsNode(rl.Results); err != nil {
			return err
		}
	}
	if err := w.Write(rl.Items); err != nil {
		return fmt.Errorf("writing the ResourceList: %w", err)
	}
	return processErr
}

// resultsNode is results as the ResourceList's results field.
func resultsNode(results framework.Results) (*yaml.RNode, error) {
	b, err := yaml.Marshal(results)
	if err != nil {
		return nil, fmt.Errorf("encoding the results: %w", err)
	}
	n, err := yaml.Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("encoding the results: %w", err)
	}
	return n, nil
}

// recordingProcessor runs fn.Processor and keeps its results for stderr.
type recordingProcessor struct {
	results framework.Results
}

func (p *recordingProcessor) Process(rl *framework.ResourceList) error {
	err := fn.Processor{}.Process(rl)
	p.results = rl.Results
	return err
}

// printResults writes one line per result; origin, when known, names the
// file a result's resource came from.
func printResults(w io.Writer, results framework.Results, origin func(*framework.Result) string) {
	for _, r := range results {
		line := fn.FormatResult(r)
		if origin != nil {
			if file := origin(r); file != "" {
				line = file + ": " + line
			}
		}
		_, _ = fmt.Fprintln(w, line)
	}
}
