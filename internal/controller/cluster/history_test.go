package cluster

import (
	"context"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// statusHistory returns every version of the cluster written after
// resourceVersion from, in order, up to and including the first for which
// until holds. It reads a watch, not a poll: the API server sends each
// write, so a state the controller holds only briefly (or that a busy test
// process would poll past) is still seen. A watch the server closes is
// resumed from the last version seen.
func (f *fixture) statusHistory(from string, until func(*v1alpha1.RocketMQCluster) bool) []*v1alpha1.RocketMQCluster {
	f.t.Helper()
	wc, err := client.NewWithWatch(env.Config, client.Options{Scheme: env.Scheme})
	require.NoError(f.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	var out []*v1alpha1.RocketMQCluster
	rv := from
	for {
		w, err := wc.Watch(ctx, &v1alpha1.RocketMQClusterList{}, client.InNamespace(f.ns),
			&client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: rv}})
		require.NoError(f.t, err, "watching the cluster from %s", rv)
		done := f.readHistory(ctx, w, &out, &rv, until)
		w.Stop()
		if done {
			return out
		}
		if ctx.Err() != nil {
			f.t.Fatalf("timed out watching the cluster; versions seen: %s", historyString(out))
		}
	}
}

// readHistory appends the cluster's versions from w to out until until
// holds (true) or the watch ends (false).
func (f *fixture) readHistory(ctx context.Context, w watch.Interface, out *[]*v1alpha1.RocketMQCluster, rv *string, until func(*v1alpha1.RocketMQCluster) bool) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, ok := <-w.ResultChan():
			if !ok {
				return false
			}
			require.NotEqual(f.t, watch.Error, ev.Type, "watch error: %v", ev.Object)
			c, isCluster := ev.Object.(*v1alpha1.RocketMQCluster)
			if !isCluster || c.Name != f.name {
				continue
			}
			*rv = c.ResourceVersion
			*out = append(*out, c)
			if until(c) {
				return true
			}
		}
	}
}

func historyString(h []*v1alpha1.RocketMQCluster) string {
	var b []byte
	for _, c := range h {
		b = append(b, "\n  rv="+c.ResourceVersion+" "+statusString(c)...)
	}
	return string(b)
}
