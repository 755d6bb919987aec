package remoting

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxFrameLength is the default frame limit of NettyDecoder
// (com.rocketmq.remoting.frameMaxLength, 16 MiB).
const MaxFrameLength = 16 << 20

// ErrFrameTooLarge is returned for frames above the configured limit.
var ErrFrameTooLarge = errors.New("remoting: frame exceeds the maximum length")

// ErrMalformed is returned for frames whose lengths or headers do not parse.
var ErrMalformed = errors.New("remoting: malformed frame")

// jsonHeader is RemotingCommand as fastjson serialises it: the getters in
// alphabetical order, null fields left out.
type jsonHeader struct {
	Code                    int               `json:"code"`
	ExtFields               map[string]string `json:"extFields,omitempty"`
	Flag                    int               `json:"flag"`
	Language                string            `json:"language"`
	Opaque                  int32             `json:"opaque"`
	Remark                  string            `json:"remark,omitempty"`
	SerializeTypeCurrentRPC string            `json:"serializeTypeCurrentRPC"`
	Version                 int               `json:"version"`
}

// Encode returns the whole frame for cmd: length, header-length mark,
// header (JSON or ROCKETMQ binary per cmd.SerializeType) and body.
func Encode(cmd *Command) ([]byte, error) {
	var header []byte
	switch cmd.SerializeType {
	case SerializeJSON:
		h, err := encodeJSONHeader(cmd)
		if err != nil {
			return nil, err
		}
		header = h
	case SerializeRocketMQ:
		header = encodeBinaryHeader(cmd)
	default:
		return nil, fmt.Errorf("%w: unknown serialize type %d", ErrMalformed, cmd.SerializeType)
	}
	total := 4 + len(header) + len(cmd.Body)
	if total > MaxFrameLength {
		return nil, fmt.Errorf("%w: %d bytes", ErrFrameTooLarge, total)
	}
	out := make([]byte, 8, 4+total)
	binary.BigEndian.PutUint32(out[0:4], uint32(total))
	binary.BigEndian.PutUint32(out[4:8], uint32(cmd.SerializeType)<<24|uint32(len(header))&0xFFFFFF)
	out = append(out, header...)
	return append(out, cmd.Body...), nil
}

func encodeJSONHeader(cmd *Command) ([]byte, error) {
	lang := cmd.Language
	if lang == "" {
		lang = "JAVA"
	}
	h := jsonHeader{
		Code: cmd.Code, ExtFields: cmd.ExtFields, Flag: cmd.Flag, Language: lang,
		Opaque: cmd.Opaque, Remark: cmd.Remark, SerializeTypeCurrentRPC: "JSON", Version: cmd.Version,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// fastjson does not escape <, > and &.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&h); err != nil {
		return nil, fmt.Errorf("encoding remoting header: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ReadCommand reads one frame from r. Frames longer than maxFrame (the
// length word's value) are refused before their body is read.
func ReadCommand(r io.Reader, maxFrame int) (*Command, error) {
	var lenBuf [4]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(lenBuf[:])
	if int64(n) > int64(maxFrame) {
		return nil, fmt.Errorf("%w: %d > %d bytes", ErrFrameTooLarge, n, maxFrame)
	}
	frame := make([]byte, n)
	if _, err := io.ReadFull(r, frame); err != nil {
		return nil, fmt.Errorf("reading frame of %d bytes: %w", n, err)
	}
	return Decode(frame)
}

// Decode parses a frame without its leading length word.
func Decode(frame []byte) (*Command, error) {
	if len(frame) < 4 {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the header-length word", ErrMalformed, len(frame))
	}
	mark := binary.BigEndian.Uint32(frame[0:4])
	serType := byte(mark >> 24)
	headerLen := int(mark & 0xFFFFFF)
	if headerLen > len(frame)-4 {
		return nil, fmt.Errorf("%w: header length %d exceeds frame of %d bytes", ErrMalformed, headerLen, len(frame))
	}
	header := frame[4 : 4+headerLen]
	var (
		cmd *Command
		err error
	)
	switch serType {
	case SerializeJSON:
		cmd, err = decodeJSONHeader(header)
	case SerializeRocketMQ:
		cmd, err = decodeBinaryHeader(header)
	default:
		return nil, fmt.Errorf("%w: unknown serialize type %d", ErrMalformed, serType)
	}
	if err != nil {
		return nil, err
	}
	cmd.SerializeType = serType
	if body := frame[4+headerLen:]; len(body) > 0 {
		cmd.Body = append([]byte(nil), body...)
	}
	return cmd, nil
}

func decodeJSONHeader(header []byte) (*Command, error) {
	var h jsonHeader
	if err := json.Unmarshal(header, &h); err != nil {
		return nil, fmt.Errorf("%w: JSON header: %w", ErrMalformed, err)
	}
	return &Command{
		Code: h.Code, Language: h.Language, Version: h.Version, Opaque: h.Opaque,
		Flag: h.Flag, Remark: h.Remark, ExtFields: h.ExtFields,
	}, nil
}
