package pbwire

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// Every function writes what protowire writes, for values at every varint
// length boundary and beyond.
func FuzzIsProtowire(f *testing.F) {
	for _, v := range []uint64{0, 1, 127, 128, 16383, 16384, 1<<32 - 1, 1 << 32, 1<<63 - 1, 1 << 63, ^uint64(0)} {
		f.Add(v, int32(1), []byte("x"))
	}
	f.Add(uint64(300), int32(536870911), bytes.Repeat([]byte("y"), 300))
	f.Fuzz(func(t *testing.T, v uint64, num int32, data []byte) {
		num = num&0x1fffffff | 1 // a valid field number: 1 to 2^29-1
		n := Number(num)
		for _, typ := range []Type{VarintType, Fixed64Type, BytesType, Fixed32Type} {
			if got, want := AppendTag(nil, n, typ), protowire.AppendTag(nil, protowire.Number(num), protowire.Type(typ)); !bytes.Equal(got, want) {
				t.Fatalf("tag %d/%d: %x, protowire %x", num, typ, got, want)
			}
		}
		check := func(what string, got, want []byte) {
			if !bytes.Equal(got, want) {
				t.Fatalf("%s of %d: %x, protowire %x", what, v, got, want)
			}
		}
		check("varint", AppendVarint([]byte{9}, v), protowire.AppendVarint([]byte{9}, v))
		check("fixed32", AppendFixed32(nil, uint32(v)), protowire.AppendFixed32(nil, uint32(v)))
		check("fixed64", AppendFixed64(nil, v), protowire.AppendFixed64(nil, v))
		check("bytes", AppendBytes(nil, data), protowire.AppendBytes(nil, data))
		check("string", AppendString(nil, string(data)), protowire.AppendString(nil, string(data)))
		if SizeVarint(v) != protowire.SizeVarint(v) || SizeTag(n) != protowire.SizeTag(protowire.Number(num)) ||
			SizeBytes(len(data)) != protowire.SizeBytes(len(data)) || SizeFixed32() != protowire.SizeFixed32() {
			t.Fatalf("sizes of %d, %d, %d bytes differ from protowire's", v, num, len(data))
		}
	})
}

// Parsing any bytes agrees with protowire: the same values and lengths
// where protowire finds a value, a negative length where it does not.
// Groups are the one difference: protowire skips them, we refuse them.
func FuzzConsumeIsProtowire(f *testing.F) {
	for _, seed := range [][]byte{{}, {0x08, 0x96, 0x01}, {0x0a, 0x03, 'a', 'b', 'c'}, {0x80}, bytes.Repeat([]byte{0xff}, 11),
		append(bytes.Repeat([]byte{0xff}, 9), 0x01), append(bytes.Repeat([]byte{0xff}, 9), 0x02), {0x00}, {0x0d, 1, 2, 3}, {0x09, 1, 2, 3, 4, 5, 6, 7, 8}, {0x0b, 0x0c}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, n := ConsumeVarint(b)
		pv, pn := protowire.ConsumeVarint(b)
		if (n < 0) != (pn < 0) || n >= 0 && (v != pv || n != pn) {
			t.Fatalf("varint %x: %d,%d; protowire %d,%d", b, v, n, pv, pn)
		}
		num, typ, n := ConsumeTag(b)
		pnum, ptyp, pn := protowire.ConsumeTag(b)
		if (n < 0) != (pn < 0) || n >= 0 && (int32(num) != int32(pnum) || int8(typ) != int8(ptyp) || n != pn) {
			t.Fatalf("tag %x: %d,%d,%d; protowire %d,%d,%d", b, num, typ, n, pnum, ptyp, pn)
		}
		bs, n := ConsumeBytes(b)
		pbs, pn := protowire.ConsumeBytes(b)
		if (n < 0) != (pn < 0) || n >= 0 && (!bytes.Equal(bs, pbs) || n != pn) {
			t.Fatalf("bytes %x: %d; protowire %d", b, n, pn)
		}
		for _, ty := range []Type{VarintType, Fixed64Type, BytesType, Fixed32Type} {
			n, pn := ConsumeFieldValue(ty, b), protowire.ConsumeFieldValue(1, protowire.Type(ty), b)
			if (n < 0) != (pn < 0) || n >= 0 && n != pn {
				t.Fatalf("value of type %d in %x: %d; protowire %d", ty, b, n, pn)
			}
		}
	})
}
