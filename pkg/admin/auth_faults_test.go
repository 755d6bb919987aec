package admin_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// authOps are the ACL 2.0 operations, run against authSeeded like allOps
// against seeded. Every call can be repeated: CreateUser takes a new name
// each time (a second create of one name is ErrUserExists by design).
func authOps() []opCase {
	var n atomic.Int32
	c := func(e *env) *admin.Client { return e.client }
	alice := admin.UserInfo{Username: "alice", Password: "a2"}
	return []opCase{
		{"ListUsers", admin.CodeAuthListUser, false, func(ctx context.Context, e *env) error { _, err := c(e).ListUsers(ctx, e.a.Addr(), ""); return err }},
		{"GetUser", admin.CodeAuthGetUser, false, func(ctx context.Context, e *env) error { _, err := c(e).GetUser(ctx, e.a.Addr(), "alice"); return err }},
		{"CreateUser", admin.CodeAuthCreateUser, false, func(ctx context.Context, e *env) error {
			return c(e).CreateUser(ctx, e.a.Addr(), admin.UserInfo{Username: fmt.Sprintf("new-%d", n.Add(1)), Password: "p"})
		}},
		{"UpdateUser", admin.CodeAuthUpdateUser, false, func(ctx context.Context, e *env) error { return c(e).UpdateUser(ctx, e.a.Addr(), alice) }},
		{"DeleteUser", admin.CodeAuthDeleteUser, false, func(ctx context.Context, e *env) error { return c(e).DeleteUser(ctx, e.a.Addr(), "gone") }},
		{"ListACLs", admin.CodeAuthListACL, false, func(ctx context.Context, e *env) error { _, err := c(e).ListACLs(ctx, e.a.Addr(), "", ""); return err }},
		{"GetACL", admin.CodeAuthGetACL, false, func(ctx context.Context, e *env) error {
			_, err := c(e).GetACL(ctx, e.a.Addr(), "User:alice")
			return err
		}},
		{"CreateACL", admin.CodeAuthCreateACL, false, func(ctx context.Context, e *env) error { return c(e).CreateACL(ctx, e.a.Addr(), ordersACL) }},
		{"UpdateACL", admin.CodeAuthUpdateACL, false, func(ctx context.Context, e *env) error { return c(e).UpdateACL(ctx, e.a.Addr(), ordersACL) }},
		{"DeleteACL", admin.CodeAuthDeleteACL, false, func(ctx context.Context, e *env) error {
			// An entry the ACL lacks: the ACL stays, the call succeeds again.
			return c(e).DeleteACL(ctx, e.a.Addr(), "User:alice", "", "Topic:none")
		}},
		{"CopyMetadataAuth", admin.CodeAuthListUser, false, func(ctx context.Context, e *env) error {
			_, err := c(e).CopyMetadataWith(ctx, e.a.Addr(), e.b.Addr(), admin.CopyOptions{CopyAuth: true})
			return err
		}},
	}
}

// authSeeded is authEnv with user alice and her ACL on broker a.
func authSeeded(t *testing.T) *env {
	e := authEnv(t)
	ctx := ctxT(t)
	if err := e.client.CreateUser(ctx, e.a.Addr(), admin.UserInfo{Username: "alice", Password: "a"}); err != nil {
		t.Fatalf("seeding user: %v", err)
	}
	if err := e.client.CreateACL(ctx, e.a.Addr(), ordersACL); err != nil {
		t.Fatalf("seeding ACL: %v", err)
	}
	return e
}

// TestAuthOperationsUnderFaults: each ACL 2.0 operation surfaces an
// injected error with the broker's code and remark, honours its deadline,
// and resends once over a dropped connection (the faults_test.go pattern).
func TestAuthOperationsUnderFaults(t *testing.T) {
	for _, op := range authOps() {
		t.Run(op.name+"/InjectedFailure", func(t *testing.T) {
			e := authSeeded(t)
			e.a.FailNth(op.code, 1, admin.CodeSystemBusy, "[TIMEOUT_CLEAN_QUEUE] broker busy")
			var re *admin.ResponseError
			err := op.call(ctxT(t), e)
			if !errors.Is(err, admin.ErrSystemBusy) || !errors.As(err, &re) || re.Remark != "[TIMEOUT_CLEAN_QUEUE] broker busy" {
				t.Fatalf("got %v, want ErrSystemBusy with the broker's remark", err)
			}
			if err := op.call(ctxT(t), e); err != nil {
				t.Fatalf("call after the fault: %v", err)
			}
		})
		t.Run(op.name+"/Deadline", func(t *testing.T) {
			e := authSeeded(t)
			e.a.DelayNth(op.code, 1, time.Minute)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if err := op.call(ctx, e); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want context.DeadlineExceeded", err)
			}
			if err := op.call(ctxT(t), e); err != nil {
				t.Fatalf("call after the timeout: %v", err)
			}
		})
		t.Run(op.name+"/DroppedConnection", func(t *testing.T) {
			e := authSeeded(t)
			e.a.ResetCounts()
			e.a.DropConnectionOnNth(op.code, 1)
			if err := op.call(ctxT(t), e); err != nil {
				t.Fatalf("call with one dropped connection: %v", err)
			}
			if n := e.a.CallCount(op.code); n < 2 {
				t.Fatalf("code %d sent %d times, want a resend", op.code, n)
			}
			e.a.DropConnectionOnNth(op.code, 1)
			e.a.DropConnectionOnNth(op.code, 2)
			if err := op.call(ctxT(t), e); !errors.Is(err, admin.ErrConnectionLost) {
				t.Fatalf("got %v, want ErrConnectionLost", err)
			}
			if err := op.call(ctxT(t), e); err != nil {
				t.Fatalf("call after the drops: %v", err)
			}
		})
	}
}
