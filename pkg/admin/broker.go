package admin

import (
	"context"
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/javaprops"
)

// BrokerConfig returns the broker's whole configuration
// (GET_BROKER_CONFIG, 26; body java.util.Properties text).
func (c *Client) BrokerConfig(ctx context.Context, brokerAddr string) (map[string]string, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeGetBrokerConfig, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("getting config of broker %s: %w", brokerAddr, err)
	}
	return javaprops.Decode(resp.Body), nil
}

// UpdateBrokerConfig sets broker configuration keys at runtime
// (UPDATE_BROKER_CONFIG, 25; body Properties text). Keys in the broker's
// configBlackList give ErrNoPermission; unknown keys are ignored by the
// broker.
func (c *Client) UpdateBrokerConfig(ctx context.Context, brokerAddr string, kv map[string]string) error {
	if _, err := c.invoke(ctx, brokerAddr, CodeUpdateBrokerConfig, nil, javaprops.Encode(kv)); err != nil {
		return fmt.Errorf("updating config of broker %s: %w", brokerAddr, err)
	}
	return nil
}

// BrokerRuntimeInfo returns the broker's runtime statistics
// (GET_BROKER_RUNTIME_INFO, 28; body KVTable).
func (c *Client) BrokerRuntimeInfo(ctx context.Context, brokerAddr string) (map[string]string, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeGetBrokerRuntimeInfo, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("getting runtime info of broker %s: %w", brokerAddr, err)
	}
	var kv struct {
		Table map[string]string `json:"table"`
	}
	if err := decodeBody(resp.Body, &kv, "KVTable"); err != nil {
		return nil, fmt.Errorf("getting runtime info of broker %s: %w", brokerAddr, err)
	}
	if kv.Table == nil {
		kv.Table = map[string]string{}
	}
	return kv.Table, nil
}
