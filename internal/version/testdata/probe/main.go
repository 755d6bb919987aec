// Command probe prints version.Get; TestLinkerStamp builds it with -X flags.
package main

import (
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/version"
)

func main() { fmt.Print(version.Get().String("probe")) }
