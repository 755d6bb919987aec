package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
)

func newRenderCommand(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "render FILE [FILE|-]...",
		Short: "Render the RocketMQClusters in YAML files ('-' is stdin) to a YAML stream",
		Long: `render reads the given YAML files ('-' reads stdin), renders every
RocketMQCluster in them and prints the input objects followed by the rendered
ones: the same objects the function gives kustomize. Errors are printed as
"file: error: Kind namespace/name: field.path: message" and render nothing.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return renderFiles(s, args)
		},
	}
}

// renderFiles runs the function on the objects of files and prints them.
func renderFiles(s streams, files []string) error {
	var items []*yaml.RNode
	origins := map[string]string{}
	for _, file := range files {
		nodes, err := readFile(s.in, file)
		if err != nil {
			return err
		}
		for _, n := range nodes {
			origins[resourceKey(n.GetKind(), n.GetNamespace(), n.GetName())] = displayName(file)
		}
		items = append(items, nodes...)
	}
	out, results := fn.Run(items, nil)
	printResults(s.errOut, results, func(r *krm.Result) string {
		if r.ResourceRef == nil {
			return ""
		}
		return origins[resourceKey(r.ResourceRef.Kind, r.ResourceRef.Namespace, r.ResourceRef.Name)]
	})
	if results.ExitCode() != 0 {
		return errReported
	}
	if err := (krm.Writer{Writer: s.out}).Write(out); err != nil {
		return fmt.Errorf("writing the rendered objects: %w", err)
	}
	return nil
}

func resourceKey(kind, namespace, name string) string {
	return kind + "/" + namespace + "/" + name
}

// readFile parses the YAML documents of file, or of stdin for "-".
func readFile(stdin io.Reader, file string) ([]*yaml.RNode, error) {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(data), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", file, err)
	}
	return nodes, nil
}

// displayName names an input in messages.
func displayName(file string) string {
	if file == "-" {
		return "<stdin>"
	}
	return file
}
