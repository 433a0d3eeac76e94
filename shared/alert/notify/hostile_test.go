package notify

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A receiver that redirects must not count as one that took the notice.
// Go's client follows a 301/302/303 on a POST with a GET and no body, so
// a webhook behind an http→https redirect (or a hostile one) answered 200
// to a request that carried no alert: it fired, and nobody heard. And the
// client sends the previous URL as Referer, access token and all, to
// whatever host the redirect names.
func TestChannelsDoNotFollowRedirects(t *testing.T) {
	const token = "tok3n-s3cret"
	var elsewhere atomic.Int32
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		if strings.Contains(r.Header.Get("Referer"), token) {
			leaked.Store(true)
		}
		io.WriteString(w, `{"errcode":0,"code":0}`)
	}))
	defer other.Close()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect} {
		redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/landing", status)
		}))
		channels := map[string]Channel{
			"dingtalk": &DingTalk{URL: redirecting.URL + "/robot/send?access_token=" + token, Secret: "SECx"},
			"wecom":    &WeCom{URL: redirecting.URL + "/cgi-bin/webhook/send?key=" + token},
			"lark":     &Lark{URL: redirecting.URL + "/open-apis/bot/v2/hook/" + token},
			"webhook":  &Webhook{URL: redirecting.URL + "/hook?token=" + token, Client: &http.Client{}},
		}
		for name, ch := range channels {
			err := ch.Send(context.Background(), sample)
			var unknown *UnknownError
			if err == nil || errors.As(err, &unknown) || !strings.Contains(err.Error(), "HTTP 3") {
				t.Errorf("%s answered %d: err %v, want a failure (retried) naming the redirect", name, status, err)
			}
			if err != nil && strings.Contains(err.Error(), token) {
				t.Errorf("%s: the error quotes the token: %v", name, err)
			}
		}
		redirecting.Close()
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the redirect target was called %d times", n)
	}
	if leaked.Load() {
		t.Error("a robot's token reached the redirect target in the Referer header")
	}
}

// A request that never started (its context was already over) provably
// did not arrive: a failure, retried, not an unknown delivery (never
// retried), which would lose the notice.
func TestSendWithAnEndedContextIsAFailureNotAnUnknown(t *testing.T) {
	r := newRobot(t, `{"errcode":0,"code":0}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, ch := range map[string]Channel{
		"dingtalk": &DingTalk{URL: r.srv.URL}, "wecom": &WeCom{URL: r.srv.URL},
		"lark": &Lark{URL: r.srv.URL}, "webhook": &Webhook{URL: r.srv.URL},
	} {
		err := ch.Send(ctx, sample)
		var unknown *UnknownError
		if err == nil || errors.As(err, &unknown) {
			t.Errorf("%s: err %v, want a plain failure", name, err)
		}
	}
}

// A receiver that answered 2xx has the notice, or may have: if its answer
// then stalls or breaks off, the delivery is unknown (never retried), not
// a failure, which the next run would send again: a page every minute.
func TestAnswerCutOffAfterA2xxIsUnknownNotAFailure(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"errcode":0,`)
		w.(http.Flusher).Flush()
		select { // stall until the sender gives up
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	client := &http.Client{Timeout: 200 * time.Millisecond}
	for name, ch := range map[string]Channel{
		"dingtalk": &DingTalk{URL: srv.URL, Client: client}, "wecom": &WeCom{URL: srv.URL, Client: client},
		"lark": &Lark{URL: srv.URL, Client: client}, "webhook": &Webhook{URL: srv.URL, Client: client},
	} {
		err := ch.Send(context.Background(), sample)
		var unknown *UnknownError
		if !errors.As(err, &unknown) {
			t.Errorf("%s: err %v, want an unknown delivery", name, err)
		}
	}
}

// A TLS handshake that fails (an expired or self-signed certificate, a
// plain-HTTP server behind an https:// URL) happens before any byte of
// the request is sent: the notice provably did not arrive and is retried,
// not taken for an unknown delivery, which is never retried: every notice
// of a misconfigured receiver would have been given up as "maybe sent".
func TestFailedTLSHandshakeIsAFailureNotAnUnknown(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":0,"code":0}`)
	}))
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":0,"code":0}`)
	}))
	defer plain.Close()
	for name, url := range map[string]string{
		"untrusted certificate": tlsSrv.URL,
		"plain HTTP server":     strings.Replace(plain.URL, "http://", "https://", 1),
	} {
		for chName, ch := range map[string]Channel{
			"dingtalk": &DingTalk{URL: url}, "wecom": &WeCom{URL: url}, "lark": &Lark{URL: url}, "webhook": &Webhook{URL: url},
		} {
			err := ch.Send(context.Background(), sample)
			var unknown *UnknownError
			if err == nil || errors.As(err, &unknown) {
				t.Errorf("%s, %s: err %v, want a plain failure (retried)", name, chName, err)
			}
		}
	}
}
