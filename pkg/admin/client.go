package admin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// Credentials are ACL credentials (org.apache.rocketmq.acl.common.SessionCredentials).
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
}

// Options configure a Client. Zero values take the defaults noted.
type Options struct {
	// Credentials, when set, sign every request like AclClientRPCHook.
	Credentials *Credentials
	// DialTimeout bounds connecting (default 3s; the context may cut it shorter).
	DialTimeout time.Duration
	// RequestTimeout applies to calls whose context has no deadline (default 10s).
	RequestTimeout time.Duration
	// Version is the `version` header (default DefaultVersion).
	Version int
	// MaxFrameLength refuses larger responses (default 16 MiB, as NettyDecoder).
	MaxFrameLength int
	// BatchSize is the number of topics or groups per batch request in
	// CreateTopics and CreateGroups (default DefaultBatchSize).
	BatchSize int
}

// DefaultBatchSize keeps one batch request of topic or group configs well
// below the 16 MiB frame limit.
const DefaultBatchSize = 500

func (o Options) withDefaults() Options {
	if o.DialTimeout <= 0 {
		o.DialTimeout = 3 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 10 * time.Second
	}
	if o.Version == 0 {
		o.Version = DefaultVersion
	}
	if o.MaxFrameLength <= 0 {
		o.MaxFrameLength = remoting.MaxFrameLength
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	return o
}

// Client speaks RocketMQ's remoting protocol to NameServers and brokers. It
// keeps one connection per address, reused by concurrent calls, and redials
// a connection that broke. It is safe for concurrent use.
type Client struct {
	opts   Options
	opaque atomic.Int32
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[string]*conn
	closed bool
}

// New returns a Client; it dials lazily on the first call to an address.
func New(opts Options) *Client {
	return &Client{opts: opts.withDefaults(), conns: make(map[string]*conn)}
}

// Close closes every connection and waits for their readers to stop.
// Calls in flight fail with ErrConnectionLost.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	conns := c.conns
	c.conns = make(map[string]*conn)
	c.mu.Unlock()
	for _, cn := range conns {
		cn.fail(ErrClosed)
	}
	c.wg.Wait()
	return nil
}

// invoke sends a request and returns the SUCCESS response, or a
// *ResponseError for any other code.
func (c *Client) invoke(ctx context.Context, addr string, code int, ext map[string]string, body []byte) (*remoting.Command, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.RequestTimeout)
		defer cancel()
	}
	resp, err := c.send(ctx, addr, code, ext, body)
	if err != nil {
		return nil, err
	}
	if resp.Code != CodeSuccess {
		return resp, &ResponseError{Code: resp.Code, Remark: resp.Remark}
	}
	return resp, nil
}

// send writes the request and waits for its response. When the connection
// turns out dead (the server closed an idle or restarted connection) or
// breaks before the answer, the request is sent once more on a new
// connection: every operation of this client leaves the same broker state
// when applied twice.
func (c *Client) send(ctx context.Context, addr string, code int, ext map[string]string, body []byte) (*remoting.Command, error) {
	for attempt := 0; ; attempt++ {
		cn, err := c.conn(ctx, addr)
		if err != nil {
			return nil, fmt.Errorf("request code %d to %s: %w", code, addr, err)
		}
		resp, err := cn.roundTrip(ctx, c.request(code, ext, body))
		if err == nil {
			return resp, nil
		}
		retryable := errors.Is(err, errWrite) || errors.Is(err, ErrConnectionLost)
		if retryable && attempt == 0 && ctx.Err() == nil && !c.isClosed() {
			logr.FromContextOrDiscard(ctx).V(1).Info("resending on a new connection", "addr", addr, "code", code, "error", err.Error())
			continue
		}
		return nil, fmt.Errorf("request code %d to %s: %w", code, addr, err)
	}
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *Client) request(code int, ext map[string]string, body []byte) *remoting.Command {
	fields := make(map[string]string, len(ext)+3)
	for k, v := range ext {
		fields[k] = v
	}
	cmd := &remoting.Command{
		Code: code, Language: "GO", Version: c.opts.Version,
		Opaque: c.opaque.Add(1), ExtFields: fields, Body: body,
	}
	if c.opts.Credentials != nil {
		sign(cmd, c.opts.Credentials)
	}
	if len(cmd.ExtFields) == 0 {
		cmd.ExtFields = nil
	}
	return cmd
}

// conn returns the connection for addr, dialling when there is none or the
// one there broke.
func (c *Client) conn(ctx context.Context, addr string) (*conn, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	if cn := c.conns[addr]; cn != nil && !cn.broken() {
		c.mu.Unlock()
		return cn, nil
	}
	c.mu.Unlock()

	dctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dialling %s: %w", addr, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		_ = nc.Close()
		return nil, ErrClosed
	}
	if cn := c.conns[addr]; cn != nil && !cn.broken() {
		_ = nc.Close() // another call won the race
		return cn, nil
	}
	cn := newConn(nc, c.opts.MaxFrameLength, c.opts.RequestTimeout, func(b *conn) { c.drop(addr, b) }, &c.wg)
	c.conns[addr] = cn
	return cn, nil
}

func (c *Client) drop(addr string, cn *conn) {
	c.mu.Lock()
	if c.conns[addr] == cn {
		delete(c.conns, addr)
	}
	c.mu.Unlock()
}
