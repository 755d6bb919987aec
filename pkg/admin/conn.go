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

// errWrite marks a failure to write a request; nothing was answered, so the
// caller may retry on a fresh connection.
var errWrite = errors.New("rocketmq: writing request")

// conn is one TCP connection with many requests in flight, matched to their
// responses by opaque (NettyRemotingAbstract.responseTable).
type conn struct {
	nc       net.Conn
	maxFrame int
	onBroken func(*conn)

	wmu sync.Mutex // serialises frame writes

	mu      sync.Mutex
	pending map[int32]chan *remoting.Command
	err     error
	done    chan struct{}
}

func newConn(nc net.Conn, maxFrame int, onBroken func(*conn), wg *sync.WaitGroup) *conn {
	c := &conn{
		nc: nc, maxFrame: maxFrame, onBroken: onBroken,
		pending: make(map[int32]chan *remoting.Command), done: make(chan struct{}),
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.readLoop()
	}()
	return c
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

	if err := c.write(ctx, frame); err != nil {
		c.forget(cmd.Opaque)
		c.fail(err)
		return nil, fmt.Errorf("%w: %w", errWrite, err)
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

func (c *conn) write(ctx context.Context, frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Time{}
	}
	if err := c.nc.SetWriteDeadline(deadline); err != nil {
		return err
	}
	_, err := c.nc.Write(frame)
	return err
}
