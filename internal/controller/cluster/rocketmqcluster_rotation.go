package cluster

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fanout"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Reasons of the rotation to spec.acl.nextAdminSecretRef.
const (
	// ReasonCredentialsRotating: some broker pod does not accept the next
	// admin user yet (Progressing, and the condition's False reason).
	ReasonCredentialsRotating = "AdminCredentialsRotating"
	// ReasonCredentialsAccepted: every broker pod accepts it (the
	// condition's True reason and the Event).
	ReasonCredentialsAccepted = "NextAdminCredentialsAccepted"
	// ReasonCredentialsRefused: the next Secret cannot be used as it is
	// (unreadable, or the same username as the current admin).
	ReasonCredentialsRefused = "NextAdminCredentialsRefused"
)

// rotationRecheck is how soon a rotation that is not done looks again: a
// broker pod restarting in the roll that usually accompanies it comes back
// within seconds to minutes, and no pod event says when its user store is
// readable.
const rotationRecheck = 5 * time.Second

// syncNextAdmin makes every broker pod of the desired groups accept the
// user of spec.acl.nextAdminSecretRef, signing as the current admin (cl,
// with cur's credentials):
// it creates the user as Super where it is missing and updates its
// password, type or status where they differ, so a converged cluster gets
// reads only. Pods read only adminSecretRef, so while this runs nothing
// signs with the next credentials; once the condition is True the user
// points adminSecretRef at the next Secret and every pod rolls onto
// credentials every broker already accepts. It returns when to look again.
func (r *Reconciler) syncNextAdmin(ctx context.Context, c, want *v1alpha1.RocketMQCluster, o *observed,
	cl AdminClient, cur *admin.Credentials, st *v1alpha1.RocketMQClusterStatus, h *health, act bool) (time.Duration, error) {
	next := want.Spec.ACL.NextAdminSecretRef
	if !want.Spec.ACL.Enabled || next == nil {
		st.ACL = nil
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionNextAdminCredentialsAccepted)
		return 0, nil
	}
	if !act {
		return 0, nil // the spec or the current Secret is unusable: already Degraded
	}
	creds, rv, err := r.secretCredentials(ctx, want.Namespace, next)
	if err != nil {
		r.refuseNext(c, st, h, next.Name, "", err.Error())
		return 0, err
	}
	if cur != nil && cur.AccessKey == creds.AccessKey {
		r.refuseNext(c, st, h, next.Name, rv, fmt.Sprintf("Secret %s has the same username %q as adminSecretRef's: "+
			"ACL 2.0 keeps one password per user, so changing it would lock out every pod still signing with the old one; "+
			"give the next admin a new username", next.Name, creds.AccessKey))
		return 0, nil
	}
	pending := r.acceptNextAdmin(ctx, want, o, cl, creds)
	was := st.ACL
	st.ACL = &v1alpha1.ACLStatus{
		NextAdminSecret: v1alpha1.SecretVersion{Name: next.Name, ResourceVersion: rv},
		NextAdminUser:   creds.AccessKey,
		Accepted:        len(pending) == 0,
		PendingBrokers:  pending,
	}
	if len(pending) > 0 {
		msg := fmt.Sprintf("%d broker pods do not accept user %q of Secret %s yet: %s",
			len(pending), creds.AccessKey, next.Name, strings.Join(pending, "; "))
		h.progress(ReasonCredentialsRotating, msg)
		setNextCondition(st, c.Generation, false, ReasonCredentialsRotating, msg)
		return rotationRecheck, nil
	}
	msg := fmt.Sprintf("every broker pod accepts user %q of Secret %s (resourceVersion %s): point spec.acl.adminSecretRef at it and remove nextAdminSecretRef",
		creds.AccessKey, next.Name, rv)
	setNextCondition(st, c.Generation, true, ReasonCredentialsAccepted, msg)
	if was == nil || !was.Accepted || was.NextAdminSecret != st.ACL.NextAdminSecret {
		r.event(c, corev1.EventTypeNormal, ReasonCredentialsAccepted, "RotateCredentials", msg)
	}
	return 0, nil
}

// refuseNext reports a next Secret that cannot be used; it needs a human.
func (r *Reconciler) refuseNext(c *v1alpha1.RocketMQCluster, st *v1alpha1.RocketMQClusterStatus, h *health, name, rv, msg string) {
	h.degrade(ReasonCredentialsRefused, msg)
	st.ACL = &v1alpha1.ACLStatus{NextAdminSecret: v1alpha1.SecretVersion{Name: name, ResourceVersion: rv}}
	setNextCondition(st, c.Generation, false, ReasonCredentialsRefused, msg)
}

func setNextCondition(st *v1alpha1.RocketMQClusterStatus, gen int64, ok bool, reason, msg string) {
	s := metav1.ConditionFalse
	if ok {
		s = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: v1alpha1.ConditionNextAdminCredentialsAccepted,
		Status: s, Reason: reason, Message: msg, ObservedGeneration: gen})
}

// acceptNextAdmin brings the next admin user onto every desired broker pod,
// side by side, and lists the pods that do not accept it yet, with why.
func (r *Reconciler) acceptNextAdmin(ctx context.Context, want *v1alpha1.RocketMQCluster, o *observed,
	cl AdminClient, creds *admin.Credentials) []string {
	names := desiredBrokerPods(want)
	byName := map[string]*corev1.Pod{}
	for g := range o.brokers {
		for i := range o.brokers[g] {
			byName[o.brokers[g][i].Name] = &o.brokers[g][i]
		}
	}
	user := admin.UserInfo{Username: creds.AccessKey, Password: creds.SecretKey,
		UserType: admin.UserTypeSuper, UserStatus: admin.UserStatusEnable}
	why := make([]string, len(names))
	fanout.Each(len(names), fanout.Limit, func(i int) {
		p := byName[names[i]]
		switch {
		case p == nil:
			why[i] = "no pod"
		case !podReady(p) || brokerAddr(p) == "":
			why[i] = "not ready"
		default:
			if err := ensureUser(ctx, cl, brokerAddr(p), user); err != nil {
				why[i] = err.Error()
			}
		}
	})
	var pending []string
	for i, w := range why {
		if w != "" {
			pending = append(pending, names[i]+": "+w)
		}
	}
	return pending
}

// desiredBrokerPods names every broker pod the spec asks for, in group and
// ordinal order.
func desiredBrokerPods(want *v1alpha1.RocketMQCluster) []string {
	var out []string
	for g := int32(0); g < *want.Spec.Broker.Groups; g++ {
		for i := int32(0); i < *want.Spec.Broker.ReplicasPerGroup; i++ {
			out = append(out, want.BrokerGroupName(g)+"-"+strconv.Itoa(int(i)))
		}
	}
	return out
}

// ensureUser creates u on one broker, or updates it where it differs.
// Each broker keeps its own user store (LocalAuthenticationMetadataProvider,
// RocksDB on the broker's volume), so every pod, slaves included, is
// written.
func ensureUser(ctx context.Context, cl AdminClient, addr string, u admin.UserInfo) error {
	have, err := cl.GetUser(ctx, addr, u.Username)
	if err != nil {
		return err
	}
	switch {
	case have == nil:
		err = cl.CreateUser(ctx, addr, u)
		if errors.Is(err, admin.ErrUserExists) {
			err = cl.UpdateUser(ctx, addr, u) // created between the read and the write
		}
	case !have.Equal(u):
		err = cl.UpdateUser(ctx, addr, u)
	}
	return err
}
