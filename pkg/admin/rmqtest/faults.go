package rmqtest

import (
	"maps"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// fault is one armed failure: it fires on the nth matching request counted
// from the moment it was armed (always, when every is set).
type fault struct {
	code      int
	remaining int
	every     bool
	resp      *remoting.Command
	delay     time.Duration
	drop      bool
}

// action is what record decided for one request.
type action struct {
	fail  *remoting.Command
	delay time.Duration
	drop  bool
}

// record counts and logs a request and fires the faults due on it.
func (e *Endpoint) record(req *remoting.Command) action {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts[req.Code]++
	e.requests = append(e.requests, Request{
		Code: req.Code, Version: req.Version, ExtFields: maps.Clone(req.ExtFields), Body: req.Body,
	})
	var act action
	kept := e.faults[:0]
	for _, f := range e.faults {
		if f.code != req.Code {
			kept = append(kept, f)
			continue
		}
		if !f.every {
			f.remaining--
			if f.remaining > 0 {
				kept = append(kept, f)
				continue
			}
		} else {
			kept = append(kept, f)
		}
		if f.resp != nil && act.fail == nil {
			r := *f.resp
			act.fail = &r
		}
		act.delay += f.delay
		act.drop = act.drop || f.drop
	}
	e.faults = kept
	return act
}

func (e *Endpoint) arm(f *fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, f)
}

// FailNth answers the nth request with this code (1 = the next one),
// counted from now, with responseCode and remark instead of handling it.
func (e *Endpoint) FailNth(code, n, responseCode int, remark string) {
	e.arm(&fault{code: code, remaining: n, resp: errorResponse(responseCode, remark)})
}

// FailAlways answers every request with this code with responseCode and
// remark until ClearFaults.
func (e *Endpoint) FailAlways(code, responseCode int, remark string) {
	e.arm(&fault{code: code, every: true, resp: errorResponse(responseCode, remark)})
}

// DelayNth holds the nth request with this code (counted from now) for d
// before handling it; later requests on the same connection are answered
// first.
func (e *Endpoint) DelayNth(code, n int, d time.Duration) {
	e.arm(&fault{code: code, remaining: n, delay: d})
}

// DropConnectionOnNth closes the connection when the nth request with this
// code (counted from now) arrives, without handling or answering it.
func (e *Endpoint) DropConnectionOnNth(code, n int) {
	e.arm(&fault{code: code, remaining: n, drop: true})
}

// ClearFaults disarms every fault.
func (e *Endpoint) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

// CallCount returns how many requests with this code arrived since the
// start or the last ResetCounts, faulted ones included.
func (e *Endpoint) CallCount(code int) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[code]
}

// ResetCounts clears the counters and the request log.
func (e *Endpoint) ResetCounts() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts = make(map[int]int)
	e.requests = nil
}

// Requests returns a copy of the request log.
func (e *Endpoint) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Request(nil), e.requests...)
}
