// Command render-diff renders every overlay that uses the RocketMQ KRM
// function at two git revisions and prints, per object, what a merge would
// change: added, removed and changed objects with their changed field
// paths, led by summaries such as "broker group orders-broker-2 added" or
// "topic orders: queues 8 → 16". It exits 3, after the report, when the
// head changes a topic or group in a way the API server refuses.
//
//	render-diff --base origin/main --head HEAD [--overlays a,b] [--krm-fn build|PATH]
//
// Each revision is checked out with `git worktree` into a temporary
// directory. By default krm-fn is built from each revision's own source, so
// a change to the renderer shows up in the diff just like a change to a
// spec; pass --krm-fn PATH to use one binary for both sides instead.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

// errDifferences is returned with --exit-code when the renders differ.
var errDifferences = errors.New("renders differ")

// errRefused is returned, after the report, when the head changes a
// RocketMQTopic or RocketMQConsumerGroup in a way the API server refuses
// (a queue count shrinking, the message type changing): the sync would
// fail, so the pull request should too.
var errRefused = errors.New("the API server would refuse the head")

func main() { os.Exit(runMain()) }

// runMain returns the exit code, so that deferred calls run before exit.
func runMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	if err == nil {
		err = run(ctx, opts, os.Stdout, os.Stderr)
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errDifferences):
		return 1
	case errors.Is(err, errRefused):
		fmt.Fprintf(os.Stderr, "render-diff: %v\n", err)
		return 3
	case err != nil:
		fmt.Fprintf(os.Stderr, "render-diff: %v\n", err)
		return 2
	}
	return 0
}

type options struct {
	repo      string
	base      string
	head      string
	overlays  []string
	kustomize string
	krmFn     string
	exitCode  bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("render-diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var overlays string
	fs.StringVar(&o.repo, "repo", ".", "git repository to read the revisions from")
	fs.StringVar(&o.base, "base", "", "base revision, e.g. origin/main (required)")
	fs.StringVar(&o.head, "head", "HEAD", "head revision")
	fs.StringVar(&overlays, "overlays", os.Getenv("RENDER_DIFF_OVERLAYS"),
		"comma-separated overlay directories (default: every kustomization that uses the function, at either revision)")
	fs.StringVar(&o.kustomize, "kustomize", envOr("KUSTOMIZE", "kustomize"), "kustomize binary")
	fs.StringVar(&o.krmFn, "krm-fn", "build", `"build" builds cmd/krm-fn from each revision; a path uses that binary for both`)
	fs.BoolVar(&o.exitCode, "exit-code", false, "exit 1 when the renders differ")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.base == "" {
		return o, errors.New("--base is required")
	}
	for _, d := range strings.Split(overlays, ",") {
		if d = strings.TrimSpace(d); d != "" {
			o.overlays = append(o.overlays, d)
		}
	}
	return o, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
