// Package krm is krm-fn's side of the KRM function protocol without kyaml's
// fn/framework: the ResourceList and result types, Execute, and a Writer
// that prints objects with kio.ByteWriter's bytes several times faster
// (writing the output was the largest part of a cold krm-fn run).
package krm
