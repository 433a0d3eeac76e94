package faults

import (
	"encoding/json"
	"testing"
	"time"
)

var testRules = Rules{
	Kinds:          []Kind{"boom", "slow"},
	LatencyKinds:   []Kind{"slow"},
	Actions:        []string{"Send", "Query"},
	DefaultActions: []string{"Send"},
}

func TestCountedFaultIsSpentAfterItsUses(t *testing.T) {
	l := NewList(testRules)
	if _, err := l.Add(Fault{Kind: "boom", Count: 2}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, ok := l.Take("Send", "boom"); !ok {
			t.Fatalf("use %d: not taken", i+1)
		}
	}
	if _, ok := l.Take("Send", "boom"); ok {
		t.Fatal("a fault with Count 2 fired a third time")
	}
	if n := len(l.All()); n != 0 {
		t.Fatalf("%d faults left armed", n)
	}
}

func TestUncountedFaultStaysUntilCleared(t *testing.T) {
	l := NewList(testRules)
	l.Add(Fault{Kind: "boom"})
	for i := 0; i < 5; i++ {
		if _, ok := l.Take("Send", "boom"); !ok {
			t.Fatalf("use %d: not taken", i+1)
		}
	}
	l.Clear()
	if _, ok := l.Take("Send", "boom"); ok {
		t.Fatal("taken after Clear")
	}
}

func TestActionScope(t *testing.T) {
	l := NewList(testRules)
	l.Add(Fault{Kind: "boom"})
	if _, ok := l.Take("Query", "boom"); ok {
		t.Fatal("a fault without an action hit a non-default action")
	}
	l.Add(Fault{Kind: "boom", Action: "*", Count: 1})
	if _, ok := l.Take("Query", "boom"); !ok {
		t.Fatal(`"*" did not hit Query`)
	}
	if _, ok := l.Take("Send", "slow"); ok {
		t.Fatal("a kind not asked for was taken")
	}
}

func TestValidation(t *testing.T) {
	l := NewList(testRules)
	for _, f := range []Fault{{Kind: "nope"}, {Kind: "slow"}, {Kind: "boom", Count: -1}, {Kind: "boom", Action: "Mail"}, {Kind: "boom", Latency: -time.Second}} {
		if _, err := l.Add(f); err == nil {
			t.Errorf("Add(%+v) accepted", f)
		}
	}
}

func TestAdminJSONRoundTrip(t *testing.T) {
	var f Fault
	if err := json.Unmarshal([]byte(`{"kind":"slow","latency":"1.5s","count":1}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.Latency != 1500*time.Millisecond {
		t.Fatalf("latency %s", f.Latency)
	}
	if err := json.Unmarshal([]byte(`{"kind":"slow","latncy":"1s"}`), &f); err == nil {
		t.Fatal("a misspelt field was accepted")
	}
	b, _ := json.Marshal(Fault{ID: 3, Kind: "slow", Latency: 2 * time.Second})
	if string(b) != `{"id":3,"kind":"slow","count":0,"latency":"2s","latency_ms":2000}` {
		t.Fatalf("marshal: %s", b)
	}
}

func TestFirstOnlyReservedNumberFiresOnceUntilReset(t *testing.T) {
	r := NewReservedNumbers(func(n string) (string, Reserved, bool) {
		switch n {
		case "+1", "1":
			return "1", Reserved{Kind: "boom", FirstOnly: true}, true
		case "2":
			return "2", Reserved{Kind: "boom"}, true
		}
		return "", Reserved{}, false
	})
	if k, ok := r.Take([]string{"9", "+1"}, "boom"); !ok || k != "boom" {
		t.Fatal("first use did not fire")
	}
	if _, ok := r.Take([]string{"1"}, "boom"); ok {
		t.Fatal("a first-only number fired twice (under another spelling)")
	}
	if _, ok := r.Take([]string{"2"}, "slow"); ok {
		t.Fatal("fired for a kind not asked for")
	}
	if _, ok := r.Take([]string{"2"}, "boom"); !ok {
		t.Fatal("an always-on number did not fire")
	}
	r.Reset()
	if _, ok := r.Take([]string{"1"}, "boom"); !ok {
		t.Fatal("Reset did not re-arm the first-only number")
	}
}
