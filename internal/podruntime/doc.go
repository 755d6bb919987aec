// Package podruntime runs emulated RocketMQ processes for the pods of a
// simulated cluster, in place of a kubelet and a container runtime.
//
// When a pod is Running with a pod IP, the runtime builds the container
// from what the pod spec gives it and nothing else: its ConfigMap and
// Secret volumes and keys, emptyDirs, its PersistentVolumeClaim (a
// directory kept across pod restarts), its environment (downward API
// included) and its command. It runs the rendered start script with the
// host's sh, so the script's identity logic is under test; only the
// image's launchers ($ROCKETMQ_HOME/bin/mqnamesrv, mqbroker, mqcontroller,
// mqproxy) and getent are stubs. A launcher stub records how the script
// called it, and the runtime starts the matching emulated process of
// pkg/admin/rmqtest on the pod IP with the config file the script wrote.
// The pod turns Ready when its readiness probe's port accepts a
// connection, and the process stops when the pod is deleted.
//
// Absolute paths of the container (mount paths, ROCKETMQ_HOME) are
// rewritten to per-pod directories in the script and the environment; no
// chroot or mount namespace is needed.
//
// Cluster DNS names resolve through Resolver, from the API server's Pods
// and Services as CoreDNS's kubernetes plugin answers them; nothing asks a
// DNS server.
package podruntime
