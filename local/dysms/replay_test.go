package dysms

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"smsflow/local/acs3"
)

// conformance: DY-05
func TestHandSignedRequestAcceptedOnceThenNonceRefused(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	first := signedACS3(t, addr, localPair, otpQuery("13912345678", "4821"), time.Now(), "nonce-1")
	if status, body := do(t, first); status != 200 || body["Code"] != "OK" {
		t.Fatalf("first use: %d %v", status, body)
	}
	again := signedACS3(t, addr, localPair, otpQuery("13912345678", "4821"), time.Now(), "nonce-1")
	status, body := do(t, again)
	if status != 400 || body["Code"] != "SignatureNonceUsed" {
		t.Fatalf("replayed nonce: %d %v, want 400 SignatureNonceUsed", status, body)
	}
	for _, field := range []string{"RequestId", "HostId", "Message", "Recommend"} {
		if body[field] == "" || body[field] == nil {
			t.Errorf("gateway error lacks %s: %v", field, body)
		}
	}
	if n := len(s.Messages()); n != 1 {
		t.Fatalf("%d messages, want only the first request's", n)
	}
}

// conformance: DY-05
func TestNonceRememberedForFifteenMinutes(t *testing.T) {
	clock := newFakeClock()
	_, addr := startEmulator(t, Options{Now: clock.Now})
	signedAt := clock.Now()
	do(t, signedACS3(t, addr, localPair, otpQuery("13912345678", "4821"), signedAt, "nonce-2"))
	clock.Advance(14 * time.Minute)
	// Same nonce, timestamp still within the window: must still be refused.
	status, body := do(t, signedACS3(t, addr, localPair, otpQuery("13912345679", "4821"), clock.Now(), "nonce-2"))
	if status != 400 || body["Code"] != "SignatureNonceUsed" {
		t.Fatalf("nonce reused after 14 min: %d %v", status, body)
	}
}

// conformance: DY-05
func TestStaleOrFutureDateRefused(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	for name, date := range map[string]time.Time{
		"16 min old":   time.Now().Add(-16 * time.Minute),
		"16 min ahead": time.Now().Add(16 * time.Minute),
	} {
		status, body := do(t, signedACS3(t, addr, localPair, otpQuery("13912345678", "4821"), date, "n-"+name))
		if status != 400 || body["Code"] != "InvalidTimeStamp.Expired" {
			t.Errorf("%s: %d %v, want 400 InvalidTimeStamp.Expired", name, status, body)
		}
	}
	status, body := do(t, signedACS3(t, addr, localPair, otpQuery("13912345678", "4821"), time.Now().Add(-14*time.Minute), "n-fresh"))
	if status != 200 || body["Code"] != "OK" {
		t.Errorf("14 min old: %d %v, want OK", status, body)
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// conformance: DY-03
func TestTamperedQueryFailsSignature(t *testing.T) {
	_, addr := startEmulator(t, Options{})
	r := signedACS3(t, addr, localPair, otpQuery("13912345678", "4821"), time.Now(), "n-tamper")
	q := r.URL.Query()
	q.Set("PhoneNumbers", "13900000000")
	r.URL.RawQuery = q.Encode()
	status, body := do(t, r)
	if status != 400 || body["Code"] != "SignatureDoesNotMatch" {
		t.Fatalf("tampered query: %d %v", status, body)
	}
}

// conformance: DY-05
func TestUnsignedNonceHeaderRefused(t *testing.T) {
	_, addr := startEmulator(t, Options{})
	r := signedACS3(t, addr, localPair, otpQuery("13912345678", "4821"), time.Now(), "n-x")
	// Re-sign without the nonce among the signed headers: replay protection
	// would be void, so the gateway refuses the signature outright.
	r.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential="+localPair.id+",SignedHeaders=host;x-acs-date,Signature=00")
	status, body := do(t, r)
	if status != 400 || body["Code"] != "IncompleteSignature" {
		t.Fatalf("%d %v, want 400 IncompleteSignature", status, body)
	}
}

// rpcSigned builds a classic RPC request (HMAC-SHA1 Signature parameter),
// the way older SDKs and the aliyun CLI send it.
func rpcSigned(addr string, cred credential, p url.Values, ts time.Time, nonce string) *http.Request {
	p.Set("Action", "SendSms")
	p.Set("Version", apiVersion)
	p.Set("Format", "JSON")
	p.Set("AccessKeyId", cred.id)
	p.Set("SignatureMethod", "HMAC-SHA1")
	p.Set("SignatureVersion", "1.0")
	p.Set("SignatureNonce", nonce)
	p.Set("Timestamp", ts.UTC().Format(acs3.TimestampLayout))
	if cred.token != "" {
		p.Set("SecurityToken", cred.token)
	}
	p.Set("Signature", rpcSignature(cred.secret, rpcStringToSign(http.MethodGet, p)))
	r, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/?"+p.Encode(), nil)
	return r
}

// conformance: DY-04
func TestRPCSignedRequests(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	status, body := do(t, rpcSigned(addr, localPair, otpQuery("13912345678", "4821"), time.Now(), "rpc-1"))
	if status != 200 || body["Code"] != "OK" || !bizIDPattern.MatchString(body["BizId"].(string)) {
		t.Fatalf("RPC-signed SendSms: %d %v", status, body)
	}
	status, body = do(t, rpcSigned(addr, localPair, otpQuery("13912345678", "4821"), time.Now(), "rpc-1"))
	if status != 400 || body["Code"] != "SignatureNonceUsed" {
		t.Errorf("RPC nonce reuse: %d %v", status, body)
	}
	bad := rpcSigned(addr, credential{localPair.id, "wrong", ""}, otpQuery("13912345678", "4821"), time.Now(), "rpc-2")
	if status, body = do(t, bad); status != 400 || body["Code"] != "SignatureDoesNotMatch" {
		t.Errorf("RPC wrong secret: %d %v", status, body)
	}
	stale := rpcSigned(addr, localPair, otpQuery("13912345678", "4821"), time.Now().Add(-20*time.Minute), "rpc-3")
	if status, body = do(t, stale); status != 400 || body["Code"] != "InvalidTimeStamp.Expired" {
		t.Errorf("RPC stale Timestamp: %d %v", status, body)
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}
