package stack

// AlertOptions configure this part of the local stack (owned by its issue).
type AlertOptions struct{}

// AlertParts is what this part adds to a running Stack.
type AlertParts struct{}
