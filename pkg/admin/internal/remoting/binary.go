package remoting

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// encodeBinaryHeader writes the ROCKETMQ header layout of
// RocketMQSerializable.rocketMQProtocolEncode: short code, byte language,
// short version, int opaque, int flag, int remark length + remark, int
// extFields length + (short key length, key, int value length, value)*.
// Java iterates a HashMap; keys are sorted here so output is reproducible.
func encodeBinaryHeader(cmd *Command) []byte {
	out := make([]byte, 0, 64)
	out = binary.BigEndian.AppendUint16(out, uint16(int16(cmd.Code)))
	out = append(out, languageByte(cmd.Language))
	out = binary.BigEndian.AppendUint16(out, uint16(int16(cmd.Version)))
	out = binary.BigEndian.AppendUint32(out, uint32(cmd.Opaque))
	out = binary.BigEndian.AppendUint32(out, uint32(int32(cmd.Flag)))
	out = binary.BigEndian.AppendUint32(out, uint32(len(cmd.Remark)))
	out = append(out, cmd.Remark...)
	keys := make([]string, 0, len(cmd.ExtFields))
	for k := range cmd.ExtFields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ext []byte
	for _, k := range keys {
		v := cmd.ExtFields[k]
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(k)))
		ext = append(ext, k...)
		ext = binary.BigEndian.AppendUint32(ext, uint32(len(v)))
		ext = append(ext, v...)
	}
	out = binary.BigEndian.AppendUint32(out, uint32(len(ext)))
	return append(out, ext...)
}

// binReader reads big-endian fields with bounds checks; the first failure
// sticks so callers check err once.
type binReader struct {
	b   []byte
	err error
}

func (r *binReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("%w: binary header needs %d bytes, %d left", ErrMalformed, n, len(r.b))
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *binReader) u16() int {
	if v := r.take(2); v != nil {
		return int(binary.BigEndian.Uint16(v))
	}
	return 0
}

func (r *binReader) i32() int32 {
	if v := r.take(4); v != nil {
		return int32(binary.BigEndian.Uint32(v))
	}
	return 0
}

func (r *binReader) str(n int) string { return string(r.take(n)) }

// decodeBinaryHeader is the inverse of encodeBinaryHeader
// (RocketMQSerializable.rocketMQProtocolDecode).
func decodeBinaryHeader(h []byte) (*Command, error) {
	r := &binReader{b: h}
	cmd := &Command{}
	cmd.Code = int(int16(r.u16()))
	if lang := r.take(1); lang != nil {
		cmd.Language = languageName(lang[0])
	}
	cmd.Version = int(int16(r.u16()))
	cmd.Opaque = r.i32()
	cmd.Flag = int(r.i32())
	cmd.Remark = r.str(int(r.i32()))
	ext := &binReader{b: r.take(int(r.i32()))}
	if r.err != nil {
		return nil, r.err
	}
	for len(ext.b) > 0 && ext.err == nil {
		k := ext.str(ext.u16())
		v := ext.str(int(ext.i32()))
		if cmd.ExtFields == nil {
			cmd.ExtFields = make(map[string]string)
		}
		cmd.ExtFields[k] = v
	}
	if ext.err != nil {
		return nil, ext.err
	}
	return cmd, nil
}
