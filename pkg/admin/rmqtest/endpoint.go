package rmqtest

import (
	"bufio"
	"net"
	"sync"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// serverVersion is the `version` Java servers put on responses:
// BrokerStartup and NamesrvStartup set rocketmq.remoting.version to
// MQVersion.CURRENT_VERSION (V5_3_3).
const serverVersion = admin.DefaultVersion

// Request is one request an endpoint received, in arrival order.
type Request struct {
	Code      int
	Version   int
	ExtFields map[string]string
	Body      []byte
}

// Auth makes an endpoint require ACL-signed requests.
type Auth struct {
	AccessKey string
	SecretKey string
}

// handlerFunc answers one request; it never returns nil for a two-way call.
type handlerFunc func(req *remoting.Command) *remoting.Command

// Endpoint is the transport both emulated servers share: a TCP listener
// speaking remoting frames (NettyRemotingServer, NettyDecoder), each request
// handled on its own goroutine so responses may leave out of order, plus
// the request log and fault injection tests use.
type Endpoint struct {
	ln      net.Listener
	handler handlerFunc
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once

	mu            sync.Mutex
	conns         map[net.Conn]struct{}
	counts        map[int]int
	requests      []Request
	faults        []*fault
	auth          *Auth
	serializeType byte
	idle          time.Duration
	accepted      int

	// users, when set, looks users up for authentication (a broker's
	// ACL 2.0 user store; set before start, read-only after); without it
	// only auth's user exists.
	users func(name string) (admin.UserInfo, bool)
}

func listen(addr string) (*Endpoint, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Endpoint{
		ln: ln, done: make(chan struct{}),
		conns: make(map[net.Conn]struct{}), counts: make(map[int]int),
	}, nil
}

func (e *Endpoint) start(h handlerFunc) {
	e.handler = h
	e.wg.Add(1)
	go e.acceptLoop()
}

// Addr returns the address the endpoint listens on (host:port).
func (e *Endpoint) Addr() string { return e.ln.Addr().String() }

// Close stops listening, closes every connection and waits for all
// goroutines of the endpoint to finish.
func (e *Endpoint) Close() error {
	var err error
	e.once.Do(func() {
		close(e.done)
		err = e.ln.Close()
		e.mu.Lock()
		for c := range e.conns {
			_ = c.Close()
		}
		e.mu.Unlock()
		e.wg.Wait()
	})
	return err
}

// SetResponseSerializeType makes responses use the ROCKETMQ binary header
// (remoting.SerializeRocketMQ, as with -Drocketmq.serialize.type=ROCKETMQ)
// or JSON (the default).
func (e *Endpoint) SetResponseSerializeType(binary bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.serializeType = remoting.SerializeJSON
	if binary {
		e.serializeType = remoting.SerializeRocketMQ
	}
}

// SetAuth requires every request to carry a valid ACL signature for these
// credentials (nil turns the check off).
func (e *Endpoint) SetAuth(a *Auth) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.auth = a
}

// SetIdleTimeout closes connections that sent nothing for d, as the Java
// servers do after serverChannelMaxIdleTimeSeconds (120 s) through Netty's
// IdleStateHandler. Zero (the default) keeps idle connections open.
func (e *Endpoint) SetIdleTimeout(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.idle = d
}

func (e *Endpoint) idleDeadline() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.idle <= 0 {
		return time.Time{}
	}
	return time.Now().Add(e.idle)
}

// AcceptedConnections returns how many connections the endpoint accepted.
func (e *Endpoint) AcceptedConnections() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.accepted
}

// CloseConnections drops every open client connection, as a server
// restart or a network cut would.
func (e *Endpoint) CloseConnections() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for c := range e.conns {
		_ = c.Close()
	}
}

func (e *Endpoint) acceptLoop() {
	defer e.wg.Done()
	for {
		nc, err := e.ln.Accept()
		if err != nil {
			return
		}
		e.mu.Lock()
		select {
		case <-e.done:
			e.mu.Unlock()
			_ = nc.Close()
			return
		default:
		}
		e.conns[nc] = struct{}{}
		e.accepted++
		e.wg.Add(1)
		e.mu.Unlock()
		go e.serve(nc)
	}
}

