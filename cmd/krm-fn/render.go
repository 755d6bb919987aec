package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
)

func newRenderCommand(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "render FILE [FILE|-]...",
		Short: "Render the RocketMQClusters in YAML files ('-' is stdin) to a YAML stream",
		Long: `render reads the given YAML files ('-' reads stdin), renders every
RocketMQCluster in them, validates every RocketMQTopic and
RocketMQConsumerGroup, and prints the input objects followed by the rendered
ones: the same objects the function gives kustomize. A team can check its
topics in CI with it: krm-fn render cluster.yaml topics/*.yaml > /dev/null. Errors are printed as
"file: error: Kind namespace/name: field.path: message" and render nothing.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return renderFiles(s, args)
		},
	}
}

// renderFiles runs the function on the objects of files and prints them.
func renderFiles(s streams, files []string) error {
	var items, annotated []*yaml.RNode
	origins := map[string]string{}
	for _, file := range files {
		nodes, err := readFile(s.in, file)
		if err != nil {
			return err
		}
		for _, n := range nodes {
			origins[resourceKey(n.GetKind(), n.GetNamespace(), n.GetName())] = displayName(file)
			if ok, err := markPath(n, displayName(file)); err != nil {
				return err
			} else if ok {
				annotated = append(annotated, n)
			}
		}
		items = append(items, nodes...)
	}
	out, results := fn.Run(items, nil)
	for _, n := range annotated {
		if err := n.PipeE(yaml.ClearAnnotation(kioutil.PathAnnotation)); err != nil {
			return fmt.Errorf("clearing the path annotation of %s %s: %w", n.GetKind(), n.GetName(), err)
		}
	}
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

// markPath records on n the file it was read from, as kpt does, so that
// the function can name files in its messages (two topics declaring the
// same RocketMQ topic). It is cleared before the output is written; an
// object that already carries the annotation keeps it.
func markPath(n *yaml.RNode, file string) (bool, error) {
	if !isMappingWithMetadata(n) {
		return false, nil
	}
	if _, set := n.GetAnnotations()[kioutil.PathAnnotation]; set {
		return false, nil
	}
	if err := n.PipeE(yaml.SetAnnotation(kioutil.PathAnnotation, file)); err != nil {
		return false, fmt.Errorf("annotating %s %s with its file: %w", n.GetKind(), n.GetName(), err)
	}
	return true, nil
}

// isMappingWithMetadata leaves alone what is not shaped like an object, so
// that the function reports it as it is.
func isMappingWithMetadata(n *yaml.RNode) bool {
	if n.YNode().Kind != yaml.MappingNode || n.GetKind() == "" || n.GetApiVersion() == "" {
		return false
	}
	meta := n.Field(yaml.MetadataField)
	if meta == nil || meta.Value.YNode().Kind != yaml.MappingNode {
		return false
	}
	a := meta.Value.Field(yaml.AnnotationsField)
	return a == nil || a.Value.YNode().Kind == yaml.MappingNode
}
