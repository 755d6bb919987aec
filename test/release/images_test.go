// Package release_test checks what a release publishes and what users
// install from it, by reading the files: no image is built and no registry
// is reached here.
package release_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
)

// ownRegistry holds the images the release workflow publishes.
const ownRegistry = "ghcr.io/rocketmq-gitops/"

// imageRef is one image reference found in a file.
type imageRef struct {
	file, ref string
}

// yamlImageRefs returns the image references of every YAML file under the
// given directories: the `image` fields of any object (Pods, function
// annotations, Kptfiles) and kustomize `images:` entries, rendered as
// name:newTag@digest.
func yamlImageRefs(t *testing.T, root string, dirs ...string) []imageRef {
	t.Helper()
	var refs []imageRef
	for _, d := range dirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" && e.Name() != "Kptfile" {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
				var v any
				if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
					t.Errorf("%s: document %d: %v", rel, i, err)
					continue
				}
				for _, r := range imagesIn(v) {
					refs = append(refs, imageRef{rel, r})
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
	return refs
}

func imagesIn(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch k {
			case "image":
				if s, ok := x.(string); ok {
					out = append(out, s)
					continue
				}
			case "images":
				// kustomize's images transformer: the tag it sets.
				if list, ok := x.([]any); ok {
					for _, it := range list {
						m, ok := it.(map[string]any)
						if !ok || m["name"] == nil {
							continue
						}
						ref := m["name"].(string)
						if n, ok := m["newName"].(string); ok {
							ref = n
						}
						if tag, ok := m["newTag"].(string); ok {
							ref += ":" + tag
						}
						if d, ok := m["digest"].(string); ok {
							ref += "@" + d
						}
						out = append(out, ref)
					}
					continue
				}
			case "config.kubernetes.io/function":
				// The annotation is YAML in a string.
				if s, ok := x.(string); ok {
					var fn any
					if yaml.Unmarshal([]byte(s), &fn) == nil {
						out = append(out, imagesIn(fn)...)
					}
					continue
				}
			}
			out = append(out, imagesIn(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, imagesIn(x)...)
		}
	}
	return out
}

var digestRE = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

// unpinned reports why ref is not pinned to a version, or "".
func unpinned(ref string) string {
	if digestRE.MatchString(ref) {
		return ""
	}
	name := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, ok := strings.Cut(name, ":")
	switch {
	case !ok || tag == "":
		return "has no tag (it means :latest)"
	case tag == "latest":
		return "is :latest"
	case strings.Contains(tag, "$") || strings.Contains(tag, "<"):
		return "has a placeholder tag"
	}
	return ""
}

func TestUnpinnedDetection(t *testing.T) {
	for ref, want := range map[string]bool{
		"apache/rocketmq:5.3.3": true, "ghcr.io/rocketmq-gitops/krm-fn:v0.1.0": true,
		"localhost:5000/x:v1": true, "busybox@sha256:" + strings.Repeat("a", 64): true,
		"apache/rocketmq": false, "ghcr.io/rocketmq-gitops/krm-fn:latest": false, "localhost:5000/x": false,
		"x:<tag>": false,
	} {
		assert.Equal(t, want, unpinned(ref) == "", ref)
	}
}

// TestImagesArePinned: every image a user deploys from config/ or
// examples/ (the committed renders included: they name the RocketMQ
// images the function defaults to) names a version.
func TestImagesArePinned(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	refs := yamlImageRefs(t, root, "config", "examples")
	require.NotEmpty(t, refs)
	seen := map[string]bool{}
	for _, r := range refs {
		seen[r.ref] = true
		if why := unpinned(r.ref); why != "" {
			t.Errorf("%s: image %s %s; pin a version", r.file, r.ref, why)
		}
	}
	// The walk must reach the references this test exists for.
	for _, want := range []string{ownRegistry + "status-controller", ownRegistry + "rocketmq-argocd-cmp"} {
		found := false
		for ref := range seen {
			found = found || strings.HasPrefix(ref, want+":")
		}
		assert.True(t, found, "no reference to %s found in config/ or examples/", want)
	}
}

// releaseVersion is the version config/default installs: the one every
// reference to the project's own images names.
func releaseVersion(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "config", "default", "kustomization.yaml"))
	require.NoError(t, err)
	var k struct {
		Images []struct {
			Name, NewTag string
		} `json:"images"`
	}
	require.NoError(t, yaml.Unmarshal(data, &k))
	for _, img := range k.Images {
		if img.Name == ownRegistry+"status-controller" {
			require.Regexp(t, `^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`, img.NewTag, "config/default pins a release tag")
			return img.NewTag
		}
	}
	t.Fatal("config/default sets no tag for " + ownRegistry + "status-controller")
	return ""
}

var ownRefRE = regexp.MustCompile(regexp.QuoteMeta(ownRegistry) + `([a-z0-9-]+):([^\s"'}\x60)]+)`)

// TestOwnImagesNameOneRelease: config/, examples/, the docs and the
// README all name the same release of the project's images, and the
// release workflow (RELEASE_TAG) refuses a tag that differs from it.
func TestOwnImagesNameOneRelease(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	want := releaseVersion(t, root)
	if tag := os.Getenv("RELEASE_TAG"); tag != "" {
		assert.Equal(t, tag, want, "releasing %s, but config/default installs %s: bump the pins (see docs/gitops.md, Releases and versions) before tagging", tag, want)
	}
	files := []string{"README.md"}
	for _, d := range []string{"config", "examples", "docs"} {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				rel, _ := filepath.Rel(root, p)
				files = append(files, rel)
			}
			return err
		})
		require.NoError(t, err)
	}
	sort.Strings(files)
	count := 0
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		for _, m := range ownRefRE.FindAllStringSubmatch(string(data), -1) {
			tag := strings.TrimRight(m[2], ".,;:")
			if tag == "<tag>" || strings.HasPrefix(tag, "<") {
				continue // a placeholder in prose
			}
			count++
			assert.Equal(t, want, tag, "%s: %s%s:%s is not the release config/default installs", f, ownRegistry, m[1], tag)
		}
	}
	assert.Positive(t, count)
}
