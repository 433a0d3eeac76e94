package benchmarks

import "testing"

func BenchmarkSlogEvent(b *testing.B) { SlogEvent(b) }
func BenchmarkZapEvent(b *testing.B)  { ZapEvent(b) }
