package api

import (
	"fmt"
	"net/http"
)

// refusal is the refusal of a body with a key given twice in one object,
// or nil. encoding/json keeps the last of two keys (and merges two
// objects), so {"sign_name":"a","sign_name":"b"} would send "b" while a
// reader that keeps the first (a proxy, an audit log, a WAF) sees "a". One
// message must read the same to everyone: such a body is refused.
func (s keyScan) refusal() *Error {
	if s.repeated == "" {
		return nil
	}
	path := safeName(s.repeated)
	return newError(http.StatusBadRequest, CodeRepeatedField, path,
		fmt.Sprintf("%s is given twice: each field may appear once", path))
}
