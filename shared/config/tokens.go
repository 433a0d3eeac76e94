package config

import (
	"fmt"
)

// isSHA256Hex says whether h is how a token hash is written: 64 lower- or
// upper-case hex digits, nothing around them (no "  -" left over from
// sha256sum). A loop, not a regexp compiled at every cold start.
func isSHA256Hex(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := range len(h) {
		c := h[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// weakTokenHashes are hashes of tokens anybody can present: what a hash
// recipe produces when its variable is unset. Accepting one opens the door
// to everybody (issue 10.1).
var weakTokenHashes = map[string]string{
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855": "the empty string (printf %s \"$UNSET\" | sha256sum)",
	"01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b": "a lone newline (echo \"$UNSET\" | sha256sum)",
}

// LocalStackTokenSHA256 is the SHA-256 of the local stack's bearer token,
// which README.md publishes: it is refused unless Dysmsapi is on loopback.
const LocalStackTokenSHA256 = "c0dd54b6594398122a21b80f6dba0ab1a7c97fc75c03f9ec086f55c6899fd847"

// publishedReceiptsTokens are the hashes of the local stack's receipts
// push tokens, published in local/stack and docs/receipts.md: like the API
// token they open only a receipts function whose SLS is on loopback.
var publishedReceiptsTokens = map[string]bool{
	"a78bbec55e334ee99d0f050d462bf6fbe2bcc84e09e56a2704c210503f29bd68": true, // smsflow-local-receipts-token
	"0b94fdd7f3de83704f3c16dd2b9eb864cb3b047dfe36b05f5593702e010397d7": true, // smsflow-local-tencent-receipts-token
}

// refusePublished refuses the local stack's published receipts tokens
// outside the local stack.
func refusePublished(variable string, hashes []string, local bool) error {
	for i, h := range hashes {
		if publishedReceiptsTokens[toLowerHex(h)] && !local {
			return fmt.Errorf("%s entry %d is the hash of the local stack's published receipts token: anybody could push receipts; make a real token", variable, i+1)
		}
	}
	return nil
}

// CallerPrefixLen is how many hex digits of a token's hash name its caller
// in events ("token:c0dd54b6"); two configured tokens may not share them.
const CallerPrefixLen = 8

// validateTokenHashes refuses a list of token hashes that would let the
// wrong people in or make callers indistinguishable: malformed entries,
// the hash of an empty (or newline) token, duplicates, and two hashes
// that share the prefix events name callers by.
func validateTokenHashes(variable string, hashes []string) error {
	seen := map[string]int{}
	for i, h := range hashes {
		if !isSHA256Hex(h) {
			return fmt.Errorf("%s entry %d is not a SHA-256 (64 hex characters, nothing else): make it with printf %%s \"$TOKEN\" | sha256sum and keep the first field", variable, i+1)
		}
		lower := toLowerHex(h)
		if what, weak := weakTokenHashes[lower]; weak {
			return fmt.Errorf("%s entry %d is the SHA-256 of %s: anybody could authenticate; make a real token", variable, i+1, what)
		}
		if j, dup := seen[lower[:CallerPrefixLen]]; dup {
			return fmt.Errorf("%s entries %d and %d are the same token, or share their first %d hex digits (which name the caller in events): make a new token", variable, j, i+1, CallerPrefixLen)
		}
		seen[lower[:CallerPrefixLen]] = i + 1
	}
	return nil
}

func toLowerHex(h string) string {
	b := []byte(h)
	for i, c := range b {
		if c >= 'A' && c <= 'F' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
