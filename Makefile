# Spillway: build, test, verify.
#   make demo    what-if report of a bundled Azure Functions day on the minimal cluster
#   make test    all tests (unit, framework, fuzz seeds, real kube-apiserver e2e) with -race
#   make build   bin/spillway-scheduler
#   make verify  gofmt, go vet, staticcheck
#   make e2e     only the end-to-end tests against a real kube-apiserver
#   make bench   benchmarks (./bench, real scheduler): median table, ratios, targets
#   make fuzz    every fuzz target within FUZZ_BUDGET seconds (default 900)

GO        ?= go
BIN       ?= bin
K8S_VER   := v1.34.10
REV       := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY     := $(shell git diff --quiet HEAD 2>/dev/null || echo .dirty)
VERSION   ?= $(K8S_VER)+spillway.$(REV)$(DIRTY)
LDFLAGS   := -s -w \
	-X k8s.io/component-base/version.gitVersion=$(VERSION) \
	-X k8s.io/component-base/version.gitCommit=$(shell git rev-parse HEAD 2>/dev/null) \
	-X k8s.io/component-base/version.buildDate=$(shell date -u +%Y-%m-%dT%H:%M:%SZ)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.6.1
TEST_FLAGS  ?= -race -timeout 25m

.PHONY: all build demo test e2e verify fuzz bench clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/spillway-scheduler ./cmd/spillway-scheduler
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/spillway ./cmd/spillway

# A day of the Azure Functions 2019 trace (100 functions, bundled), each
# function instance serving up to 10 invocations at once, through the
# what-if scenarios on the minimal cluster.
DEMO_SET   := simulator/traces/azure-functions-2019/day1-100-functions
DEMO_OUT   ?= $(BIN)/demo
demo:
	$(GO) build -o $(BIN)/spillway ./cmd/spillway
	@mkdir -p $(DEMO_OUT)
	$(BIN)/spillway import azure-functions $(DEMO_SET) --target-concurrency 10 --out $(DEMO_OUT)/azure-day1-100.jsonl
	$(BIN)/spillway whatif --trace $(DEMO_OUT)/azure-day1-100.jsonl --out $(DEMO_OUT)/whatif \
	  --title "Spillway what-if: Azure Functions 2019, day 1, 100 functions"

# The race detector slows the simulator ~10x, so its 1-million-event
# constant-memory test runs a second time without it, at full size, as do
# the memory tests of the HTTP clients' streaming decoders.
# test/e2e writes its measurements (RESULT lines) to E2E_RESULTS: go test
# shows no output of a passing package, so they are printed at the end.
E2E_RESULTS := $(CURDIR)/$(BIN)/e2e-results.txt
test:
	@mkdir -p $(BIN); rm -f $(E2E_RESULTS)
	SPILLWAY_E2E_RESULTS=$(E2E_RESULTS) $(GO) test $(TEST_FLAGS) ./...
	$(GO) test -count=1 -run '^TestConstantMemory$$' ./simulator/
	$(GO) test -count=1 -run 'MemoryBounded$$' ./plugins/internal/promhistory/ ./cost/pricesource/...
	@cat $(E2E_RESULTS) 2>/dev/null || true

e2e:
	$(GO) test $(TEST_FLAGS) -count=1 -v ./test/e2e/...

# Every fuzz target (15 in 13 packages; their seeds always run in `make
# test`) within FUZZ_BUDGET seconds in all (default 900 = 15 min):
# hack/fuzz.sh compiles each package's instrumented test binary once (go
# test -c -fuzz=.), then runs its targets one after another from it, each
# for an equal share of what the budget has left after the builds (at
# least FUZZ_MIN_SECONDS, 10). A cold build cache first builds the
# instrumented dependencies (kube-scheduler's, for ./plugins), which GOCACHE
# keeps; the script prints each build's time and the share per target.
# Measured on the 2-core machine: `make fuzz FUZZ_BUDGET=420` with a warm
# cache, 125 s of builds then 15 targets of 19 s, 424 s in all; the cold
# instrumented build of ./plugins alone took 38 min of wall time (10.7 min
# of CPU) with the machine shared by other jobs (load average 26).
FUZZ_BUDGET ?= 900
fuzz:
	FUZZ_BUDGET=$(FUZZ_BUDGET) BIN=$(BIN) GO=$(GO) hack/fuzz.sh

# Every Benchmark* of ./bench, BENCH_ROUNDS times, the rounds interleaved
# (each round runs all of them once, so spillway and default-scheduler,
# simulator and bare framework, take turns on the same noisy machine); then
# the real scheduler on the in-process kube-apiserver (its rounds
# interleave inside one run). benchstat's medians and confidence intervals
# go to $(BENCH_OUT)/benchstat.txt; benchtable prints the short table.
BENCHSTAT    := golang.org/x/perf/cmd/benchstat@v0.0.0-20250813145418-2f7363a06fe1
BENCH_OUT    ?= $(BIN)/bench
BENCH_ROUNDS ?= 3
REAL_ROUNDS  ?= 2
BENCH_TIME   ?= 1s
BENCH_FILTER ?= .
bench:
	@mkdir -p $(BENCH_OUT)
	$(GO) test -c -o $(BENCH_OUT)/bench.test ./bench
	$(GO) build -o $(BENCH_OUT)/benchtable ./bench/cmd/benchtable
	@rm -f $(BENCH_OUT)/results.txt
	@for i in $$(seq $(BENCH_ROUNDS)); do \
	  echo "== round $$i of $(BENCH_ROUNDS)"; \
	  (cd bench && ../$(BENCH_OUT)/bench.test -test.run '^$$' -test.bench '$(BENCH_FILTER)' -test.benchtime $(BENCH_TIME) \
	    -test.benchmem) | tee -a $(BENCH_OUT)/results.txt | grep '^Benchmark' || exit 1; \
	done
	$(GO) test -count=1 -run '^$$' -bench RealScheduler -benchtime 1x -timeout 20m ./test/e2e/ -real-rounds=$(REAL_ROUNDS) \
	  | tee -a $(BENCH_OUT)/results.txt | grep '^Benchmark'
	sed 's/#[0-9]*//' $(BENCH_OUT)/results.txt | $(GO) run $(BENCHSTAT) - > $(BENCH_OUT)/benchstat.txt
	$(BENCH_OUT)/benchtable -workloads bench/workloads.yaml $(BENCH_OUT)/results.txt

verify:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

clean:
	rm -rf $(BIN)
