// Package krm writes KRM objects, as a YAML stream or a ResourceList, with
// the bytes kyaml's kio.ByteWriter writes, several times faster: krm-fn
// spends most of a cold run printing its output.
package krm
