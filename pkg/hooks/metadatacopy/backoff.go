package metadatacopy

import "time"

// Backoff is the exponential wait between failed copy attempts.
type Backoff struct {
	// Base is the wait after the first failure. Default 5s.
	Base time.Duration
	// Max caps the wait. Default 5m.
	Max time.Duration
}

// Delay is the wait after the given number of attempts: Base doubled per
// earlier attempt, capped at Max.
func (b Backoff) Delay(attempts int32) time.Duration {
	base, limit := b.Base, b.Max
	if base <= 0 {
		base = 5 * time.Second
	}
	if limit <= 0 {
		limit = 5 * time.Minute
	}
	d := base
	for i := int32(1); i < attempts; i++ {
		if d >= limit/2 {
			return limit
		}
		d *= 2
	}
	return min(d, limit)
}
