package idem

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// Store is the idempotency store and send limiter. It is safe for
// concurrent use.
type Store struct {
	b         backend
	kind      string
	retention time.Duration
	lease     time.Duration
	now       func() time.Time
	written   lastWritten
	held      heldClaims
}

// heldClaims remembers the last record each claim of this process wrote
// while in flight, from Claim to Complete or Release: when the key has
// vanished by Complete (a Redis restarted without its data, a failover to
// a replica that never got it, an eviction), that record is what Complete
// stores the answer in, so a retry replays it instead of sending again.
type heldClaims struct {
	mu   sync.Mutex
	recs map[string]Record // by store key; the record names its token
}

// maxHeld bounds heldClaims: a claim is forgotten at Complete or Release,
// and an instance holds a few at a time (dispatch sends 4 side by side);
// the bound only stops claims left by failures from piling up.
const maxHeld = 1024

func (h *heldClaims) hold(key string, rec Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.recs == nil {
		h.recs = map[string]Record{}
	}
	if _, ok := h.recs[key]; !ok && len(h.recs) >= maxHeld {
		oldest := ""
		for k, r := range h.recs {
			if oldest == "" || r.ClaimedAt < h.recs[oldest].ClaimedAt {
				oldest = k
			}
		}
		delete(h.recs, oldest)
	}
	h.recs[key] = rec.clone()
}

// get answers the record the claim (key, token) last wrote, if held.
func (h *heldClaims) get(key, token string) (Record, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec, ok := h.recs[key]
	if !ok || rec.Token != token {
		return Record{}, false
	}
	return rec.clone(), true
}

// forget drops the claim (key, token); another claim of the key stays.
func (h *heldClaims) forget(key, token string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if rec, ok := h.recs[key]; ok && rec.Token == token {
		delete(h.recs, key)
	}
}

// lastWritten remembers the last record this process wrote, encoded and
// decoded: a request reads back its own claim twice (Begin, Complete), and
// decoding JSON was the costliest step of both. Bytes equal to what was
// written decode to what was written, so the memo is used only on an exact
// match; a record another writer changed is decoded as usual.
type lastWritten struct {
	mu  sync.Mutex
	key string
	raw []byte
	rec Record
}

func (w *lastWritten) remember(key string, raw []byte, rec Record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.key, w.raw, w.rec = key, raw, rec.clone()
}

// decode is decodeRecord(raw), from the memo when raw is what key last got.
func (w *lastWritten) decode(key string, raw []byte) (Record, error) {
	w.mu.Lock()
	if w.key == key && bytes.Equal(w.raw, raw) {
		rec := w.rec.clone()
		w.mu.Unlock()
		return rec, nil
	}
	w.mu.Unlock()
	return decodeRecord(raw)
}

// Kinds of store.
const (
	KindRedis  = "redis"
	KindMemory = "memory"
)

// Kind is "redis" or "memory".
func (s *Store) Kind() string { return s.kind }

// Shared reports whether every instance sees the same store. A memory store
// is per instance: it catches retries that reach the same instance only.
func (s *Store) Shared() bool { return s.kind == KindRedis }

// Retention is how long a stored answer is replayed.
func (s *Store) Retention() time.Duration { return s.retention }

// Ping checks the store answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.b.ping(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// Close releases the store's connections.
func (s *Store) Close() error { return s.b.close() }

// ClaimStatus says what Claim found.
type ClaimStatus int

const (
	// Claimed: the caller owns the key and must Complete or Release it.
	Claimed ClaimStatus = iota + 1
	// Replay: the key has a stored answer (Record.Result).
	Replay
	// InFlight: another request holds the key and its lease is running.
	InFlight
	// Mismatch: the key was used with another payload.
	Mismatch
)

func (c ClaimStatus) String() string {
	switch c {
	case Claimed:
		return "claimed"
	case Replay:
		return "replay"
	case InFlight:
		return "in_flight"
	case Mismatch:
		return "mismatch"
	}
	return "invalid"
}

