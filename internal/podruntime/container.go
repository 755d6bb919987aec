package podruntime

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// launchers are the image's start scripts the rendered scripts exec; each
// is replaced by a stub that records its arguments.
var launchers = []string{"mqnamesrv", "mqbroker", "mqcontroller", "mqproxy"}

// container is one pod's first container, laid out on this machine.
type container struct {
	pod  *corev1.Pod
	spec *corev1.Container
	// root holds the pod's directories; paths maps each container path
	// (mount path or image directory) to its directory here.
	root  string
	paths map[string]string
	// env is the resolved environment, paths rewritten.
	env    []string
	launch string // file the launcher stub writes
	hosts  string // names getent resolves, refreshed by the runtime
}

// prepare lays out the pod's volumes and image directories and resolves
// its environment.
func (r *Runtime) prepare(ctx context.Context, p *corev1.Pod) (*container, error) {
	if len(p.Spec.Containers) == 0 {
		return nil, fmt.Errorf("pod %s has no container", p.Name)
	}
	c := &container{pod: p, spec: &p.Spec.Containers[0], paths: map[string]string{}}
	c.root = filepath.Join(r.Dir, "pods", p.Namespace, p.Name+"-"+string(p.UID))
	c.launch = filepath.Join(c.root, "launch")
	c.hosts = filepath.Join(c.root, "hosts")
	if err := os.MkdirAll(c.root, 0o755); err != nil {
		return nil, err
	}
	if err := r.mountVolumes(ctx, c); err != nil {
		return nil, err
	}
	env, err := r.resolveEnv(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := c.installImage(env); err != nil {
		return nil, err
	}
	for _, kv := range env {
		c.env = append(c.env, c.rewrite(kv))
	}
	c.env = append(c.env, "PATH="+filepath.Join(c.root, "stubs")+":/usr/local/bin:/usr/bin:/bin")
	return c, nil
}

// mountVolumes makes a directory per volume mount: ConfigMap and Secret
// contents as files, emptyDirs empty, a claim's directory shared by every
// pod that mounts the claim (the store survives the pod).
func (r *Runtime) mountVolumes(ctx context.Context, c *container) error {
	vols := map[string]*corev1.Volume{}
	for i := range c.pod.Spec.Volumes {
		vols[c.pod.Spec.Volumes[i].Name] = &c.pod.Spec.Volumes[i]
	}
	for _, m := range c.spec.VolumeMounts {
		v := vols[m.Name]
		if v == nil {
			return fmt.Errorf("volume mount %s names no volume", m.Name)
		}
		dir, err := r.volumeDir(ctx, c, v)
		if err != nil {
			return fmt.Errorf("while mounting volume %s: %w", m.Name, err)
		}
		c.paths[m.MountPath] = dir
	}
	return nil
}

func (r *Runtime) volumeDir(ctx context.Context, c *container, v *corev1.Volume) (string, error) {
	ns := c.pod.Namespace
	switch {
	case v.PersistentVolumeClaim != nil:
		dir := filepath.Join(r.Dir, "claims", ns, v.PersistentVolumeClaim.ClaimName)
		return dir, os.MkdirAll(dir, 0o755)
	case v.ConfigMap != nil:
		var cm corev1.ConfigMap
		if err := r.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: v.ConfigMap.Name}, &cm); err != nil {
			return "", err
		}
		return writeFiles(filepath.Join(c.root, "volumes", v.Name), cm.Data)
	case v.Secret != nil:
		var s corev1.Secret
		if err := r.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: v.Secret.SecretName}, &s); err != nil {
			return "", err
		}
		data := map[string]string{}
		for k, b := range s.Data {
			data[k] = string(b)
		}
		return writeFiles(filepath.Join(c.root, "volumes", v.Name), data)
	case v.EmptyDir != nil:
		dir := filepath.Join(c.root, "volumes", v.Name)
		return dir, os.MkdirAll(dir, 0o755)
	}
	return "", fmt.Errorf("volume %s: only claims, ConfigMaps, Secrets and emptyDirs are emulated", v.Name)
}

// writeFiles writes one file per key, read-only as the kubelet mounts them.
func writeFiles(dir string, data map[string]string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for k, v := range data {
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o444); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// installImage lays out the image's side: ROCKETMQ_HOME/bin with the
// launcher stubs, and a stubs directory first on PATH with getent.
func (c *container) installImage(env []string) error {
	home := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ROCKETMQ_HOME="); ok {
			home = v
		}
	}
	if home != "" {
		c.paths[home] = filepath.Join(c.root, "image", "rocketmq-home")
		bin := filepath.Join(c.paths[home], "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			return err
		}
		for _, l := range launchers {
			stub := "#!/bin/sh\n# Stands in for the image's " + l + ": records how the start script called it.\n" +
				"printf '%s\\n' " + l + " \"$@\" > '" + c.launch + "'\n"
			if err := os.WriteFile(filepath.Join(bin, l), []byte(stub), 0o755); err != nil {
				return err
			}
		}
	}
	stubs := filepath.Join(c.root, "stubs")
	if err := os.MkdirAll(stubs, 0o755); err != nil {
		return err
	}
	// getent hosts NAME succeeds when the runtime's Resolver resolves NAME:
	// the runtime keeps the pod's hosts file current while the script runs.
	getent := "#!/bin/sh\n[ \"$1\" = hosts ] || exit 2\ngrep -q -x -F \"$2\" '" + c.hosts + "'\n"
	if err := os.WriteFile(c.hosts, nil, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(stubs, "getent"), []byte(getent), 0o755)
}

// rewrite maps every container path in s to its directory on this
// machine, in one pass (a rewritten path is never rewritten again); a path
// matches only as whole path components, starting at a word boundary.
func (c *container) rewrite(s string) string {
	keys := make([]string, 0, len(c.paths))
	for k := range c.paths {
		keys = append(keys, k)
	}
	// Longest first, so /home/rocketmq/logs wins over a mount at /home.
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	var b strings.Builder
	for i := 0; i < len(s); {
		if k := matchAt(s, i, keys); k != "" {
			b.WriteString(c.paths[k])
			i += len(k)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// matchAt returns the key that starts at s[i] as a whole path, or "".
func matchAt(s string, i int, keys []string) string {
	if i > 0 && isPathByte(s[i-1]) {
		return ""
	}
	for _, k := range keys {
		end := i + len(k)
		if strings.HasPrefix(s[i:], k) && (end == len(s) || s[end] == '/' || !isPathByte(s[end])) {
			return k
		}
	}
	return ""
}

func isPathByte(b byte) bool {
	return b == '/' || b == '.' || b == '-' || b == '_' ||
		(b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}
