package rmqtest

import (
	"maps"
	"sort"
	"strconv"
	"sync"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// versionStandardJSON is MQVersion.Version.V4_9_4.ordinal(): from this
// request version on, GET_ROUTEINFO_BY_TOPIC answers in standard JSON.
const versionStandardJSON = 401

// NameServer emulates a Java NameServer: the route tables of
// RouteInfoManager, served by DefaultRequestProcessor and
// ClientRequestProcessor.
type NameServer struct {
	*Endpoint

	mu               sync.Mutex
	clusterAddrTable map[string]map[string]bool            // cluster → broker names
	brokerAddrTable  map[string]*admin.BrokerData          // broker name → data
	topicQueueTable  map[string]map[string]admin.QueueData // topic → broker name → queues
	brokerLiveTable  map[string]admin.DataVersion          // broker addr → topic data version
	audit            audit
}

// NewNameServer starts a NameServer on addr ("127.0.0.2:9876", or port 0
// for any free port).
func NewNameServer(addr string) (*NameServer, error) {
	ep, err := listen(addr)
	if err != nil {
		return nil, err
	}
	ns := &NameServer{
		Endpoint:         ep,
		clusterAddrTable: make(map[string]map[string]bool),
		brokerAddrTable:  make(map[string]*admin.BrokerData),
		topicQueueTable:  make(map[string]map[string]admin.QueueData),
		brokerLiveTable:  make(map[string]admin.DataVersion),
	}
	ep.start(ns.handle)
	return ns, nil
}

func (ns *NameServer) handle(req *remoting.Command) *remoting.Command {
	switch req.Code {
	case admin.CodeRegisterBroker:
		return ns.registerBroker(req)
	case admin.CodeGetRouteInfoByTopic:
		return ns.routeInfo(req)
	case admin.CodeGetBrokerClusterInfo:
		return ns.clusterInfo()
	case admin.CodeDeleteTopicInNamesrv:
		return ns.deleteTopic(req)
	case admin.CodeWipeWritePermOfBroker:
		return ns.writePerm(req, "wipeTopicCount")
	case admin.CodeAddWritePermOfBroker:
		return ns.writePerm(req, "addTopicCount")
	}
	return unsupported(req)
}

// unsupported is the REQUEST_CODE_NOT_SUPPORTED answer of
// NettyRemotingAbstract / AdminBrokerProcessor.getUnknownCmdResponse.
func unsupported(req *remoting.Command) *remoting.Command {
	return errorResponse(admin.CodeRequestCodeNotSupported, " request type "+strconv.Itoa(req.Code)+" not supported")
}

// registerBody is RegisterBrokerBody (uncompressed form).
type registerBody struct {
	TopicConfigSerializeWrapper struct {
		TopicConfigTable map[string]admin.TopicConfig `json:"topicConfigTable"`
		DataVersion      admin.DataVersion            `json:"dataVersion"`
	} `json:"topicConfigSerializeWrapper"`
	FilterServerList []string `json:"filterServerList"`
}

// registration is one decoded REGISTER_BROKER request.
type registration struct {
	cluster, brokerName, brokerAddr string
	brokerID                        int64
	body                            registerBody
}

func decodeRegistration(req *remoting.Command) (*registration, *remoting.Command) {
	h := headerOf(req)
	r := &registration{
		brokerName: h.str("brokerName", true), brokerAddr: h.str("brokerAddr", true),
		cluster: h.str("clusterName", false),
	}
	h.str("haServerAddr", true)
	r.brokerID = h.num("brokerId", true, 0)
	if resp := h.failed(); resp != nil {
		return nil, resp
	}
	if len(req.Body) > 0 {
		if err := remoting.Unmarshal(req.Body, &r.body); err != nil {
			return nil, errorResponse(admin.CodeSystemError, "decoding RegisterBrokerBody: "+err.Error())
		}
	}
	return r, nil
}

// registerBroker follows RouteInfoManager.registerBroker for masters: the
// queue data of every topic in the body is (re)written when the broker's
// topic data version changed or it registers for the first time. Topics
// missing from the body stay (deleteTopicWithBrokerRegistration=false).
func (ns *NameServer) registerBroker(req *remoting.Command) *remoting.Command {
	r, errResp := decodeRegistration(req)
	if errResp != nil {
		return errResp
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	bd, first := ns.brokerData(r)
	tcs := r.body.TopicConfigSerializeWrapper
	if _, known := bd.BrokerAddrs[r.brokerID]; !known && len(tcs.TopicConfigTable) == 1 {
		// "Can't register topicConfigWrapper ... because broker has not registered."
		return successResponse()
	}
	old := bd.BrokerAddrs[r.brokerID]
	bd.BrokerAddrs[r.brokerID] = r.brokerAddr
	first = first || old == ""
	prev, seen := ns.brokerLiveTable[r.brokerAddr]
	if r.brokerID == 0 && (first || !seen || prev != tcs.DataVersion) {
		ns.updateQueueData(r.brokerName, tcs.TopicConfigTable)
	}
	ns.brokerLiveTable[r.brokerAddr] = tcs.DataVersion
	resp := successResponse()
	resp.ExtFields = map[string]string{}
	if master := bd.BrokerAddrs[0]; r.brokerID != 0 && master != "" {
		resp.ExtFields["masterAddr"] = master
	}
	return resp
}

// brokerData returns the broker's entry, creating it, adding the broker to
// its cluster and removing its address under another id (a slave switched
// to master). first reports a new entry.
func (ns *NameServer) brokerData(r *registration) (*admin.BrokerData, bool) {
	if ns.clusterAddrTable[r.cluster] == nil {
		ns.clusterAddrTable[r.cluster] = make(map[string]bool)
	}
	ns.clusterAddrTable[r.cluster][r.brokerName] = true
	bd := ns.brokerAddrTable[r.brokerName]
	first := bd == nil
	if first {
		bd = &admin.BrokerData{Cluster: r.cluster, BrokerName: r.brokerName, BrokerAddrs: make(map[int64]string)}
		ns.brokerAddrTable[r.brokerName] = bd
	}
	for id, a := range bd.BrokerAddrs {
		if a == r.brokerAddr && id != r.brokerID {
			delete(bd.BrokerAddrs, id)
		}
	}
	return bd, first
}

// updateQueueData is RouteInfoManager.createAndUpdateQueueData per topic.
func (ns *NameServer) updateQueueData(brokerName string, table map[string]admin.TopicConfig) {
	for name, tc := range table {
		if ns.topicQueueTable[name] == nil {
			ns.topicQueueTable[name] = make(map[string]admin.QueueData)
		}
		ns.topicQueueTable[name][brokerName] = admin.QueueData{
			BrokerName: brokerName, ReadQueueNums: tc.ReadQueueNums,
			WriteQueueNums: tc.WriteQueueNums, Perm: tc.Perm, TopicSysFlag: tc.TopicSysFlag,
		}
	}
}

// routeInfo follows ClientRequestProcessor.getRouteInfoByTopic and
// RouteInfoManager.pickupTopicRouteData.
func (ns *NameServer) routeInfo(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	topic := h.str("topic", true)
	standard := h.boolean("acceptStandardJsonOnly", false) || req.Version >= versionStandardJSON
	if r := h.failed(); r != nil {
		return r
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	qds := ns.topicQueueTable[topic]
	var brokers []admin.BrokerData
	for _, name := range sortedNames(qds) {
		if bd := ns.brokerAddrTable[name]; bd != nil {
			brokers = append(brokers, cloneBrokerData(*bd))
		}
	}
	if len(qds) == 0 || len(brokers) == 0 {
		return errorResponse(admin.CodeTopicNotExist, "No topic route info in name server for the topic: "+topic+
			"\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.")
	}
	resp := successResponse()
	resp.Body = routeJSON(qds, brokers, standard)
	return resp
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func cloneBrokerData(bd admin.BrokerData) admin.BrokerData {
	bd.BrokerAddrs = maps.Clone(bd.BrokerAddrs)
	return bd
}

// routeJSON writes TopicRouteData: with bare integer brokerAddrs keys for
// old clients, quoted keys when standard JSON was asked for.
func routeJSON(qds map[string]admin.QueueData, brokers []admin.BrokerData, standard bool) []byte {
	out := []byte(`{"brokerDatas":[`)
	for i, bd := range brokers {
		if i > 0 {
			out = append(out, ',')
		}
		out = brokerDataJSON(out, bd, standard)
	}
	out = append(out, `],"filterServerTable":{},"queueDatas":[`...)
	for i, name := range sortedNames(qds) {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, queueDataJSON(qds[name])...)
	}
	return append(out, "]}"...)
}

func queueDataJSON(qd admin.QueueData) []byte {
	return mustJSON(struct {
		BrokerName     string `json:"brokerName"`
		Perm           int    `json:"perm"`
		ReadQueueNums  int    `json:"readQueueNums"`
		TopicSysFlag   int    `json:"topicSysFlag"`
		WriteQueueNums int    `json:"writeQueueNums"`
	}{qd.BrokerName, qd.Perm, qd.ReadQueueNums, qd.TopicSysFlag, qd.WriteQueueNums})
}

// clusterInfo writes ClusterInfo with fastjson's bare integer keys
// (DefaultRequestProcessor.getBrokerClusterInfo has no standard-JSON switch).
func (ns *NameServer) clusterInfo() *remoting.Command {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	out := []byte(`{"brokerAddrTable":{`)
	for i, name := range sortedNames(ns.brokerAddrTable) {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, mustJSON(name)...)
		out = append(out, ':')
		out = brokerDataJSON(out, *ns.brokerAddrTable[name], false)
	}
	out = append(out, `},"clusterAddrTable":`...)
	clusters := make(map[string][]string, len(ns.clusterAddrTable))
	for c, names := range ns.clusterAddrTable {
		clusters[c] = sortedNames(names)
	}
	out = append(out, mustJSON(clusters)...)
	resp := successResponse()
	resp.Body = append(out, '}')
	return resp
}

// deleteTopic follows DefaultRequestProcessor.deleteTopicInNamesrv: with a
// cluster name only that cluster's brokers lose the topic. Always SUCCESS.
func (ns *NameServer) deleteTopic(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	topic := h.str("topic", true)
	cluster := h.str("clusterName", false)
	if r := h.failed(); r != nil {
		return r
	}
	removed, last := ns.deleteRoute(topic, cluster)
	ns.auditDeleteRoute(req.Code, topic, removed, last)
	return successResponse()
}

// deleteRoute is RouteInfoManager.deleteTopic; it returns the brokers whose
// queue data went (name → master address) and whether no route is left.
func (ns *NameServer) deleteRoute(topic, cluster string) (map[string]string, bool) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	qds := ns.topicQueueTable[topic]
	removed := make(map[string]string)
	for name := range qds {
		if cluster == "" || ns.clusterAddrTable[cluster][name] {
			if bd := ns.brokerAddrTable[name]; bd != nil {
				removed[name] = bd.MasterAddr()
			}
		}
	}
	if cluster == "" {
		delete(ns.topicQueueTable, topic)
		return removed, true
	}
	for name := range ns.clusterAddrTable[cluster] {
		delete(qds, name)
	}
	if qds != nil && len(qds) == 0 {
		delete(ns.topicQueueTable, topic)
	}
	_, left := ns.topicQueueTable[topic]
	return removed, !left
}

// writePerm follows RouteInfoManager.operateWritePermOfBroker: wipe clears
// the write bit, add sets the perm to exactly read|write.
func (ns *NameServer) writePerm(req *remoting.Command, countField string) *remoting.Command {
	h := headerOf(req)
	brokerName := h.str("brokerName", true)
	if r := h.failed(); r != nil {
		return r
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	n := 0
	for _, qds := range ns.topicQueueTable {
		qd, ok := qds[brokerName]
		if !ok {
			continue
		}
		if req.Code == admin.CodeWipeWritePermOfBroker {
			qd.Perm &^= admin.PermWrite
		} else {
			qd.Perm = admin.PermRead | admin.PermWrite
		}
		qds[brokerName] = qd
		n++
	}
	resp := successResponse()
	resp.ExtFields = map[string]string{countField: strconv.Itoa(n)}
	return resp
}

// Route returns the NameServer's current route of a topic, as
// pickupTopicRouteData would build it, and whether there is one.
func (ns *NameServer) Route(topic string) (admin.TopicRouteData, bool) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	qds := ns.topicQueueTable[topic]
	if len(qds) == 0 {
		return admin.TopicRouteData{}, false
	}
	var rd admin.TopicRouteData
	for _, name := range sortedNames(qds) {
		rd.QueueDatas = append(rd.QueueDatas, qds[name])
		if bd := ns.brokerAddrTable[name]; bd != nil {
			rd.BrokerDatas = append(rd.BrokerDatas, cloneBrokerData(*bd))
		}
	}
	return rd, true
}

// TopicNames returns every topic the NameServer has a route for, sorted.
func (ns *NameServer) TopicNames() []string {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return sortedNames(ns.topicQueueTable)
}
