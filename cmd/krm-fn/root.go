package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

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
ResourceList with the rendered objects on stdout. RocketMQTopic and
RocketMQConsumerGroup items pass through, validated offline (strict fields,
values, duplicates, and the broker groups and namespace selector of their
cluster when the render holds it) and placed in Argo CD sync wave 4, after
the cluster's. On bad input it writes error results, renders nothing and
exits 1.`,
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
	root.AddCommand(newRenderCommand(s), newCheckCommand(s), newVersionCommand(s), newMigrateCommand(s))
	return root
}

// runResourceList is the KRM function protocol: ResourceList in, out. The
// results also go to stderr, one line each, so that `kustomize build`
// users see warnings and errors without reading the ResourceList.
func runResourceList(s streams) error {
	var results krm.Results
	err := krm.Execute(func(rl *krm.ResourceList) error {
		err := fn.Processor{}.Process(rl)
		results = rl.Results
		return err
	}, s.in, s.out)
	printResults(s.errOut, results, nil)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &results):
		return errReported
	default:
		return fmt.Errorf("running the RocketMQCluster function: %w", err)
	}
}

// printResults writes one line per result; origin, when known, names the
// file a result's resource came from.
func printResults(w io.Writer, results krm.Results, origin func(*krm.Result) string) {
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
