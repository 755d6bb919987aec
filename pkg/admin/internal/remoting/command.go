// Package remoting implements RocketMQ's remoting wire format: the frame
// codec of RemotingCommand (JSON and ROCKETMQ binary headers) and a decoder
// for the non-standard JSON that fastjson writes. Both the admin client and
// the in-process emulator use it, so the two sides cannot drift apart.
package remoting

// Serialize types, the high byte of the header-length word
// (org.apache.rocketmq.remoting.protocol.SerializeType).
const (
	SerializeJSON     byte = 0
	SerializeRocketMQ byte = 1
)

// Flag bits of RemotingCommand.flag (RPC_TYPE and RPC_ONEWAY).
const (
	FlagResponse = 1 << 0
	FlagOneway   = 1 << 1
)

// Command is one RemotingCommand: a request or a response.
type Command struct {
	Code      int
	Language  string
	Version   int
	Opaque    int32
	Flag      int
	Remark    string
	ExtFields map[string]string
	Body      []byte
	// SerializeType is how the header was (or is to be) serialised.
	SerializeType byte
}

// IsResponse reports whether the RPC_TYPE flag bit is set.
func (c *Command) IsResponse() bool { return c.Flag&FlagResponse != 0 }

// languageCodes maps LanguageCode names to their byte codes
// (org.apache.rocketmq.remoting.protocol.LanguageCode).
var languageCodes = []string{
	"JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER",
	"HTTP", "GO", "PHP", "OMS", "RUST",
}

func languageByte(name string) byte {
	for i, n := range languageCodes {
		if n == name {
			return byte(i)
		}
	}
	return 7 // OTHER
}

func languageName(code byte) string {
	if int(code) < len(languageCodes) {
		return languageCodes[code]
	}
	return "OTHER"
}
