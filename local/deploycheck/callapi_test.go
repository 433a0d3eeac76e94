package deploycheck

import (
	"reflect"
	"testing"

	"smsflow/shared/release"
)

// Every exported method of the FC control API client calls one action
// through CallApi; a new one must be added to sdkActions, or a function
// reaching it would run with a role that lacks the action.
func TestEveryCallApiWrapperIsMapped(t *testing.T) {
	typ := reflect.TypeFor[*release.Client]()
	for i := range typ.NumMethod() {
		if name := typ.Method(i).Name; sdkActions[name] == "" {
			t.Errorf("release.Client.%s calls FC through CallApi but has no RAM action in sdkActions", name)
		}
	}
}
