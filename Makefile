# Lotse: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/lotse-project/lotse/internal/app.version=$(VERSION)

.PHONY: run test lint build image bench docs generate check-generated vendor check-go check-chromium clean

## run: start Lotse for development (local PostgreSQL, migrations, demo data) on http://127.0.0.1:8080, with the development variant cmd/lotse-dev
run: check-go
	$(GO) run ./cmd/lotse-dev dev

## test: the whole test suite on a real PostgreSQL (found or started by the harness), browser tests included
test: check-go check-chromium
	$(GO) test -race -count=1 -timeout 30m ./...

## lint: gofmt, go vet, staticcheck, check-generated, and Redocly's recommended rules (warnings too) on the OpenAPI description
lint: check-go check-generated node_modules/.package-lock.json
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true node_modules/.bin/redocly lint --config redocly.yaml internal/api/openapi.yaml

# The npm packages pinned in package-lock.json (Redocly CLI for make lint; make vendor installs
# them too). npm writes node_modules/.package-lock.json, so a changed lockfile reinstalls.
node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js 20.19 or newer (make lint runs the OpenAPI linter Redocly CLI from npm)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund

## bench: the load harness (lotse-dev bench) against a running Lotse at LOTSE_BASE_URL and its database LOTSE_DATABASE_URL, e.g. BENCH_FLAGS="--rate 50 --duration 60s" (docs/performance.md, "Load harness")
bench: check-go
	$(GO) run ./cmd/lotse-dev bench $(BENCH_FLAGS)

## docs: regenerate docs/permissions.md from policies/policy.csv, and docs/processing-record.md and docs/deletion-concept.md from the data catalogue (internal/privacy)
docs: check-go
	$(GO) run ./cmd/lotse policy matrix > docs/permissions.md
	$(GO) run ./cmd/lotse privacy record > docs/processing-record.md
	$(GO) run ./cmd/lotse privacy deletion > docs/deletion-concept.md

## generate: regenerate code from internal/api/openapi.yaml and the templ components in ui/components
generate: check-go
	$(GO) generate ./internal/api/ ./ui/components/

## check-generated: fail when api.gen.go or a *_templ.go differs from what `make generate` writes (the tree is not touched)
check-generated: check-go
	@grep -qx 'output: api.gen.go' internal/api/oapi-codegen.yaml || { echo "internal/api/oapi-codegen.yaml no longer writes api.gen.go: adjust check-generated"; exit 1; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && mkdir "$$tmp/components" && \
	  sed 's|^output: api.gen.go$$|output: '"$$tmp"'/api.gen.go|' internal/api/oapi-codegen.yaml > "$$tmp/oapi-codegen.yaml" && \
	  (cd internal/api && $(GO) tool oapi-codegen -config "$$tmp/oapi-codegen.yaml" openapi.yaml) && \
	  cp ui/components/*.templ "$$tmp/components/" && \
	  $(GO) tool templ generate -log-level error -path "$$tmp/components" && \
	  stale=$$(cmp -s "$$tmp/api.gen.go" internal/api/api.gen.go || echo internal/api/api.gen.go; \
	    for g in "$$tmp"/components/*_templ.go; do f=ui/components/$${g##*/}; cmp -s "$$g" "$$f" || echo "$$f"; done; \
	    for f in ui/components/*_templ.go; do [ -e "$$tmp/components/$${f##*/}" ] || echo "$$f"; done) && \
	  if [ -n "$$stale" ]; then echo "generated code is stale, run \`make generate\`:" $$stale; exit 1; fi

## vendor: install the front-end packages pinned in package-lock.json (npm ci) and copy the files Lotse serves into ui/static/vendor
vendor: check-go
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js (only needed to refresh ui/static/vendor)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	$(GO) run ./ui/internal/vendoring

## build: the production binary bin/lotse (no development identity provider, PostgreSQL starter or demo data)
build: check-go
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/lotse ./cmd/lotse

## image: the container image bin/lotse-image.tar (OCI layout, `docker load -i` takes it) from bin/lotse without a Docker daemon, the same image as deploy/Dockerfile (deploy/README.md)
image: build
	$(GO) run ./cmd/lotse-dev image --binary bin/lotse --out bin/lotse-image.tar \
	  --created "$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || echo 0)}" \
	  --revision "$$(git rev-parse HEAD 2>/dev/null)"

check-go:
	@command -v $(GO) >/dev/null 2>&1 || { echo "Go is missing: install Go 1.26 or newer (https://go.dev/dl/)"; exit 1; }

# The browser tests (internal/e2e) drive Debian's chromium; as root with apt it is installed.
check-chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium for the browser tests (apt-get install -y chromium)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } || exit 1; \
	else echo "chromium is missing for the browser tests: apt-get install chromium"; exit 1; fi

clean:
	rm -rf bin
