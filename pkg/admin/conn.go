package admin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// errWrite marks a request that could not be queued because the
// connection was already broken; it was never sent.
var errWrite = errors.New("rocketmq: writing request")

// writeQueue is how many encoded frames may wait for the writer.
const writeQueue = 256

// conn is one TCP connection with many requests in flight, matched to their
// responses by opaque (NettyRemotingAbstract.responseTable).
type conn struct {
	nc           net.Conn
	maxFrame     int
	writeTimeout time.Duration
	onBroken     func(*conn)
	wq           chan []byte // frames for writeLoop

	mu      sync.Mutex
	pending map[int32]chan *remoting.Command
	err     error
	done    chan struct{}
}

func newConn(nc net.Conn, maxFrame int, writeTimeout time.Duration, onBroken func(*conn), wg *sync.WaitGroup) *conn {
	c := &conn{
		nc: nc, maxFrame: maxFrame, writeTimeout: writeTimeout, onBroken: onBroken,
		wq:      make(chan []byte, writeQueue),
		pending: make(map[int32]chan *remoting.Command), done: make(chan struct{}),
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.readLoop()
	}()
	go func() {
		defer wg.Done()
		c.writeLoop()
	}()
	return c
}

// writeLoop writes queued frames, coalescing whatever is queued into one
// syscall: with many requests in flight this saves most write calls.
func (c *conn) writeLoop() {
	bw := bufio.NewWriterSize(c.nc, 64<<10)
	for {
		select {
		case f := <-c.wq:
			_, _ = bw.Write(f)
		case <-c.done:
			return
		}
	drain:
		for {
			select {
			case f := <-c.wq:
				_, _ = bw.Write(f)
			default:
				break drain
			}
		}
		if err := c.nc.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
			c.fail(err)
			return
		}
		if err := bw.Flush(); err != nil {
			c.fail(fmt.Errorf("writing requests: %w", err))
			return
		}
	}
}

func (c *conn) readLoop() {
	r := bufio.NewReaderSize(c.nc, 64<<10)
	for {
		cmd, err := remoting.ReadCommand(r, c.maxFrame)
		if err != nil {
			c.fail(err)
			return
		}
		if !cmd.IsResponse() {
			continue // server-initiated requests are not used by admin calls
		}
		c.mu.Lock()
		ch := c.pending[cmd.Opaque]
		delete(c.pending, cmd.Opaque)
		c.mu.Unlock()
		if ch != nil {
			ch <- cmd // buffered: never blocks
		}
	}
}

// fail marks the connection broken once, closes it and wakes every waiter.
func (c *conn) fail(err error) {
	c.mu.Lock()
	first := c.err == nil
	if first {
		c.err = err
		close(c.done)
	}
	c.mu.Unlock()
	if first {
		_ = c.nc.Close()
		if c.onBroken != nil {
			c.onBroken(c)
		}
	}
}

func (c *conn) broken() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err != nil
}

func (c *conn) forget(opaque int32) {
	c.mu.Lock()
	delete(c.pending, opaque)
	c.mu.Unlock()
}

// roundTrip sends cmd and waits for the response with the same opaque.
func (c *conn) roundTrip(ctx context.Context, cmd *remoting.Command) (*remoting.Command, error) {
	frame, err := remoting.Encode(cmd)
	if err != nil {
		return nil, err
	}
	ch := make(chan *remoting.Command, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, fmt.Errorf("%w: %w", errWrite, c.err)
	}
	c.pending[cmd.Opaque] = ch
	c.mu.Unlock()

	select {
	case c.wq <- frame:
	case <-c.done:
		c.forget(cmd.Opaque)
		return nil, fmt.Errorf("%w: %w", errWrite, c.err)
	case <-ctx.Done():
		c.forget(cmd.Opaque)
		return nil, ctx.Err()
	}
	select {
	case resp := <-ch:
		return resp, nil
	case <-c.done:
		select {
		case resp := <-ch: // answered just before the connection broke
			return resp, nil
		default:
		}
		return nil, fmt.Errorf("%w: %w", ErrConnectionLost, c.err)
	case <-ctx.Done():
		c.forget(cmd.Opaque)
		return nil, ctx.Err()
	}
}
