// Package version holds the version and commit stamped into every binary
// of rocketmq-gitops at link time:
//
//	go build -ldflags "-X github.com/rocketmq-gitops/rocketmq-gitops/internal/version.version=v0.1.0 \
//	  -X github.com/rocketmq-gitops/rocketmq-gitops/internal/version.commit=<sha>"
//
// The Makefile's LDFLAGS and the Dockerfile's VERSION/COMMIT build
// arguments set them. Unstamped builds (go install, go run, go test) fall
// back to what the Go toolchain recorded: the module version and the
// vcs.revision / vcs.modified build settings.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by -ldflags -X; empty when not stamped.
var (
	version = ""
	commit  = ""
)

// Info is the version of the running binary.
type Info struct {
	Version string // a git describe output such as v0.1.0 or v0.1.0-3-gabcdef0-dirty, or "(devel)"
	Commit  string // the full commit hash, with "-dirty" for a modified tree, or "unknown"
	Go      string // the Go toolchain that built the binary
}

// Get returns the stamped version, else the build info's.
func Get() Info {
	info, _ := debug.ReadBuildInfo()
	return resolve(version, commit, info)
}

// resolve prefers the stamped values and falls back to the build info.
func resolve(stampedVersion, stampedCommit string, info *debug.BuildInfo) Info {
	v := Info{Version: stampedVersion, Commit: stampedCommit, Go: runtime.Version()}
	if info != nil {
		if v.Version == "" && info.Main.Version != "" {
			v.Version = info.Main.Version
		}
		if v.Commit == "" {
			var rev, modified string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if rev != "" && modified == "true" {
				rev += "-dirty"
			}
			v.Commit = rev
		}
		if info.GoVersion != "" {
			v.Go = info.GoVersion
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	return v
}

// String is the one-line form the binaries print: "<name> <version>
// (commit <commit>, <go version>)".
func (i Info) String(name string) string {
	return fmt.Sprintf("%s %s (commit %s, %s)", name, i.Version, i.Commit, i.Go)
}
