// Package fanout runs per-broker calls side by side, a bounded number at
// once: one broker that accepts a connection and never answers must cost
// the others nothing but a slot.
package fanout

import "sync"

// Limit is how many calls run at once: enough that a handful of hung
// brokers do not serialise the rest, few enough that a large cluster does
// not open a connection to every broker at the same instant.
const Limit = 8

// Each calls fn(i) for every i in [0, n), at most limit at a time
// (Limit when limit < 1), and returns when all calls have returned. fn
// writes its result to its own index, so the caller reads results in
// input order whatever order the calls finished in.
func Each(n, limit int, fn func(i int)) {
	if limit < 1 {
		limit = Limit
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}
