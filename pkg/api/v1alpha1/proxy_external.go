package v1alpha1

import (
	"fmt"
	"net"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// RemotingListenPort is the port the Proxy listens on and advertises to
// remoting clients: external.remotingPort when set, else 8080.
// GetTopicRouteActivity answers every route request with
// remotingAccessAddr:remotingListenPort, so the two must be the port the
// clients dial.
func (p *ProxySpec) RemotingListenPort() int32 {
	if p.External != nil && p.External.RemotingPort != nil {
		return *p.External.RemotingPort
	}
	return PortProxyRemoting
}

// EffectiveServiceType is the type of the Proxy Service.
func (p *ProxySpec) EffectiveServiceType() corev1.ServiceType {
	if p.External != nil {
		if p.External.ServiceType == "" {
			return corev1.ServiceTypeLoadBalancer
		}
		return p.External.ServiceType
	}
	if p.ServiceType == "" {
		return DefaultProxyServiceType
	}
	return p.ServiceType
}

// validateExternal checks spec.proxy.external; proxy is spec.proxy.
func (p *ProxySpec) validateExternal(proxy *field.Path) field.ErrorList {
	e := p.External
	if e == nil {
		return nil
	}
	path := proxy.Child("external")
	errs := validateExternalAddress(e.Address, path.Child("address"))
	errs = append(errs, validateEnum(path.Child("serviceType"), string(e.ServiceType),
		string(corev1.ServiceTypeLoadBalancer), string(corev1.ServiceTypeNodePort))...)
	errs = append(errs, validatePort(e.RemotingPort, path.Child("remotingPort"))...)
	errs = append(errs, validatePort(e.GRPCPort, path.Child("grpcPort"))...)
	if e.ServiceType == corev1.ServiceTypeNodePort && e.RemotingPort == nil {
		errs = append(errs, field.Required(path.Child("remotingPort"),
			"set the node port remoting clients dial (for example 30080): the Proxy advertises its listen port with the address, so Kubernetes cannot pick it"))
	}
	if st := p.ServiceType; st != "" && st != corev1.ServiceTypeClusterIP && st != e.ServiceType {
		errs = append(errs, field.Invalid(proxy.Child("serviceType"), string(st), fmt.Sprintf(
			"conflicts with spec.proxy.external.serviceType (%s), which sets the Service type: remove spec.proxy.serviceType", e.ServiceType)))
	}
	return errs
}

// validateExternalAddress accepts an IP address or a DNS name, without
// port: the port is advertised from remotingPort.
func validateExternalAddress(addr string, path *field.Path) field.ErrorList {
	if addr == "" {
		return field.ErrorList{field.Required(path, "set the DNS name or IP address clients outside the cluster dial, for example mq.example.com")}
	}
	if net.ParseIP(addr) != nil {
		return nil
	}
	if len(validation.IsDNS1123Subdomain(addr)) > 0 {
		return field.ErrorList{field.Invalid(path, addr,
			"must be a DNS name such as mq.example.com or an IP address, without scheme or port (set ports in remotingPort and grpcPort)")}
	}
	return nil
}

func validatePort(p *int32, path *field.Path) field.ErrorList {
	if p == nil {
		return nil
	}
	if *p < 1 || *p > 65535 {
		return field.ErrorList{field.Invalid(path, *p, "must be a port between 1 and 65535")}
	}
	return nil
}
