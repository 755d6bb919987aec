package admin

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"sort"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// ACL extension field names (SessionCredentials).
const (
	fieldAccessKey     = "AccessKey"
	fieldSecurityToken = "SecurityToken"
	fieldSignature     = "Signature"
)

// sign adds AccessKey, SecurityToken and Signature like
// AclClientRPCHook.doBeforeRequest: the signed bytes are the values of all
// extFields (AccessKey included) in key order, Signature excluded, followed
// by the body (AclUtils.combineRequestContent); the signature is
// Base64(HmacSHA1(secretKey, bytes)) (AclSigner).
func sign(cmd *remoting.Command, cred *Credentials) {
	cmd.ExtFields[fieldAccessKey] = cred.AccessKey
	if cred.SecurityToken != "" {
		cmd.ExtFields[fieldSecurityToken] = cred.SecurityToken
	}
	delete(cmd.ExtFields, fieldSignature)
	cmd.ExtFields[fieldSignature] = Signature(cmd.ExtFields, cmd.Body, cred.SecretKey)
}

// Signature computes the ACL signature of a request's extFields and body.
// It is exported so the emulator verifies requests with the same algorithm.
func Signature(extFields map[string]string, body []byte, secretKey string) string {
	keys := make([]string, 0, len(extFields))
	for k := range extFields {
		if k != fieldSignature {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	mac := hmac.New(sha1.New, []byte(secretKey))
	for _, k := range keys {
		mac.Write([]byte(extFields[k]))
	}
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
