package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Warning is a valid but risky choice: rendering goes on, and the KRM
// function reports it with severity warning.
//
// +kubebuilder:object:generate=false
type Warning struct {
	// Field is the field path, e.g. spec.nameServer.replicas.
	Field string
	// Message says what is at risk and how to avoid it.
	Message string
}

// Warnings lists the risky choices of the cluster as it will be rendered
// (after Default), in a stable order.
func (c *RocketMQCluster) Warnings() []Warning {
	d := c.DeepCopy()
	d.Default()
	s := &d.Spec
	spec := field.NewPath("spec")
	var ws []Warning
	add := func(p *field.Path, msg string) { ws = append(ws, Warning{Field: p.String(), Message: msg}) }
	if s.NameServer.Replicas != nil && *s.NameServer.Replicas == 1 {
		add(spec.Child("nameServer", "replicas"),
			"a single NameServer is a single point of failure: clients and brokers lose routing while it restarts; use 2 or more")
	}
	if s.NameServer.HostNetwork {
		add(spec.Child("nameServer", "hostNetwork"),
			"hostNetwork pods cannot meet the restricted or baseline Pod Security profiles: deploy into a privileged namespace")
	}
	if s.Broker.ReplicasPerGroup != nil && *s.Broker.ReplicasPerGroup == 1 {
		add(spec.Child("broker", "replicasPerGroup"),
			"one pod per broker group has no replica: a lost volume loses its messages; use 2 or more for high availability")
	}
	if s.Controller != nil && s.Controller.Replicas != nil && *s.Controller.Replicas == 1 {
		add(spec.Child("controller", "replicas"),
			"a single Controller cannot fail over: masters are not re-elected while it is down; use 3")
	}
	if p := s.Proxy; p.Enabled && p.External == nil && p.ServiceType != corev1.ServiceTypeClusterIP {
		add(spec.Child("proxy", "serviceType"),
			"remoting clients outside the cluster are sent to Proxy pod IPs (remotingAccessAddr defaults to the pod IP): set spec.proxy.external.address to the load balancer's or nodes' address")
	}
	return ws
}
