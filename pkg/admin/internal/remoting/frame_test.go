package remoting

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Wire fixtures: the bytes the Java RemotingCommand.encode() produces,
// worked out by hand from the source:
//   - RemotingCommand.encode writes int length (4 + header + body), then
//     markProtocolType(headerLen, type) = type<<24 | headerLen, header, body.
//   - JSON headers are RemotingSerializable.encode(this): fastjson's
//     toJSONString with getters sorted by name, nulls left out (remark,
//     extFields), enums by name; isOnewayRPC/getType/isResponseType are
//     serialize=false. The version is MQVersion.CURRENT_VERSION = 479 (V5_3_3).
//   - ROCKETMQ headers are RocketMQSerializable.rocketMQProtocolEncode:
//     short code, byte language (JAVA=0), short version, int opaque,
//     int flag, int remarkLen+remark, int extLen + (short kLen,k,int vLen,v)*.
var wireFixtures = []struct {
	name string
	hex  string
	cmd  Command
}{
	{
		// GET_ROUTEINFO_BY_TOPIC from a Java 5.3.3 client: header
		// GetRouteInfoRequestHeader{topic="TopicTest"}; the null
		// acceptStandardJsonOnly and RpcRequestHeader fields are not sent.
		// Header 131 bytes: length 0x87 = 4+131, mark 0x00000083.
		name: "json request GET_ROUTEINFO_BY_TOPIC",
		hex: "00000087" + "00000083" + hex.EncodeToString([]byte(
			`{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":479}`)),
		cmd: Command{Code: 105, Language: "JAVA", Version: 479, Opaque: 1, ExtFields: map[string]string{"topic": "TopicTest"}},
	},
	{
		// AdminBrokerProcessor.getTopicConfig for a missing topic:
		// createResponseCommand(null) has no custom header, so no extFields;
		// flag bit 0 (RPC_TYPE) marks the response. Header 141 bytes.
		name: "json response TOPIC_NOT_EXIST",
		hex: "00000091" + "0000008d" + hex.EncodeToString([]byte(
			`{"code":17,"flag":1,"language":"JAVA","opaque":7,"remark":"No topic in this broker. topic: T","serializeTypeCurrentRPC":"JSON","version":479}`)),
		cmd: Command{Code: 17, Language: "JAVA", Version: 479, Opaque: 7, Flag: 1, Remark: "No topic in this broker. topic: T"},
	},
	{
		// The same response from a broker run with
		// -Drocketmq.serialize.type=ROCKETMQ: mark 0x01000036 (type 1, 54
		// bytes): 0011 code, 00 JAVA, 01df version, 00000007 opaque,
		// 00000001 flag, 00000021 + 33 remark bytes, 00000000 no extFields.
		name: "binary response TOPIC_NOT_EXIST",
		hex: "0000003a" + "01000036" + "0011" + "00" + "01df" + "00000007" + "00000001" +
			"00000021" + hex.EncodeToString([]byte("No topic in this broker. topic: T")) + "00000000",
		cmd: Command{Code: 17, Language: "JAVA", Version: 479, Opaque: 7, Flag: 1, Remark: "No topic in this broker. topic: T", SerializeType: SerializeRocketMQ},
	},
	{
		// DefaultRequestProcessor.wipeWritePermOfBroker in binary: no remark
		// (int 0), extFields from WipeWritePermOfBrokerResponseHeader:
		// 00000015 bytes = short 000e "wipeTopicCount", int 00000001 "3".
		name: "binary response with extFields",
		hex: "0000002e" + "0100002a" + "0000" + "00" + "01df" + "00000009" + "00000001" + "00000000" +
			"00000015" + "000e" + hex.EncodeToString([]byte("wipeTopicCount")) + "00000001" + "33",
		cmd: Command{Code: 0, Language: "JAVA", Version: 479, Opaque: 9, Flag: 1, ExtFields: map[string]string{"wipeTopicCount": "3"}, SerializeType: SerializeRocketMQ},
	},
	{
		// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP carries its config in the body,
		// after the header (97 bytes); the length word 0x77 = 4+97+18 counts it.
		name: "json request with body",
		hex: "00000077" + "00000061" + hex.EncodeToString([]byte(
			`{"code":200,"flag":0,"language":"JAVA","opaque":3,"serializeTypeCurrentRPC":"JSON","version":479}`)) +
			hex.EncodeToString([]byte(`{"groupName":"g1"}`)),
		cmd: Command{Code: 200, Language: "JAVA", Version: 479, Opaque: 3, Body: []byte(`{"groupName":"g1"}`)},
	},
}

func TestWireFixturesDecodeAndReencode(t *testing.T) {
	for _, fx := range wireFixtures {
		t.Run(fx.name, func(t *testing.T) {
			raw, err := hex.DecodeString(fx.hex)
			if err != nil {
				t.Fatalf("bad fixture hex: %v", err)
			}
			got, err := ReadCommand(bytes.NewReader(raw), MaxFrameLength)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(*got, fx.cmd) {
				t.Fatalf("decoded\n%+v\nwant\n%+v", *got, fx.cmd)
			}
			again, err := Encode(got)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(again, raw) {
				t.Fatalf("re-encoded bytes differ\n got %x\nwant %x", again, raw)
			}
		})
	}
}

func TestReadCommandRefusesOversizedFrame(t *testing.T) {
	// Length word 16 MiB + 1: refused before any body byte is read.
	raw := []byte{0x01, 0x00, 0x00, 0x01}
	_, err := ReadCommand(bytes.NewReader(raw), MaxFrameLength)
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("got %v, want ErrFrameTooLarge", err)
	}
}

func TestEncodeRefusesOversizedFrame(t *testing.T) {
	_, err := Encode(&Command{Code: 1, Body: make([]byte, MaxFrameLength)})
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("got %v, want ErrFrameTooLarge", err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	cases := map[string]string{
		"short frame":          "0000",
		"header past end":      "00000010" + "7b7d",
		"unknown serialize":    "05000002" + "7b7d",
		"json not json":        "00000002" + "7b7b",
		"binary truncated":     "01000003" + "001100",
		"binary remark length": "0100000f" + "0011" + "00" + "01df" + "00000007" + "00000001" + "7fffffff",
		"binary ext truncated": "01000017" + "0011" + "00" + "01df" + "00000007" + "00000001" + "00000000" + "00000004" + "0009" + "6162",
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			raw, err := hex.DecodeString(h)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Decode(raw); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
}

func TestBinaryHeaderRoundTripUnicodeAndSignedCode(t *testing.T) {
	in := &Command{
		Code: -1, Language: "GO", Version: 317, Opaque: -5, Flag: 2,
		Remark: "ünïcode", ExtFields: map[string]string{"a": "", "k": "v"}, SerializeType: SerializeRocketMQ,
	}
	raw, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decode(raw[4:])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("got %+v, want %+v", out, in)
	}
}

func TestJSONHeaderDoesNotEscapeHTML(t *testing.T) {
	raw, err := Encode(&Command{Code: 1, Remark: "a<b>&c"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"remark":"a<b>&c"`) {
		t.Fatalf("remark escaped: %s", raw)
	}
}
