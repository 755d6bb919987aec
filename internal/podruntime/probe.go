package podruntime

import (
	"context"
	"net"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// probeLoop runs the readiness probe's TCP check every 200 ms (the
// rendered period is 10 s; a test needs no such patience) and reports each
// change to the API server, until the pod goes. As the kubelet does, it
// reports nothing ready before initialDelaySeconds counted from the
// container's start, nor before successThreshold checks in a row passed;
// those delays cover the emulated processes' Java periods, so they are
// scaled like them (Timers).
func (r *Runtime) probeLoop(ctx context.Context, p *corev1.Pod, run *running) {
	port := probePort(&p.Spec.Containers[0])
	notBefore := run.started.Add(r.initialDelay(&p.Spec.Containers[0]))
	hold := r.successHold(&p.Spec.Containers[0])
	var openSince time.Time
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		open := port != "" && !time.Now().Before(notBefore) && tcpOpen(net.JoinHostPort(p.Status.PodIP, port))
		switch {
		case !open:
			openSince = time.Time{}
		case openSince.IsZero():
			openSince = time.Now()
		}
		ok := open && time.Since(openSince) >= hold
		if ok != run.ready && r.SetReady != nil {
			if err := r.SetReady(ctx, p, ok); err == nil {
				run.ready = ok
			} else if ctx.Err() == nil {
				r.logf("pod %s: setting Ready=%v: %v", run.name, ok, err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// initialDelay is the readiness probe's initialDelaySeconds, scaled.
func (r *Runtime) initialDelay(c *corev1.Container) time.Duration {
	if c.ReadinessProbe == nil || c.ReadinessProbe.InitialDelaySeconds <= 0 {
		return 0
	}
	d := time.Duration(c.ReadinessProbe.InitialDelaySeconds) * time.Second
	if r.Timers != nil && r.Timers.Scale > 0 {
		d = time.Duration(float64(d) * r.Timers.Scale)
	}
	return d
}

// successHold is how long the port must stay open before the pod is
// ready: successThreshold checks in a row, periodSeconds apart, scaled
// like initialDelay.
func (r *Runtime) successHold(c *corev1.Container) time.Duration {
	p := c.ReadinessProbe
	if p == nil || p.SuccessThreshold <= 1 {
		return 0
	}
	d := time.Duration(p.SuccessThreshold-1) * time.Duration(max(p.PeriodSeconds, 1)) * time.Second
	if r.Timers != nil && r.Timers.Scale > 0 {
		d = time.Duration(float64(d) * r.Timers.Scale)
	}
	return d
}

// probePort is the readiness probe's TCP port as a number.
func probePort(c *corev1.Container) string {
	if c.ReadinessProbe == nil || c.ReadinessProbe.TCPSocket == nil {
		return ""
	}
	port := c.ReadinessProbe.TCPSocket.Port
	if port.IntValue() > 0 {
		return strconv.Itoa(port.IntValue())
	}
	for _, cp := range c.Ports {
		if cp.Name == port.StrVal {
			return strconv.Itoa(int(cp.ContainerPort))
		}
	}
	return ""
}

func tcpOpen(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}