// Claim is Claim's answer.
type Claim struct {
	Status ClaimStatus
	// Key is the store key (a hash) to Complete or Release.
	Key string
	// Token is the owner's token when Status is Claimed.
	Token string
	// Record is the record found (for Replay, InFlight, Mismatch).
	Record Record
}

// maxRaces bounds how often Claim re-reads a record that changed under it.
const maxRaces = 5

// Claim takes key (a hash from Keyer.Key) for the payload with fingerprint
// fp, or answers why the caller must not send.
func (s *Store) Claim(ctx context.Context, key, fp, traceID string) (Claim, error) {
	// One token for every try: a write whose reply was lost (the client
	// retries a timed-out command, which then finds the key) is recognised
	// as this claim's own instead of another request in flight.
	token := newToken()
	for range maxRaces {
		now := s.now()
		mine := Record{State: StateInFlight, Fingerprint: fp, Token: token, ClaimedAt: now.UnixMilli(),
			LeaseUntil: now.Add(s.lease).UnixMilli(), TraceID: traceID}
		raw := mine.encode()
		ok, err := s.b.setNX(ctx, key, raw, s.retention)
		if err != nil {
			s.takeBack(ctx, key, raw)
			return Claim{}, fmt.Errorf("%w: claim: %w", ErrUnavailable, err)
		}
		if ok {
			s.written.remember(key, raw, mine)
			s.held.hold(key, mine)
			return Claim{Status: Claimed, Key: key, Token: mine.Token}, nil
		}
		raw, found, err := s.b.get(ctx, key)
		if err != nil {
			return Claim{}, fmt.Errorf("%w: read claim: %w", ErrUnavailable, err)
		}
		if !found {
			continue // expired between the two calls: claim again
		}
		rec, err := decodeRecord(raw)
		if err != nil {
			return Claim{}, fmt.Errorf("idempotency record is not readable: %w", err)
		}
		switch {
		case rec.Token == token && rec.State == StateInFlight:
			s.held.hold(key, rec)
			return Claim{Status: Claimed, Key: key, Token: token}, nil
		case rec.Fingerprint != fp:
			return Claim{Status: Mismatch, Key: key, Record: rec}, nil
		case rec.State == StateDone:
			return Claim{Status: Replay, Key: key, Record: rec}, nil
		case rec.Leased(now):
			return Claim{Status: InFlight, Key: key, Record: rec}, nil
		}
		if !rec.Sending {
			// The owner vanished before it began sending: nothing left,
			// so the key is free for this request.
			mineRaw := mine.encode()
			swapped, err := s.b.swap(ctx, key, raw, mineRaw, s.retention)
			if err != nil {
				s.takeBack(ctx, key, mineRaw)
				return Claim{}, fmt.Errorf("%w: take over lapsed claim: %w", ErrUnavailable, err)
			}
			if swapped {
				s.held.hold(key, mine)
				return Claim{Status: Claimed, Key: key, Token: mine.Token}, nil
			}
			continue
		}
		// The owner's lease ran out after it began sending: it crashed, was
		// frozen or recycled mid-send. Whether the SMS left is unknown, so
		// record exactly that; it is never sent again automatically.
		abandoned := rec
		abandoned.State = StateDone
		abandoned.Result = &Result{Status: "unknown", Class: "ambiguous", Abandoned: true}
		swapped, err := s.b.swap(ctx, key, raw, abandoned.encode(), 0)
		if err != nil {
			return Claim{}, fmt.Errorf("%w: record abandoned claim: %w", ErrUnavailable, err)
		}
		if swapped {
			return Claim{Status: Replay, Key: key, Record: abandoned}, nil
		}
	}
	return Claim{}, fmt.Errorf("%w: the record kept changing during the claim", ErrUnavailable)
}

// takeBackTimeout bounds takeBack: it runs when the store is already
// failing, and must not hold the invocation much longer.
const takeBackTimeout = 500 * time.Millisecond

