// Command crdschema writes the JSON Schemas of the CRDs (make schemas):
//
//	go run ./hack/crdschema [-crds config/crd/bases] [-out schemas]
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/crdschema"
)

func main() {
	crds := flag.String("crds", "config/crd/bases", "directory of the CRD YAML files")
	out := flag.String("out", "schemas", "directory the JSON Schemas are written to")
	flag.Parse()
	files, err := crdschema.Generate(*crds)
	if err == nil {
		err = crdschema.Write(*out, files)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "crdschema:", err)
		os.Exit(1)
	}
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names {
		fmt.Fprintf(os.Stderr, "crdschema: wrote %s/%s\n", *out, name)
	}
}
