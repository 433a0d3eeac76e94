// Package sink is a local stand-in for the alert channels: it receives
// generic-webhook, DingTalk, WeCom and Lark robot POSTs, verifies the
// signatures it can, keeps them in memory and shows them on an HTML page
// and as JSON, so `make run` users watch alerts arrive and tests count them.
//
// Point the channels at it (SINK = its base URL):
//
//	webhook   SINK/webhook
//	dingtalk  SINK/dingtalk/robot/send?access_token=local
//	wecom     SINK/wecom/cgi-bin/webhook/send?key=local
//	lark      SINK/lark/open-apis/bot/v2/hook/local
package sink

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// Config gives the secrets the sink verifies with; an empty secret means
// the sink accepts unsigned requests on that route, as a robot with
// signing turned off does.
type Config struct {
	WebhookSecret  string
	DingTalkSecret string
	LarkSecret     string
	// Keep bounds memory: the oldest notifications are dropped (default 1000).
	Keep int
	Now  func() time.Time
}

// Notification is one received POST.
type Notification struct {
	Seq      int       `json:"seq"`
	Channel  string    `json:"channel"` // webhook | dingtalk | wecom | lark
	Received time.Time `json:"received"`
	// Accepted is false when the sink refused the request as the real
	// service would (bad signature, stale timestamp, bad body).
	Accepted bool   `json:"accepted"`
	Signed   bool   `json:"signed"`
	Error    string `json:"error,omitempty"`
	Title    string `json:"title,omitempty"`
	Text     string `json:"text"`
	Status   string `json:"status,omitempty"` // firing | resolved, webhook only
	Rule     string `json:"rule,omitempty"`   // webhook only
	ID       string `json:"id,omitempty"`     // notice id, webhook only
}

// Sink is the http.Handler.
type Sink struct {
	cfg  Config
	mux  *http.ServeMux
	mu   sync.Mutex
	seq  int
	kept []Notification
}

// Signature checks allow this much clock skew (robots allow an hour).
const (
	robotTolerance   = time.Hour
	webhookTolerance = 5 * time.Minute
)

// New returns a sink.
func New(cfg Config) *Sink {
	if cfg.Keep <= 0 {
		cfg.Keep = 1000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Sink{cfg: cfg, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /webhook", s.webhook)
	s.mux.HandleFunc("POST /dingtalk/robot/send", s.dingTalk)
	s.mux.HandleFunc("POST /wecom/cgi-bin/webhook/send", s.weCom)
	s.mux.HandleFunc("POST /lark/open-apis/bot/v2/hook/{token}", s.lark)
	s.mux.HandleFunc("GET /notifications", s.list)
	s.mux.HandleFunc("DELETE /notifications", s.clear)
	s.mux.HandleFunc("GET /{$}", s.page)
	return s
}

func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Notifications returns what was received, oldest first.
func (s *Sink) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.kept)
}

// Counts returns the number of accepted notifications per channel.
func (s *Sink) Counts() map[string]int {
	out := map[string]int{}
	for _, n := range s.Notifications() {
		if n.Accepted {
			out[n.Channel]++
		}
	}
	return out
}

func (s *Sink) add(n Notification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	n.Seq, n.Received = s.seq, s.cfg.Now()
	s.kept = append(s.kept, n)
	if over := len(s.kept) - s.cfg.Keep; over > 0 {
		s.kept = slices.Delete(s.kept, 0, over)
	}
}