// takeBack deletes a claim this caller may have written although the write
// answered an error (a timeout whose write did land, retry included). Left
// there, it would read as a request in flight for a whole lease: every
// retry of a message nobody sent would get 409 (dispatch: EventBridge's
// retries all fail, and the batch ends in the dead-letter queue unsent).
// Only our own never-begun claim is deleted (compare-and-delete on its
// exact value), so this is always safe; if it fails too, the lease still
// frees the key. It runs even when ctx has ended, briefly.
func (s *Store) takeBack(ctx context.Context, key string, mine []byte) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), takeBackTimeout)
	defer cancel()
	_, _ = s.b.drop(ctx, key, mine)
}

// Begin marks the claim (key, token) as sending: call it right before the
// message goes to Alibaba. Until then a lapsed claim is simply free again;
// after it, a lapsed claim is an unknown outcome.
func (s *Store) Begin(ctx context.Context, key, token string) error {
	return s.update(ctx, key, token, func(r *Record) { r.Sending = true }, 0, false)
}

// update rewrites the claim (key, token) with change, atomically. When the
// key is gone, it fails, unless recreate is set and this process holds the
// claim: then it writes the changed record if the key is still absent (SET
// NX), never over a record that another request wrote meanwhile.
func (s *Store) update(ctx context.Context, key, token string, change func(*Record), ttl time.Duration, recreate bool) error {
	for range maxRaces {
		raw, found, err := s.b.get(ctx, key)
		if err != nil {
			return fmt.Errorf("%w: read claim: %w", ErrUnavailable, err)
		}
		if !found {
			rec, held := s.held.get(key, token)
			if !recreate || !held {
				return fmt.Errorf("idempotency claim vanished")
			}
			change(&rec)
			next := rec.encode()
			ok, err := s.b.setNX(ctx, key, next, ttl)
			if err != nil {
				return fmt.Errorf("%w: rewrite vanished claim: %w", ErrUnavailable, err)
			}
			if ok {
				s.written.remember(key, next, rec)
				return nil
			}
			continue // written meanwhile (by us, reply lost, or another request): read it again
		}
		rec, err := s.written.decode(key, raw)
		if err != nil {
			return fmt.Errorf("idempotency record is not readable: %w", err)
		}
		if rec.Token != token {
			return fmt.Errorf("idempotency claim belongs to another request")
		}
		change(&rec)
		next := rec.encode()
		ok, err := s.b.swap(ctx, key, raw, next, ttl)
		if err != nil {
			return fmt.Errorf("%w: update claim: %w", ErrUnavailable, err)
		}
		if ok {
			s.written.remember(key, next, rec)
			if rec.State == StateInFlight {
				s.held.hold(key, rec)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: the record kept changing", ErrUnavailable)
}

// Complete stores the answer of the claim (key, token) for the retention
// window. It also overwrites an unknown outcome recorded for the same claim
// after its lease ran out: a late true answer is better than unknown.
// When the key has vanished (the store lost it), the answer is stored all
// the same, in the record this process last wrote for the claim, if the
// key is still free: a retry then replays it instead of sending again. A
// key another request has claimed meanwhile is left to it (an error).
func (s *Store) Complete(ctx context.Context, key, token string, res Result) error {
	defer s.held.forget(key, token)
	return s.update(ctx, key, token, func(r *Record) { r.State, r.Result = StateDone, &res }, s.retention, true)
}

// Release gives up the claim (key, token): use it only when the message was
// provably not sent, so that a retry with the same key may send.
func (s *Store) Release(ctx context.Context, key, token string) error {
	s.held.forget(key, token)
	raw, found, err := s.b.get(ctx, key)
	if err != nil {
		return fmt.Errorf("%w: read claim: %w", ErrUnavailable, err)
	}
	if !found {
		return nil
	}
	rec, err := decodeRecord(raw)
	if err != nil {
		return fmt.Errorf("idempotency record is not readable: %w", err)
	}
	if rec.Token != token || rec.State != StateInFlight {
		return nil // not ours any more: leave it
	}
	if _, err := s.b.drop(ctx, key, raw); err != nil {
		return fmt.Errorf("%w: release claim: %w", ErrUnavailable, err)
	}
	return nil
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
