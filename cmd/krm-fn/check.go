package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
)

func newCheckCommand(s streams) *cobra.Command {
	var kustomization string
	cmd := &cobra.Command{
		Use:   "check [--kustomization DIR] < rendered.yaml",
		Short: "Fail when a rendered stream holds objects rendered from an older spec (a stale overlay)",
		Long: `check reads a rendered YAML stream (kustomize build output) or a
ResourceList on stdin and fails when a RocketMQCluster's spec is not the one
its objects were rendered from: its rocketmq.gitops.dev/rendered-spec-hash
annotation differs from the hash of its spec, or is missing while objects
rendered for it are present. That is what an overlay produces when it
patches the spec without listing the function as a transformer. It prints
nothing on success. --kustomization names the directory that was built,
for the message.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return checkStream(s.in, kustomization)
		},
	}
	cmd.Flags().StringVar(&kustomization, "kustomization", "", "the kustomization directory that was built (named in the error)")
	return cmd
}

func checkStream(in io.Reader, kustomization string) error {
	items, err := (&kio.ByteReader{Reader: in, OmitReaderAnnotations: true}).Read()
	if err != nil {
		return fmt.Errorf("reading the rendered objects on stdin: %w", err)
	}
	return fn.Check(items, kustomization)
}
