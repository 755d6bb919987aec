package krm

import (
	"fmt"
	"io"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ResourceList is a KRM function's input and output.
type ResourceList struct {
	Items          []*yaml.RNode
	FunctionConfig *yaml.RNode
	Results        Results
}

// Execute is kyaml's fn/framework.Execute with Writer as the writer: it
// reads a ResourceList from in, keeps the path, index and id annotations
// of both generations consistent, runs process, and writes the items and
// the results to out. It returns process's error once the output is
// written.
func Execute(process func(*ResourceList) error, in io.Reader, out io.Writer) error {
	rw := &kio.ByteReadWriter{Reader: in, KeepReaderAnnotations: true}
	items, err := rw.Read()
	if err != nil {
		return fmt.Errorf("reading the ResourceList on stdin: %w", err)
	}
	rl := ResourceList{Items: items, FunctionConfig: rw.FunctionConfig}
	annotations, err := kio.PreprocessResourcesForInternalAnnotationMigration(rl.Items)
	if err != nil {
		return fmt.Errorf("reading the ResourceList on stdin: %w", err)
	}
	processErr := process(&rl)
	if err := kio.ReconcileInternalAnnotations(rl.Items, annotations); err != nil {
		return fmt.Errorf("restoring the items' annotations: %w", err)
	}
	w := Writer{Writer: out, KeepReaderAnnotations: true, FunctionConfig: rw.FunctionConfig,
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
func resultsNode(results Results) (*yaml.RNode, error) {
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
