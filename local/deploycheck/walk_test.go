package deploycheck

import (
	"go/parser"
	"go/token"
	"testing"
)

// programOf parses sources keyed by package path, as load does.
func programOf(t *testing.T, sources map[string]string) *program {
	t.Helper()
	p := &program{funcs: map[string][]funcRef{}, methods: map[string][]funcRef{}, consts: map[string]string{}}
	fset := token.NewFileSet()
	for pkg, src := range sources {
		f, err := parser.ParseFile(fset, pkg+".go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		p.add(pkg, f)
	}
	return p
}

// A method called on its own receiver reaches that type's method only: a
// "send" of an exporter must not make the function look as if it called
// what another package's "send" calls (it made receipts need
// dysms:SendSms). A method the type does not declare (promoted from an
// embedded field) still reaches every method of that name.
func TestACallOnTheReceiverReachesThatTypesMethodOnly(t *testing.T) {
	p := programOf(t, map[string]string{
		"smsflow/functions/f": `package main
import "smsflow/shared/obs"
func main() { var x obs.Exporter; x.Export() }`,
		"smsflow/shared/obs": `package obs
type Exporter struct{ Embedded }
func (x *Exporter) Export() { x.send(); x.promoted() }
func (x *Exporter) send() { x.client.PostSpans() }`,
		"smsflow/shared/sms": `package sms
type Sender struct{}
func (s *Sender) send() { s.client.SendSmsWithOptions() }
func (s *Sender) promoted() { s.client.QuerySendDetails() }`,
	})
	calls := p.walk("f").Calls
	if !calls["PostSpans"] {
		t.Fatalf("the exporter's own send was not followed: %v", calls)
	}
	if calls["SendSmsWithOptions"] {
		t.Errorf("x.send() on an exporter reached sms.Sender.send: %v", calls)
	}
	if !calls["QuerySendDetails"] {
		t.Errorf("a method the receiver's type does not declare must still reach every method of that name: %v", calls)
	}
}
