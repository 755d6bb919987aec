package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// deadlineAdmin records the time left on each call's context.
type deadlineAdmin struct {
	AdminClient
	left map[string]time.Duration
}

func (d *deadlineAdmin) note(ctx context.Context, call string) {
	dl, ok := ctx.Deadline()
	if !ok {
		d.left[call] = -1
		return
	}
	d.left[call] = time.Until(dl)
}

func (d *deadlineAdmin) BrokerConfig(ctx context.Context, _ string) (map[string]string, error) {
	d.note(ctx, "BrokerConfig")
	time.Sleep(20 * time.Millisecond) // time used by one call is not taken from the next
	return nil, nil
}

func (d *deadlineAdmin) UpdateBrokerConfig(ctx context.Context, _ string, _ map[string]string) error {
	d.note(ctx, "UpdateBrokerConfig")
	return nil
}

func (d *deadlineAdmin) CopyMetadataWith(ctx context.Context, _, _ string, _ admin.CopyOptions) (admin.CopyResult, error) {
	d.note(ctx, "CopyMetadata")
	return admin.CopyResult{}, nil
}

func (d *deadlineAdmin) ClusterInfo(ctx context.Context, _ string) (*admin.ClusterInfo, error) {
	d.note(ctx, "ClusterInfo")
	return nil, nil
}

func TestEveryAdminCallHasItsOwnTimeout(t *testing.T) {
	rec := &deadlineAdmin{left: map[string]time.Duration{}}
	cl := withCallTimeout(rec, time.Second)
	ctx := context.Background()
	_, _ = cl.BrokerConfig(ctx, "a")
	_ = cl.UpdateBrokerConfig(ctx, "a", nil)
	_, _ = cl.CopyMetadataWith(ctx, "a", "b", admin.CopyOptions{})
	_, _ = cl.ClusterInfo(ctx, "n")
	for _, call := range []string{"BrokerConfig", "UpdateBrokerConfig", "CopyMetadata", "ClusterInfo"} {
		left := rec.left[call]
		assert.Greater(t, left, 900*time.Millisecond, call)
		assert.LessOrEqual(t, left, time.Second, call)
	}
}
