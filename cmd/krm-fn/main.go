// Command krm-fn is the RocketMQCluster KRM function. Without arguments it
// reads a ResourceList on stdin and writes one on stdout, as kustomize and
// kpt expect; `krm-fn render FILE...` renders cluster files directly.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], streams{in: os.Stdin, out: os.Stdout, errOut: os.Stderr}))
}
