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
	live             map[string]liveness                   // broker addr → last registration

	stop  chan struct{}
	tasks *sync.WaitGroup
	audit audit
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
		live:             make(map[string]liveness),
	}
	ep.start(ns.handle)
	return ns, nil
}

func (ns *NameServer) handle(req *remoting.Command) *remoting.Command {
	switch req.Code {
	case admin.CodeRegisterBroker:
		return ns.registerBroker(req)
	case admin.CodeUnregisterBroker:
		return ns.unregisterBroker(req)
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

// registration is one decoded REGISTER_BROKER request. A field missing
// from the header is null in Java: has* record which were present.
type registration struct {
	cluster, brokerName, brokerAddr string
	hasCluster, hasName, hasAddr    bool
	brokerID                        int64
	body                            registerBody
}

// decodeRegistration follows DefaultRequestProcessor.registerBroker up to
// the RouteInfoManager call: the body is decoded first, then the Long
// brokerId is unboxed for the `long brokerId` parameter, which throws on
// null (missing or not a number). haServerAddr is only stored in Java.
func decodeRegistration(req *remoting.Command) (*registration, *remoting.Command) {
	h := headerOf(req)
	r := &registration{}
	r.brokerName, r.hasName = h.str("brokerName")
	r.brokerAddr, r.hasAddr = h.str("brokerAddr")
	r.cluster, r.hasCluster = h.str("clusterName")
	if len(req.Body) > 0 {
		if err := remoting.Unmarshal(req.Body, &r.body); err != nil {
			return nil, errorResponse(admin.CodeSystemError, "decoding RegisterBrokerBody: "+err.Error())
		}
	}
	id, ok := h.long("brokerId")
	if !ok {
		return nil, npe(frameRegisterBroker)
	}
	r.brokerID = id
	return r, nil
}

// registerBroker follows RouteInfoManager.registerBroker for masters: the
// queue data of every topic in the body is (re)written when the broker's
// topic data version changed or it registers for the first time. Topics
// missing from the body stay (deleteTopicWithBrokerRegistration=false).
// A one-topic registration of a broker id not registered yet makes
// registerBroker return null, which DefaultRequestProcessor.registerBroker
// answers with SYSTEM_ERROR "register broker failed".
func (ns *NameServer) registerBroker(req *remoting.Command) *remoting.Command {
	r, errResp := decodeRegistration(req)
	if errResp != nil {
		return errResp
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if done, resp := ns.registerNulls(r); done {
		return resp
	}
	bd, first := ns.brokerData(r)
	tcs := r.body.TopicConfigSerializeWrapper
	if _, known := bd.BrokerAddrs[r.brokerID]; !known && len(tcs.TopicConfigTable) == 1 {
		// "Can't register topicConfigWrapper ... because broker has not registered."
		return errorResponse(admin.CodeSystemError, "register broker failed")
	}
	old := bd.BrokerAddrs[r.brokerID]
	bd.BrokerAddrs[r.brokerID] = r.brokerAddr
	first = first || old == ""
	prev, seen := ns.brokerLiveTable[r.brokerAddr]
	if r.brokerID == 0 && (first || !seen || prev != tcs.DataVersion) {
		ns.updateQueueData(r.brokerName, tcs.TopicConfigTable)
	}
	ns.brokerLiveTable[r.brokerAddr] = tcs.DataVersion
	ns.touch(r, parseMillis(req.ExtFields["heartbeatTimeoutMillis"]))
	resp := successResponse()
	resp.ExtFields = map[string]string{}
	if master := bd.BrokerAddrs[0]; r.brokerID != 0 && master != "" {
		resp.ExtFields["masterAddr"] = master
	}
	return resp
}

// nullBrokerName stands for the null that HashSet.add(null) puts into a
// cluster's broker names; cluster info writes it as null.
const nullBrokerName = "\x00null"

// registerNulls handles null header fields the way RouteInfoManager.
// registerBroker meets them inside its try/catch(Exception), which logs
// the NPE and returns an empty result (SUCCESS): a null cluster fails at
// clusterAddrTable.computeIfAbsent before any change; a null broker name
// is first added to the cluster's set, then brokerAddrTable.get(null)
// fails. A null brokerAddr gets far (it is stored as the address and
// fails only at the first BrokerAddrInfo.hashCode): not emulated.
func (ns *NameServer) registerNulls(r *registration) (bool, *remoting.Command) {
	switch {
	case !r.hasCluster:
		return true, successResponse()
	case !r.hasName:
		ns.clusterNames(r.cluster)[nullBrokerName] = true
		return true, successResponse()
	case !r.hasAddr:
		return true, errorResponse(admin.CodeSystemError, "rmqtest: REGISTER_BROKER without brokerAddr is not emulated")
	}
	return false, nil
}

// clusterNames returns a cluster's broker name set, creating it.
func (ns *NameServer) clusterNames(cluster string) map[string]bool {
	if ns.clusterAddrTable[cluster] == nil {
		ns.clusterAddrTable[cluster] = make(map[string]bool)
	}
	return ns.clusterAddrTable[cluster]
}

// brokerData returns the broker's entry, creating it, adding the broker to
// its cluster and removing its address under another id (a slave switched
// to master). first reports a new entry.
func (ns *NameServer) brokerData(r *registration) (*admin.BrokerData, bool) {
	ns.clusterNames(r.cluster)[r.brokerName] = true
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
	topic, hasTopic := h.str("topic")
	standard := h.boolean("acceptStandardJsonOnly") || req.Version >= versionStandardJSON
	if !hasTopic {
		// pickupTopicRouteData catches the NPE of topicQueueTable.get(null)
		// and finds nothing; the remark prints the null.
		return topicNotExist("null")
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
		return topicNotExist(topic)
	}
	resp := successResponse()
	resp.Body = routeJSON(qds, brokers, standard)
	return resp
}

// topicNotExist is ClientRequestProcessor's answer when there is no route.
func topicNotExist(topic string) *remoting.Command {
	return errorResponse(admin.CodeTopicNotExist, "No topic route info in name server for the topic: "+topic+
		"\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.")
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
	clusters := make(map[string][]*string, len(ns.clusterAddrTable))
	for c, names := range ns.clusterAddrTable {
		clusters[c] = javaNames(names)
	}
	out = append(out, mustJSON(clusters)...)
	resp := successResponse()
	resp.Body = append(out, '}')
	return resp
}

// javaNames lists a cluster's broker names sorted, a null one (see
// nullBrokerName) first as in its HashSet, where null hashes to bucket 0.
func javaNames(names map[string]bool) []*string {
	out := make([]*string, 0, len(names))
	for _, n := range sortedNames(names) {
		if n == nullBrokerName {
			out = append([]*string{nil}, out...)
			continue
		}
		out = append(out, &n)
	}
	return out
}

// deleteTopic follows DefaultRequestProcessor.deleteTopicInNamesrv: with a
// cluster name only that cluster's brokers lose the topic. Always SUCCESS:
// without a topic RouteInfoManager.deleteTopic catches the NPE of
// topicQueueTable.remove/get(null) and changes nothing.
func (ns *NameServer) deleteTopic(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	topic, hasTopic := h.str("topic")
	cluster, _ := h.str("clusterName")
	if !hasTopic {
		return successResponse()
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
// the write bit, add sets the perm to exactly read|write. A null broker
// name is looked up in each topic's HashMap of queue data, finds nothing,
// and the count is 0.
func (ns *NameServer) writePerm(req *remoting.Command, countField string) *remoting.Command {
	brokerName, ok := headerOf(req).str("brokerName")
	if !ok {
		return countResponse(countField, 0)
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
	return countResponse(countField, n)
}

// countResponse is the SUCCESS of 205/327 with wipeTopicCount/addTopicCount.
func countResponse(countField string, n int) *remoting.Command {
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
