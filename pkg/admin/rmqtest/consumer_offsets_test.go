package rmqtest

import (
	"maps"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

var (
	queryOffsetFields  = map[string]string{"consumerGroup": "g", "topic": "t", "queueId": "0", "setZeroIfNotFound": "false"}
	updateOffsetFields = map[string]string{"consumerGroup": "g", "topic": "t", "queueId": "0", "commitOffset": "5"}
	minOffsetFields    = map[string]string{"topic": "t", "queueId": "0"}
)

// TestConsumerManageCodes follows ConsumerManageProcessor.queryConsumerOffset
// and updateConsumerOffset and AdminBrokerProcessor.getMinOffset, missing
// header fields included. The fixture's group g has offset 3 on t queue 0.
func TestConsumerManageCodes(t *testing.T) {
	const missingOffsetRemark = "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first"
	cases := []struct {
		name       string
		setup      func(f *headerFixture)
		code       int
		ext        map[string]string
		wantCode   int
		wantRemark string
		wantExt    map[string]string
		check      func(t *testing.T, f *headerFixture)
	}{
		{name: "14 committed offset", code: admin.CodeQueryConsumerOffset, ext: queryOffsetFields, wantExt: map[string]string{"offset": "3"}},
		{
			name: "14 no offset, setZeroIfNotFound=false", code: admin.CodeQueryConsumerOffset, ext: with(queryOffsetFields, "consumerGroup", "h"),
			wantCode: admin.CodeQueryNotFound, wantRemark: "Not found, do not set to zero, maybe this group boot first",
		},
		{
			name: "14 no offset, first message in memory", setup: func(f *headerFixture) { f.br.SetQueueOffsets("t", 0, 4) },
			code: admin.CodeQueryConsumerOffset, ext: without(with(queryOffsetFields, "consumerGroup", "h"), "setZeroIfNotFound"),
			wantExt: map[string]string{"offset": "0"},
		},
		{
			name: "14 no offset, empty queue", code: admin.CodeQueryConsumerOffset,
			ext:      without(with(queryOffsetFields, "consumerGroup", "h"), "setZeroIfNotFound"),
			wantCode: admin.CodeQueryNotFound, wantRemark: missingOffsetRemark,
		},
		{
			name: "14 no offset, min offset above 0",
			setup: func(f *headerFixture) {
				f.br.SetQueueOffsets("t", 0, 9)
				f.br.SetMinOffset("t", 0, 2)
			},
			code: admin.CodeQueryConsumerOffset, ext: without(with(queryOffsetFields, "consumerGroup", "h"), "setZeroIfNotFound"),
			wantCode: admin.CodeQueryNotFound, wantRemark: missingOffsetRemark,
		},
		{
			name: "14 without topic", code: admin.CodeQueryConsumerOffset, ext: without(queryOffsetFields, "topic"),
			wantCode: admin.CodeSystemError, wantRemark: javaNPE + ", " + frameMapGet,
		},
		{
			name: "14 without queueId", code: admin.CodeQueryConsumerOffset, ext: without(queryOffsetFields, "queueId"),
			wantCode: admin.CodeSystemError, wantRemark: javaNPE + ", " + frameQueryOffset,
		},
		{
			name: "14 without consumerGroup (offsets of group null)", code: admin.CodeQueryConsumerOffset, ext: without(queryOffsetFields, "consumerGroup"),
			wantCode: admin.CodeQueryNotFound, wantRemark: "Not found, do not set to zero, maybe this group boot first",
		},
		{
			name: "15 commit overwrites", code: admin.CodeUpdateConsumerOffset, ext: updateOffsetFields, wantExt: map[string]string{},
			check: func(t *testing.T, f *headerFixture) {
				if off, ok := f.br.ConsumerOffset("g", "t", 0); !ok || off != 5 {
					t.Fatalf("offset %d %v, want 5", off, ok)
				}
			},
		},
		{
			name: "15 unknown group", code: admin.CodeUpdateConsumerOffset, ext: with(updateOffsetFields, "consumerGroup", "h"),
			wantCode: admin.CodeSubscriptionGroupNotExist, wantRemark: "Group h not exist!",
		},
		{
			name: "15 without consumerGroup", code: admin.CodeUpdateConsumerOffset, ext: without(updateOffsetFields, "consumerGroup"),
			wantCode: admin.CodeSubscriptionGroupNotExist, wantRemark: "Group null not exist!",
		},
		{
			name: "15 unknown topic", code: admin.CodeUpdateConsumerOffset, ext: with(updateOffsetFields, "topic", "x"),
			wantCode: admin.CodeTopicNotExist, wantRemark: "Topic x not exist!",
		},
		{
			name: "15 without topic", code: admin.CodeUpdateConsumerOffset, ext: without(updateOffsetFields, "topic"),
			wantCode: admin.CodeSystemError, wantRemark: javaNPE + ", " + frameMapGet,
		},
		{
			name: "15 without queueId", code: admin.CodeUpdateConsumerOffset, ext: without(updateOffsetFields, "queueId"),
			wantCode: admin.CodeInvalidParameter, wantRemark: "QueueId is null, topic is t",
		},
		{
			name: "15 without commitOffset", code: admin.CodeUpdateConsumerOffset, ext: without(updateOffsetFields, "commitOffset"),
			wantCode: admin.CodeInvalidParameter, wantRemark: "Offset is null, topic is t",
		},
		{
			name: "31 min offset", setup: func(f *headerFixture) { f.br.SetMinOffset("t", 0, 7) },
			code: admin.CodeGetMinOffset, ext: minOffsetFields, wantExt: map[string]string{"offset": "7"},
		},
		{name: "31 unknown topic", code: admin.CodeGetMinOffset, ext: with(minOffsetFields, "topic", "x"), wantExt: map[string]string{"offset": "0"}},
		{name: "31 without topic", code: admin.CodeGetMinOffset, ext: without(minOffsetFields, "topic"), wantCode: admin.CodeSystemError},
		{name: "31 without queueId", code: admin.CodeGetMinOffset, ext: without(minOffsetFields, "queueId"), wantCode: admin.CodeSystemError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newHeaderFixture(t)
			if c.setup != nil {
				c.setup(f)
			}
			resp, err := rawCall(t, f.br.Addr(), &remoting.Command{Code: c.code, Version: admin.DefaultVersion, ExtFields: c.ext})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != c.wantCode || resp.Remark != c.wantRemark {
				t.Fatalf("answer %d %q\nwant   %d %q", resp.Code, resp.Remark, c.wantCode, c.wantRemark)
			}
			if c.wantExt != nil && !maps.Equal(resp.ExtFields, c.wantExt) && (len(c.wantExt) != 0 || len(resp.ExtFields) != 0) {
				t.Fatalf("extFields %v, want %v", resp.ExtFields, c.wantExt)
			}
			if c.check != nil {
				c.check(t, f)
			}
		})
	}
}
