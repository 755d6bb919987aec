package nsaddr

import (
	"context"
	"errors"
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fanout"
)

// BrokerConfigClient is the part of the RocketMQ admin client this package
// needs; *admin.Client implements it.
type BrokerConfigClient interface {
	BrokerConfig(ctx context.Context, addr string) (map[string]string, error)
	UpdateBrokerConfig(ctx context.Context, addr string, kv map[string]string) error
}

// BrokerResult is what happened at one broker.
type BrokerResult struct {
	// Addr is the broker's host:port.
	Addr string
	// Before is the namesrvAddr the broker reported.
	Before []string
	// Updated is true when UPDATE_BROKER_CONFIG was sent and accepted.
	Updated bool
	// Err is set when reading or updating the broker failed.
	Err error
}

// Propagate makes every broker in brokers use list. It reads each broker's
// namesrvAddr and updates only the brokers whose value differs or that
// still resolve it by DNS lookup, so running
// it again on a converged cluster sends nothing. Brokers are handled side
// by side (fanout.Limit at once): a broker that fails or hangs does not
// stop or delay the others; the results are in the order of brokers and
// the joined error names every failed broker. Bounding each call is the
// client's (or the context's) business.
func Propagate(ctx context.Context, cl BrokerConfigClient, brokers, list []string) ([]BrokerResult, error) {
	if len(list) == 0 {
		return nil, errors.New("refusing to propagate an empty NameServer list")
	}
	results := make([]BrokerResult, len(brokers))
	fanout.Each(len(brokers), fanout.Limit, func(i int) {
		results[i] = propagateOne(ctx, cl, brokers[i], list)
	})
	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return results, errors.Join(errs...)
}

func propagateOne(ctx context.Context, cl BrokerConfigClient, addr string, list []string) BrokerResult {
	r := BrokerResult{Addr: addr}
	cfg, err := cl.BrokerConfig(ctx, addr)
	if err != nil {
		r.Err = fmt.Errorf("while reading the broker config of %s: %w", addr, err)
		return r
	}
	r.Before = Split(cfg[ConfigKey])
	if Equal(r.Before, list) && cfg[DNSLookupKey] != "true" {
		return r
	}
	// Both keys in one update: the broker's two-minute namesrvAddr tick
	// must never see the list with the DNS lookup still on.
	kv := map[string]string{ConfigKey: Join(list), DNSLookupKey: "false"}
	if err := cl.UpdateBrokerConfig(ctx, addr, kv); err != nil {
		r.Err = fmt.Errorf("while setting namesrvAddr on %s: %w", addr, err)
		return r
	}
	r.Updated = true
	return r
}