// serve reads frames until the connection ends. A frame that does not
// decode, or one over 16 MiB, closes the channel as NettyDecoder does.
func (e *Endpoint) serve(nc net.Conn) {
	defer e.wg.Done()
	out := make(chan []byte, 256)
	closed := make(chan struct{})
	e.wg.Add(1)
	go e.writeLoop(nc, out, closed)
	defer func() {
		close(closed)
		e.mu.Lock()
		delete(e.conns, nc)
		e.mu.Unlock()
		_ = nc.Close()
	}()
	r := bufio.NewReaderSize(nc, 64<<10)
	for {
		if err := nc.SetReadDeadline(e.idleDeadline()); err != nil {
			return
		}
		req, err := remoting.ReadCommand(r, remoting.MaxFrameLength)
		if err != nil {
			return
		}
		act := e.record(req)
		if act.drop {
			return
		}
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			if frame := e.respond(req, act); frame != nil {
				select {
				case out <- frame:
				case <-closed:
				}
			}
		}()
	}
}

// writeLoop writes response frames, coalescing queued ones into one write.
func (e *Endpoint) writeLoop(nc net.Conn, out <-chan []byte, closed <-chan struct{}) {
	defer e.wg.Done()
	bw := bufio.NewWriterSize(nc, 64<<10)
	for {
		select {
		case f := <-out:
			_, _ = bw.Write(f)
		case <-closed:
			return
		}
	drain:
		for {
			select {
			case f := <-out:
				_, _ = bw.Write(f)
			default:
				break drain
			}
		}
		if err := bw.Flush(); err != nil {
			_ = nc.Close()
			return
		}
	}
}

// respond handles one request and returns the encoded response frame, or
// nil for oneway requests and requests cut short by Close.
func (e *Endpoint) respond(req *remoting.Command, act action) []byte {
	if act.delay > 0 {
		t := time.NewTimer(act.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-e.done:
			return nil
		}
	}
	resp := act.fail
	if resp == nil {
		resp = e.authenticate(req)
	}
	if resp == nil {
		resp = e.handler(req)
	}
	if req.Flag&remoting.FlagOneway != 0 || resp == nil {
		return nil
	}
	e.mu.Lock()
	resp.SerializeType = e.serializeType
	e.mu.Unlock()
	resp.Opaque = req.Opaque
	resp.Flag |= remoting.FlagResponse
	resp.Language = "JAVA"
	resp.Version = serverVersion
	frame, err := remoting.Encode(resp)
	if err != nil {
		frame, _ = remoting.Encode(&remoting.Command{
			Code: admin.CodeSystemError, Remark: err.Error(), Opaque: req.Opaque,
			Flag: remoting.FlagResponse, Language: "JAVA", Version: serverVersion,
		})
	}
	return frame
}

// authenticate checks the ACL signature like AuthenticationPipeline with
// DefaultAuthenticationHandler: a failure aborts with NO_PERMISSION.
func (e *Endpoint) authenticate(req *remoting.Command) *remoting.Command {
	e.mu.Lock()
	a := e.auth
	e.mu.Unlock()
	if a == nil {
		return nil
	}
	ak := req.ExtFields["AccessKey"]
	if ak == "" {
		return errorResponse(admin.CodeNoPermission, "username cannot be null.")
	}
	u, found := e.lookupUser(a, ak)
	if !found {
		return errorResponse(admin.CodeNoPermission, "User:"+ak+" is not found.")
	}
	if u.UserStatus == admin.UserStatusDisable {
		return errorResponse(admin.CodeNoPermission, "User:"+ak+" is disabled.")
	}
	if req.ExtFields["Signature"] != admin.Signature(req.ExtFields, req.Body, u.Password) {
		return errorResponse(admin.CodeNoPermission, "check signature failed.")
	}
	return nil
}

// lookupUser finds the user a request signs as.
func (e *Endpoint) lookupUser(a *Auth, name string) (admin.UserInfo, bool) {
	if e.users != nil {
		return e.users(name)
	}
	if name != a.AccessKey {
		return admin.UserInfo{}, false
	}
	return admin.UserInfo{Username: name, Password: a.SecretKey}, true
}

func errorResponse(code int, remark string) *remoting.Command {
	return &remoting.Command{Code: code, Remark: remark}
}

func successResponse() *remoting.Command { return &remoting.Command{Code: admin.CodeSuccess} }
