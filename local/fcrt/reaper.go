package fcrt

import (
	"context"
	"time"
)

// startReaperLocked starts the idle reaper once the pool has an instance.
func (p *Pool) startReaperLocked() {
	if p.reaping || p.idleTimeout < 0 {
		return
	}
	p.reaping = true
	go p.reap()
}

// reap stops instances that have been idle for longer than the idle
// timeout, as FC reclaims idle on-demand instances (conformance FC-04).
// It checks a few times per timeout, so an instance lives between one and
// 1.25 idle timeouts after its last invocation.
func (p *Pool) reap() {
	every := min(max(p.idleTimeout/4, 10*time.Millisecond), 30*time.Second)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-p.stopped:
			return
		case now := <-ticker.C:
			for _, inst := range p.takeIdle(now) {
				p.fn.Logger.Info("fc instance reclaimed after idling", "function", p.fn.Name,
					"instance", inst.id, "idle_timeout", p.idleTimeout)
				go p.retire(inst)
			}
		}
	}
}

// takeIdle removes from the pool the instances idle since before
// now - idleTimeout, holding their slot so that nothing is sent to them.
func (p *Pool) takeIdle(now time.Time) []*Instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	var idle []*Instance
	keep := p.instances[:0]
	for _, inst := range p.instances {
		if inst.idleFor(now) >= p.idleTimeout && p.trySlot(inst) {
			idle = append(idle, inst)
			p.retiring.Add(1)
			continue
		}
		keep = append(keep, inst)
	}
	clear(p.instances[len(keep):])
	p.instances = keep
	if len(idle) > 0 {
		p.notifyLocked()
	}
	return idle
}

func (p *Pool) trySlot(inst *Instance) bool {
	select {
	case inst.slot <- struct{}{}:
		return true
	default:
		return false
	}
}

// retire stops an instance taken out of the pool: preStop, then SIGKILL.
func (p *Pool) retire(inst *Instance) {
	defer p.retiring.Done()
	ctx, cancel := context.WithTimeout(context.Background(), inst.fn.PreStopTimeout+killWait)
	defer cancel()
	if err := inst.Stop(ctx); err != nil {
		p.fn.Logger.Warn("fc preStop failed on an idle instance", "function", p.fn.Name, "instance", inst.id, "err", err)
	}
}
