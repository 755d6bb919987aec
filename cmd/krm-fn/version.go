package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/version"
)

func newVersionCommand(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and commit of krm-fn",
		Long: `Print the version (git describe of the release tag), the commit and the Go
toolchain krm-fn was built from. Release binaries and images are stamped at
link time; a go install build reports its module version and the commit
the Go toolchain recorded.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(s.out, version.Get().String("krm-fn"))
			return err
		},
	}
}
