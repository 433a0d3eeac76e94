package stack

// ReceiptOptions configure this part of the local stack (owned by its issue).
type ReceiptOptions struct{}

// ReceiptParts is what this part adds to a running Stack.
type ReceiptParts struct{}
