package admin

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// decodeBody decodes a (possibly fastjson, non-standard) response body.
func decodeBody(body []byte, v any, what string) error {
	if len(body) == 0 {
		return fmt.Errorf("%w: empty %s body", ErrBadResponse, what)
	}
	if err := remoting.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: decoding %s: %w", ErrBadResponse, what, err)
	}
	return nil
}

// decodeQueueKeyed decodes a map whose keys are MessageQueue objects, as
// fastjson writes Map<MessageQueue, V>.
func decodeQueueKeyed[V any](raw map[string]V, what string) (map[MessageQueue]V, error) {
	out := make(map[MessageQueue]V, len(raw))
	for k, v := range raw {
		var mq MessageQueue
		if err := json.Unmarshal([]byte(k), &mq); err != nil {
			return nil, fmt.Errorf("%w: %s key %q is not a MessageQueue: %w", ErrBadResponse, what, k, err)
		}
		out[mq] = v
	}
	return out, nil
}

// intHeader reads an integer response header field.
func intHeader(ext map[string]string, name string) (int, error) {
	s, ok := ext[name]
	if !ok {
		return 0, fmt.Errorf("%w: response header %q missing", ErrBadResponse, name)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: response header %q=%q: %w", ErrBadResponse, name, s, err)
	}
	return n, nil
}
