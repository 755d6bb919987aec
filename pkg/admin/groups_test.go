package admin_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

func TestGroupLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	g := admin.NewSubscriptionGroupConfig("orders-consumer")
	g.RetryMaxTimes, g.ConsumeMessageOrderly = 3, true
	g.SubscriptionDataSet = []admin.SimpleSubscriptionData{{Topic: "orders", ExpressionType: "TAG", Expression: "*"}}
	v0 := e.a.GroupDataVersion()
	if err := e.client.CreateGroup(ctx, e.a.Addr(), g); err != nil {
		t.Fatal(err)
	}
	if v := e.a.GroupDataVersion(); v.Counter != v0.Counter+1 {
		t.Fatalf("data version %d -> %d, want +1", v0.Counter, v.Counter)
	}
	got, err := e.client.Group(ctx, e.a.Addr(), "orders-consumer")
	if err != nil || !got.Equal(g) {
		t.Fatalf("Group = %+v, %v\nwant %+v", got, err, g)
	}
	all, err := e.client.Groups(ctx, e.a.Addr())
	if err != nil || !all["orders-consumer"].Equal(g) {
		t.Fatalf("Groups = %v, %v", all["orders-consumer"], err)
	}
	if _, ok := all["TOOLS_CONSUMER"]; !ok {
		t.Fatal("Groups lacks the system group TOOLS_CONSUMER that SubscriptionGroupManager.init creates")
	}
	e.a.SetConsumerOffset("orders-consumer", "orders", 0, 5)
	if err := e.client.DeleteGroup(ctx, e.a.Addr(), "orders-consumer", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Group(ctx, e.a.Addr(), "orders-consumer"); !errors.Is(err, admin.ErrSubscriptionGroupNotExist) {
		t.Fatalf("Group after delete: %v", err)
	}
	// Deleting again is still SUCCESS, as in the Java broker.
	if err := e.client.DeleteGroup(ctx, e.a.Addr(), "orders-consumer", false); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	reqs := e.a.Requests()
	if last := reqs[len(reqs)-1]; last.ExtFields["groupName"] != "orders-consumer" || last.ExtFields["cleanOffset"] != "false" {
		t.Fatalf("DeleteSubscriptionGroupRequestHeader fields: %v", last.ExtFields)
	}
}

func TestCreateGroupValidation(t *testing.T) {
	e := newEnv(t)
	for name, c := range map[string]struct {
		g      admin.SubscriptionGroupConfig
		want   error
		remark string
	}{
		"blank":    {admin.NewSubscriptionGroupConfig(""), admin.ErrInvalidParameter, "The specified group is blank."},
		"illegal":  {admin.NewSubscriptionGroupConfig("g/1"), admin.ErrInvalidParameter, "illegal characters"},
		"too long": {admin.NewSubscriptionGroupConfig(strings.Repeat("g", 121)), admin.ErrInvalidParameter, "group max length: 120"},
		"attribute": {func() admin.SubscriptionGroupConfig {
			g := admin.NewSubscriptionGroupConfig("a")
			g.Attributes = map[string]string{"+x": "1"}
			return g
		}(), admin.ErrSystem, "unsupported key: x"},
	} {
		t.Run(name, func(t *testing.T) {
			err := e.client.CreateGroup(ctxT(t), e.a.Addr(), c.g)
			var re *admin.ResponseError
			if !errors.Is(err, c.want) || !errors.As(err, &re) || !strings.Contains(re.Remark, c.remark) {
				t.Fatalf("got %v, want %v containing %q", err, c.want, c.remark)
			}
			if err := e.client.CreateGroups(ctxT(t), e.a.Addr(), []admin.SubscriptionGroupConfig{c.g}); !errors.Is(err, c.want) {
				t.Fatalf("batch: got %v, want %v", err, c.want)
			}
		})
	}
}

func TestCreateGroupsBatchAndFallback(t *testing.T) {
	for _, old := range []bool{false, true} {
		e := newEnv(t)
		_ = e.a.Close()
		var err error
		e.a, err = newBrokerLike(e, "broker-a", func(o *brokerOpts) { o.WithoutBatchCodes = old })
		if err != nil {
			t.Fatal(err)
		}
		var gs []admin.SubscriptionGroupConfig
		for _, tc := range topicNames(7, "g") {
			gs = append(gs, admin.NewSubscriptionGroupConfig(tc.TopicName))
		}
		if err := e.client.CreateGroups(ctxT(t), e.a.Addr(), gs); err != nil {
			t.Fatal(err)
		}
		got := e.a.Groups()
		for _, g := range gs {
			if !got[g.GroupName].Equal(g) {
				t.Fatalf("old=%v: group %s = %+v", old, g.GroupName, got[g.GroupName])
			}
		}
		wantSingle := 0
		if old {
			wantSingle = 7
		}
		if n := e.a.CallCount(admin.CodeUpdateAndCreateSubscriptionGroup); n != wantSingle {
			t.Fatalf("old=%v: %d single creates, want %d", old, n, wantSingle)
		}
	}
}
