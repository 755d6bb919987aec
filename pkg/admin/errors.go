package admin

import (
	"errors"
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// Sentinel errors for the broker and NameServer response codes callers act
// on. A *ResponseError wraps one of them, so errors.Is works through any
// number of %w wraps.
var (
	ErrSystem                    = errors.New("rocketmq: system error")
	ErrSystemBusy                = errors.New("rocketmq: system busy")
	ErrRequestCodeNotSupported   = errors.New("rocketmq: request code not supported")
	ErrNoPermission              = errors.New("rocketmq: no permission")
	ErrTopicNotExist             = errors.New("rocketmq: topic does not exist")
	ErrSubscriptionGroupNotExist = errors.New("rocketmq: subscription group does not exist")
	ErrInvalidParameter          = errors.New("rocketmq: invalid parameter")
	// ErrQueryNotFound: the group has no consumer offset on the queue
	// (QUERY_NOT_FOUND, 22).
	ErrQueryNotFound = errors.New("rocketmq: not found")
)

// ErrClosed is returned by calls on a closed Client.
var ErrClosed = errors.New("rocketmq: client closed")

// ErrConnectionLost is returned when the connection broke while a request
// was in flight; the request may or may not have been applied.
var ErrConnectionLost = errors.New("rocketmq: connection lost")

// ErrBadResponse is returned when a response body or header does not parse.
var ErrBadResponse = errors.New("rocketmq: malformed response")

// ErrFrameTooLarge is returned, wrapped in ErrConnectionLost, when a
// response frame exceeds Options.MaxFrameLength.
var ErrFrameTooLarge = remoting.ErrFrameTooLarge

// ResponseError is a non-SUCCESS response: the code and the remark the
// broker or NameServer sent.
type ResponseError struct {
	Code   int
	Remark string
}

func (e *ResponseError) Error() string {
	if e.Remark == "" {
		return fmt.Sprintf("rocketmq: response code %d", e.Code)
	}
	return fmt.Sprintf("rocketmq: response code %d: %s", e.Code, e.Remark)
}

// Unwrap returns the sentinel for the code, or nil for codes without one.
func (e *ResponseError) Unwrap() error {
	switch e.Code {
	case CodeSystemError:
		return ErrSystem
	case CodeSystemBusy:
		return ErrSystemBusy
	case CodeRequestCodeNotSupported:
		return ErrRequestCodeNotSupported
	case CodeNoPermission:
		return ErrNoPermission
	case CodeTopicNotExist:
		return ErrTopicNotExist
	case CodeSubscriptionGroupNotExist:
		return ErrSubscriptionGroupNotExist
	case CodeInvalidParameter:
		return ErrInvalidParameter
	case CodeQueryNotFound:
		return ErrQueryNotFound
	}
	return nil
}
