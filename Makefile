# make run    build the console and the binary, serve the demo zone on
#             http://127.0.0.1:8080 (SQLite ./tongxin.db; TONGXIN_* pass through)
# make test   build the console, run every test with the browser test required
#             (SQLite; PostgreSQL as well when TONGXIN_TEST_POSTGRES holds a DSN)
# make bench  load benchmarks of the real server over loopback HTTP
# make load   the zone-scale load benchmark (cmd/tongxin-load): SQLite, and
#             PostgreSQL too when TONGXIN_TEST_POSTGRES holds a DSN; results
#             in bench-output/load-<engine>.md (LOAD_FLAGS pass through)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

GO  ?= go
NPM ?= npm

.PHONY: run test bench load ui

# npm ci only when node_modules is missing or package-lock.json is newer than
# the last install (npm writes node_modules/.package-lock.json on every install).
ui:
	@if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then \
		echo "npm ci (web)"; cd web && $(NPM) ci --no-audit --no-fund; \
	fi
	cd web && $(NPM) run build

tongxin: ui
	$(GO) build -tags ui -o tongxin ./cmd/tongxin

run: tongxin
	exec ./tongxin serve --demo

# go test's own ok/FAIL lines are the last thing printed.
test: ui
	export TONGXIN_TEST_BROWSER=1; $(GO) test -tags ui -count=1 -timeout 40m ./...

bench:
	@mkdir -p bench-output
	$(GO) test -run '^$$' -bench . -benchtime 3s -timeout 20m ./internal/e2e/ | tee bench-output/bench.txt
	@awk -f scripts/bench-summary.awk bench-output/bench.txt

# Not part of make test: it takes minutes (a few more the first time, when
# it generates the zone; the database is kept in bench-output/load-db).
load:
	@mkdir -p bench-output
	$(GO) build -o bench-output/tongxin ./cmd/tongxin
	$(GO) build -o bench-output/tongxin-load ./cmd/tongxin-load
	./bench-output/tongxin-load --bin bench-output/tongxin $(LOAD_FLAGS)
