package admin_test

import (
	"errors"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// Known answer computed outside Go from AclClientRPCHook's algorithm:
// values of the sorted extFields (AccessKey=rocketmq2, topic=TopicTest)
// concatenated, then the body, HmacSHA1 with key "12345678", Base64:
//
//	python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"12345678",b"rocketmq2TopicTest{}",hashlib.sha1).digest()).decode())'
func TestSignatureKnownAnswer(t *testing.T) {
	ext := map[string]string{"topic": "TopicTest", "AccessKey": "rocketmq2", "Signature": "ignored"}
	got := admin.Signature(ext, []byte("{}"), "12345678")
	if got != aclKnownAnswer {
		t.Fatalf("signature = %s, want %s", got, aclKnownAnswer)
	}
}

func TestACL(t *testing.T) {
	e := newEnv(t, func(o *rmqtest.BrokerOptions) { o.Auth = &rmqtest.Auth{AccessKey: "rocketmq2", SecretKey: "12345678"} })
	ctx := ctxT(t)
	good := admin.New(admin.Options{Credentials: &admin.Credentials{AccessKey: "rocketmq2", SecretKey: "12345678"}})
	defer func() { _ = good.Close() }()
	if err := good.CreateTopic(ctx, e.a.Addr(), admin.NewTopicConfig("signed")); err != nil {
		t.Fatalf("signed request refused: %v", err)
	}
	if err := good.UpdateBrokerConfig(ctx, e.a.Addr(), map[string]string{"deleteWhen": "03"}); err != nil {
		t.Fatalf("signed request with a body refused: %v", err)
	}
	for _, c := range []struct {
		name   string
		client *admin.Client
		remark string
	}{
		{"unsigned", e.client, "username cannot be null."},
		{"wrong secret", admin.New(admin.Options{Credentials: &admin.Credentials{AccessKey: "rocketmq2", SecretKey: "nope"}}), "check signature failed."},
		{"unknown user", admin.New(admin.Options{Credentials: &admin.Credentials{AccessKey: "who", SecretKey: "12345678"}}), "User:who is not found."},
	} {
		err := c.client.CreateTopic(ctx, e.a.Addr(), admin.NewTopicConfig("refused"))
		var re *admin.ResponseError
		if !errors.Is(err, admin.ErrNoPermission) || !errors.As(err, &re) || re.Remark != c.remark {
			t.Errorf("%s: got %v, want NO_PERMISSION %q", c.name, err, c.remark)
		}
		if c.client != e.client {
			_ = c.client.Close()
		}
	}
	if _, ok := e.a.Topics()["refused"]; ok {
		t.Fatal("a refused request was applied")
	}
}

const aclKnownAnswer = "2tcgq9a1Ni0V2qxMw5ypVhcYG+w="
