package release_test

// Accept -update, so that `go test ./... -update` runs in every package.
import _ "github.com/rocketmq-gitops/rocketmq-gitops/internal/golden"
