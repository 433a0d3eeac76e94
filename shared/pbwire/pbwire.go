// Package pbwire appends protocol buffer wire encoding: tags, varints,
// fixed-width numbers and length-delimited bytes. It is the part of
// google.golang.org/protobuf/encoding/protowire that smsflow's two
// encoders (SLS LogGroups in shared/slsput, OTLP spans in shared/obs)
// use, and its tests hold it to protowire byte for byte.
//
// Why not protowire itself: through its internal/errors it initialises
// internal/detrand, which opens and reads the running executable at every
// process start (a seed for randomised output formatting we never use):
// tens of microseconds of every cold start, measured by `make bench`
// (issue 10).
package pbwire

import (
	"encoding/binary"
	"math"
)

// Number is a field number.
type Number int32

// Type is a wire type.
type Type int8

// The wire types smsflow writes.
const (
	VarintType  Type = 0
	Fixed64Type Type = 1
	BytesType   Type = 2
	Fixed32Type Type = 5
)

// AppendTag appends the key of field num with wire type typ.
func AppendTag(b []byte, num Number, typ Type) []byte {
	return binary.AppendUvarint(b, uint64(num)<<3|uint64(typ&7))
}

// AppendVarint appends v as a base-128 varint.
func AppendVarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

// AppendFixed32 appends v little-endian in 4 bytes.
func AppendFixed32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// AppendFixed64 appends v little-endian in 8 bytes.
func AppendFixed64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// AppendBytes appends v with its length first.
func AppendBytes(b []byte, v []byte) []byte { return append(AppendVarint(b, uint64(len(v))), v...) }

// AppendString appends s with its length first.
func AppendString(b []byte, s string) []byte { return append(AppendVarint(b, uint64(len(s))), s...) }

// SizeVarint is the length of v's varint.
func SizeVarint(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// SizeTag is the length of field num's key.
func SizeTag(num Number) int { return SizeVarint(uint64(num) << 3) }

// SizeBytes is the length of n bytes with their length first.
func SizeBytes(n int) int { return SizeVarint(uint64(n)) + n }

// SizeFixed32 is 4.
func SizeFixed32() int { return 4 }

// The Consume functions parse what the Append functions write, from the
// start of b. A negative length says b holds no valid value there
// (truncated, a varint over 64 bits, a field number out of range).

// ConsumeVarint parses a varint: its value and length.
func ConsumeVarint(b []byte) (uint64, int) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, -1
	}
	return v, n
}

// ConsumeTag parses a field's key: its number (1 to 2^31-1), wire type
// and length.
func ConsumeTag(b []byte) (Number, Type, int) {
	v, n := ConsumeVarint(b)
	if n < 0 || v>>3 < 1 || v>>3 > math.MaxInt32 {
		return 0, 0, -1
	}
	return Number(v >> 3), Type(v & 7), n
}

// ConsumeBytes parses length-delimited bytes: the bytes (within b) and
// the length of the whole.
func ConsumeBytes(b []byte) ([]byte, int) {
	m, n := ConsumeVarint(b)
	if n < 0 || m > uint64(len(b)-n) {
		return nil, -1
	}
	return b[n : n+int(m)], n + int(m)
}

// ConsumeFieldValue is the length of a value of wire type typ. Groups
// (deprecated, absent from proto3) are refused, as is any other type.
func ConsumeFieldValue(typ Type, b []byte) int {
	switch typ {
	case VarintType:
		_, n := ConsumeVarint(b)
		return n
	case Fixed32Type:
		if len(b) < 4 {
			return -1
		}
		return 4
	case Fixed64Type:
		if len(b) < 8 {
			return -1
		}
		return 8
	case BytesType:
		_, n := ConsumeBytes(b)
		return n
	}
	return -1
}
