package v1alpha1

import "strconv"

// Component names, used in object names and the component label.
const (
	ComponentNameServer = "nameserver"
	ComponentController = "controller"
	ComponentBroker     = "broker"
	ComponentProxy      = "proxy"
	ComponentDashboard  = "dashboard"
)

// Labels every rendered object carries. The controller finds its objects by
// LabelCluster and LabelManagedBy, never by app.kubernetes.io/instance:
// Argo CD's label tracking overwrites that one with the Application name.
const (
	LabelName        = "app.kubernetes.io/name"
	LabelInstance    = "app.kubernetes.io/instance"
	LabelComponent   = "app.kubernetes.io/component"
	LabelPartOf      = "app.kubernetes.io/part-of"
	LabelManagedBy   = "app.kubernetes.io/managed-by"
	LabelCluster     = Group + "/cluster"
	LabelBrokerGroup = Group + "/broker-group"

	// AppName is the value of LabelName and LabelPartOf.
	AppName = "rocketmq"
	// ManagedBy is the value of LabelManagedBy.
	ManagedBy = "rocketmq-gitops"
)

// Well-known ports.
const (
	PortNameServer        = 9876
	PortBroker            = 10911
	PortBrokerVIP         = 10909
	PortBrokerHA          = 10912
	PortController        = 9878
	PortProxyRemoting     = 8080
	PortProxyGRPC         = 8081
	PortDashboard         = 8080
	PortMetrics           = 5557
	DefaultVersion        = "5.3.3"
	DefaultImage          = "apache/rocketmq"
	DefaultDashboardImage = "apacherocketmq/rocketmq-dashboard:2.1.0"
)

// NameServerName is the NameServer StatefulSet and headless Service name.
func (c *RocketMQCluster) NameServerName() string { return c.Name + "-" + ComponentNameServer }

// ControllerName is the Controller StatefulSet and headless Service name.
func (c *RocketMQCluster) ControllerName() string { return c.Name + "-" + ComponentController }

// BrokerGroupName is broker group g's StatefulSet, headless Service and
// brokerName.
func (c *RocketMQCluster) BrokerGroupName(g int32) string {
	return c.Name + "-" + ComponentBroker + "-" + strconv.Itoa(int(g))
}

// ProxyName is the Proxy Deployment and Service name.
func (c *RocketMQCluster) ProxyName() string { return c.Name + "-" + ComponentProxy }

// DashboardName is the dashboard Deployment and Service name.
func (c *RocketMQCluster) DashboardName() string { return c.Name + "-" + ComponentDashboard }

// NameServerAddressesConfigMapName is the ConfigMap the status controller
// owns with the NameServer addresses in use.
func (c *RocketMQCluster) NameServerAddressesConfigMapName() string {
	return c.Name + "-nameserver-addresses"
}

// SelectorLabels are the labels that select a component's pods; group is
// only used for brokers (pass -1 otherwise).
func (c *RocketMQCluster) SelectorLabels(component string, group int32) map[string]string {
	l := map[string]string{
		LabelName:      AppName,
		LabelCluster:   c.Name,
		LabelComponent: component,
	}
	if component == ComponentBroker && group >= 0 {
		l[LabelBrokerGroup] = strconv.Itoa(int(group))
	}
	return l
}

// Labels are the full label set of a rendered object of a component.
func (c *RocketMQCluster) Labels(component string, group int32) map[string]string {
	l := c.SelectorLabels(component, group)
	l[LabelInstance] = c.Name
	l[LabelPartOf] = AppName
	l[LabelManagedBy] = ManagedBy
	return l
}
