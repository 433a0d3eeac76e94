# smsflow. `make run` starts the local stack, `make test` runs every test
# (what CI runs). Nothing here needs more than Go; see README.md.
SHELL := /bin/bash
GO ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
DIST := dist
# The alert function's rule file (docs/alerts.md), shipped next to its
# binary. Default: alert-rules.yaml at the repository root when it exists,
# else the alert function runs the rules embedded in it.
ALERT_RULES ?= $(wildcard alert-rules.yaml)

.PHONY: run test build bench drill lint clean provision chromium redis prometheus

run: prometheus
	$(GO) run ./local run

# The race detector needs cgo (gcc); where there is none, the tests still run.
RACE := $(shell command -v gcc >/dev/null 2>&1 && echo -race)

test: lint chromium redis prometheus
	$(GO) test -count=1 -timeout 15m ./...
	$(GO) test -count=1 -run XXX -bench . -benchtime 1x ./local/benchmarks
	$(GO) test -count=1 $(RACE) ./shared/...

build: $(FUNCTIONS:%=$(DIST)/%.zip)

# A static linux/amd64 binary named main (the go1 runtime's handler), zipped
# with main at the root: what s.yaml (the directory) and template.yaml (the
# zip) deploy. The alert function's package also holds its rule file, the
# send function's its template map.
$(DIST)/%.zip: FORCE
	@mkdir -p $(DIST)/$*
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(DIST)/$*/main ./functions/$*
	@# The template map (docs/providers.md) travels beside main (send, dispatch).
	@if [ $* = send ] || [ $* = dispatch ]; then cp functions/send/templates.yaml $(DIST)/$*/; fi
	$(GO) run ./local pack $(if $(and $(filter alert,$*),$(ALERT_RULES)),-rules $(ALERT_RULES)) $@ $(DIST)/$*

# Creates or updates, idempotently, the logstore index and the SLS dashboard
# (docs/operations.md). Target: SMSFLOW_SLS_ENDPOINT, _PROJECT, _LOGSTORE
# (or PROVISION_FLAGS); credentials: the credentials-go default chain.
provision:
	$(GO) run ./cmd/smsflow provision $(PROVISION_FLAGS)

# The dashboard page's test drives Debian's chromium headless.
chromium:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The idempotency tests run a real redis-server (shared/idem/redistest
# starts one per test on a free port); they fail without it.
redis:
	@command -v redis-server >/dev/null || (apt-get update && apt-get install -y redis-server)

# Debian's prometheus stands in for the SLS MetricStore (make run feeds it;
# local/metricsfeed's tests run the Grafana panels' PromQL on it and check
# the rule file with its promtool).
prometheus:
	@command -v prometheus >/dev/null || (apt-get update && apt-get install -y prometheus)

bench:
	$(GO) run ./local bench

# Every failure drill on fresh local stacks, and the scorecard
# (docs/operations.md, "Failure drills"); fails when a scenario does.
drill: redis
	$(GO) run ./local drill $(DRILL)

lint:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf $(DIST) .local-state

FORCE:
