package admin_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

func TestResponseErrorSentinels(t *testing.T) {
	cases := map[int]error{
		1: admin.ErrSystem, 2: admin.ErrSystemBusy, 3: admin.ErrRequestCodeNotSupported,
		16: admin.ErrNoPermission, 17: admin.ErrTopicNotExist, 26: admin.ErrSubscriptionGroupNotExist,
		29: admin.ErrInvalidParameter,
	}
	all := []error{admin.ErrSystem, admin.ErrSystemBusy, admin.ErrRequestCodeNotSupported, admin.ErrNoPermission,
		admin.ErrTopicNotExist, admin.ErrSubscriptionGroupNotExist, admin.ErrInvalidParameter}
	for code, want := range cases {
		err := fmt.Errorf("while doing x: %w", &admin.ResponseError{Code: code, Remark: "r"})
		for _, s := range all {
			same := errors.Is(s, want) // sentinels are distinct values
			if errors.Is(err, s) != same {
				t.Errorf("code %d: errors.Is(%v) = %v", code, s, !same)
			}
		}
	}
	unknown := &admin.ResponseError{Code: 215, Remark: "other"}
	for _, s := range all {
		if errors.Is(unknown, s) {
			t.Errorf("code 215 matches %v", s)
		}
	}
	if unknown.Error() != "rocketmq: response code 215: other" {
		t.Errorf("Error() = %q", unknown.Error())
	}
}
