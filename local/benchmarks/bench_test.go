package benchmarks

import (
	"context"
	"testing"
	"time"
)

func BenchmarkSlogEvent(b *testing.B) { SlogEvent(b) }
func BenchmarkZapEvent(b *testing.B)  { ZapEvent(b) }

// BenchmarkSendInProcess runs the in-process send path of `make bench`
// (real handler chain, emulators on loopback) for profiling:
//
//	go test -run XXX -bench SendInProcess -cpuprofile cpu.out ./local/benchmarks
func BenchmarkSendInProcess(b *testing.B) {
	bench := &Bench{Rounds: 1}
	defer bench.closeStack()
	st, err := bench.Stack(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	fn, timer, err := newInProcessSend(st.DysmsAddr, st.SLSAddr)
	if err != nil {
		b.Fatal(err)
	}
	var own, ship time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o, s, _, _, err := timer.invoke(fn, next())
		if err != nil {
			b.Fatal(err)
		}
		own, ship = own+o, ship+s
	}
	b.ReportMetric(float64(own.Microseconds())/float64(b.N), "own-µs/op")
	b.ReportMetric(float64(ship.Microseconds())/float64(b.N), "ship-µs/op")
}
