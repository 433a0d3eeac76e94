package obs

import "unsafe"

// arena is where events are built: their fields, and the text of the
// values that had to be formatted (times, numbers). A request's batch owns
// one, sized for the few events a request logs, so logging an event into a
// batch allocates nothing; the batch is one allocation per request.
//
// It is append-only, and that is what makes it safe: an event's fields are
// a capped sub-slice and its formatted values are strings over bytes that
// are never written again (append only writes past the length; when it
// grows, the old array, which earlier strings point into, stays as it was
// and the garbage collector keeps it while they live).
type arena struct {
	fields []Field
	text   []byte
}

// minArenaFields is the room a new chunk of fields gets at least.
const minArenaFields = 64

// begin makes room for about n more fields and returns where the event
// starts; end closes it.
func (a *arena) begin(n int) int {
	if cap(a.fields)-len(a.fields) < n {
		a.fields = make([]Field, 0, max(n, minArenaFields))
	}
	return len(a.fields)
}

// end returns the fields added since start, capped, so that nothing
// appended to the event can reach the next event's fields.
func (a *arena) end(start int) []Field {
	return a.fields[start:len(a.fields):len(a.fields)]
}

func (a *arena) add(key, value string) { a.fields = append(a.fields, Field{key, value}) }

// textSince returns the bytes appended to a.text since start as a string
// that shares them.
func (a *arena) textSince(start int) string {
	if len(a.text) == start {
		return ""
	}
	return unsafe.String(&a.text[start], len(a.text)-start)
}
