package podruntime

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/javaprops"
)

// process is a running emulated RocketMQ process.
type process interface {
	Close() error
	kind() string
}

type nameServer struct{ *rmqtest.NameServer }

func (nameServer) kind() string { return "NameServer" }

// Broker is an emulated broker process; tests reach it through Processes.
type Broker struct{ *rmqtest.Broker }

func (Broker) kind() string { return "broker" }

type controller struct{ *rmqtest.Controller }

func (controller) kind() string { return "controller" }

// errNotEmulated ends a pod's start attempts: no emulated process exists.
var errNotEmulated = errors.New("not emulated")

// startProcess starts what the launcher stub was called for, the way the
// image's scripts start the Java main classes (NamesrvStartup,
// BrokerStartup, ControllerStartup) with the given config file.
func (r *Runtime) startProcess(c *container, args []string) (process, error) {
	ip := c.pod.Status.PodIP
	conf, err := configFile(args)
	if err != nil {
		return nil, err
	}
	switch args[0] {
	case "mqnamesrv":
		ns, err := rmqtest.NewNameServerWithOptions(rmqtest.NameServerOptions{
			Addr: listenAddr(ip, conf["listenPort"], v1alpha1.PortNameServer), Timers: r.Timers,
		})
		return nameServer{ns}, err
	case "mqbroker":
		return r.startBroker(c, ip, conf)
	case "mqcontroller":
		ctl, err := rmqtest.NewController(rmqtest.ControllerOptions{
			Addr: listenAddr(ip, "", v1alpha1.PortController), Config: conf, Registry: r.controllers, Timers: r.Timers,
		})
		return controller{ctl}, err
	}
	return nil, fmt.Errorf("%s: %w", args[0], errNotEmulated)
}

// configFile reads the file named by -c (a Java properties file), as
// MixAll.properties2Object does; none given is an empty config.
func configFile(args []string) (map[string]string, error) {
	for i := 1; i+1 < len(args); i++ {
		if args[i] == "-c" {
			data, err := os.ReadFile(args[i+1])
			if err != nil {
				return nil, fmt.Errorf("while reading the config file: %w", err)
			}
			return javaprops.Decode(data), nil
		}
	}
	return map[string]string{}, nil
}

func listenAddr(ip, port string, def int) string {
	if port == "" {
		port = strconv.Itoa(def)
	}
	return net.JoinHostPort(ip, port)
}

// startBroker is BrokerStartup with the config file: the broker listens on
// the pod IP, keeps its store on the claim, and, with ACL 2.0 on, accepts
// the initial user of initAuthenticationUser.
func (r *Runtime) startBroker(c *container, ip string, conf map[string]string) (process, error) {
	id, _ := strconv.ParseInt(conf["brokerId"], 10, 64)
	store := conf["storePathRootDir"]
	if store == "" {
		return nil, errors.New("broker.conf has no storePathRootDir: the default under user.home is not emulated")
	}
	opts := rmqtest.BrokerOptions{
		Addr:        listenAddr(ip, conf["listenPort"], v1alpha1.PortBroker),
		ClusterName: conf["brokerClusterName"], BrokerName: conf["brokerName"], BrokerID: id,
		Config: conf, Resolver: r.resolver, Timers: r.Timers, Controllers: r.controllers,
		StoreDir: c.rewrite(store),
	}
	if conf["authenticationEnabled"] == "true" {
		auth, err := initialUser(conf["initAuthenticationUser"])
		if err != nil {
			return nil, err
		}
		opts.Auth = auth
	}
	b, err := rmqtest.NewBroker(opts)
	if err != nil {
		return nil, err
	}
	return Broker{b}, nil
}

// initialUser reads initAuthenticationUser ({"username":..,"password":..}),
// the user AuthenticationMetadataManagerImpl.initUser creates.
func initialUser(v string) (*rmqtest.Auth, error) {
	var u struct{ Username, Password string }
	if err := json.Unmarshal([]byte(strings.TrimSpace(v)), &u); err != nil {
		return nil, fmt.Errorf("authenticationEnabled with an unreadable initAuthenticationUser: %w", err)
	}
	if u.Username == "" {
		return nil, errors.New("authenticationEnabled without an initAuthenticationUser username")
	}
	return &rmqtest.Auth{AccessKey: u.Username, SecretKey: u.Password}, nil
}
