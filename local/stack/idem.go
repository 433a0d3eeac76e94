package stack

// IdemOptions configure this part of the local stack (owned by its issue).
type IdemOptions struct{}

// IdemParts is what this part adds to a running Stack.
type IdemParts struct{}
