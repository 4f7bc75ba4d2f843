# Spillway: build, test, verify.
#   make demo    what-if report of a bundled Azure Functions day on the minimal cluster
#   make test    all tests (unit, framework, fuzz seeds, real kube-apiserver e2e) with -race;
#                installs chromium and prometheus first when root (hack/test-deps.sh)
#   make build   bin/spillway-scheduler and bin/spillway, static (CGO_ENABLED=0)
#   make image   bin/spillway-scheduler-image.tar, the image, without a container engine
#   make verify  gofmt, go mod tidy -diff, go vet, staticcheck
#   make e2e     only the end-to-end tests against a real kube-apiserver
#   make bench   benchmarks (./bench, real scheduler): median table, ratios, targets
#   make fuzz    every fuzz target within FUZZ_BUDGET seconds (default 900)

GO        ?= go
BIN       ?= bin
K8S_VER   := v1.34.10
# git describe: the latest tag, commits since and the commit (just the
# commit while there is no tag), .dirty with uncommitted changes.
DESCRIBE  := $(shell git describe --tags --always --dirty=.dirty 2>/dev/null || echo unknown)
VERSION   ?= $(K8S_VER)+spillway.$(DESCRIBE)
LDFLAGS   := -s -w \
	-X k8s.io/component-base/version.gitVersion=$(VERSION) \
	-X k8s.io/component-base/version.gitCommit=$(shell git rev-parse HEAD 2>/dev/null) \
	-X k8s.io/component-base/version.buildDate=$(shell date -u +%Y-%m-%dT%H:%M:%SZ)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.6.1
TEST_FLAGS  ?= -race -timeout 25m

.PHONY: all build image demo test test-deps e2e quality verify fuzz bench clean

all: build

# Static binaries: no cgo, so they run on a distroless/static or scratch
# base (the image of `make image`).
build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/spillway-scheduler ./cmd/spillway-scheduler
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/spillway ./cmd/spillway

# The container image as a tarball (the `docker save` format: docker load,
# ctr images import, podman load, crane push), built by hack/image with
# go-containerregistry, no daemon: the static binaries of `make build` on an
# empty base, user 65532, entrypoint /spillway-scheduler, tagged
# $(IMAGE):latest and $(IMAGE):$(IMAGE_TAG) (VERSION with - for +, as tags
# allow no +). The Dockerfile builds the same with a container engine.
IMAGE     ?= ghcr.io/spillway-dev/spillway-scheduler
IMAGE_TAG ?= $(subst +,-,$(VERSION))
IMAGE_TAR ?= $(BIN)/spillway-scheduler-image.tar
image: build
	$(GO) run ./hack/image -out $(IMAGE_TAR) -repository $(IMAGE) -tag $(IMAGE_TAG) \
	  -binary $(BIN)/spillway-scheduler -binary $(BIN)/spillway \
	  -version=$(VERSION) -revision=$(shell git rev-parse HEAD 2>/dev/null) \
	  -created=$(shell git log -1 --format=%cI 2>/dev/null)

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
# the memory tests of the HTTP clients' streaming decoders; the
# decision-quality suite (spillway against vm-first and the fluid-oracle
# bound on ten traces) runs only without it.
quality:
	@mkdir -p $(BIN); $(GO) test -count=1 -v -run '^TestDecisionQuality$$' ./simulator/whatif/ > $(BIN)/quality.txt; rc=$$?; grep -E 'quality_test|^(---|ok|FAIL|PASS)' $(BIN)/quality.txt; exit $$rc

# test/e2e writes its measurements (RESULT lines) to E2E_RESULTS: go test
# shows no output of a passing package, so they are printed at the end.
E2E_RESULTS := $(CURDIR)/$(BIN)/e2e-results.txt
# hack/test-deps.sh installs (as root, with apt-get) or asks for chromium
# and prometheus; SPILLWAY_REQUIRE_TEST_TOOLS makes the tests that use them
# fail instead of skipping when they are missing.
test: test-deps
	@mkdir -p $(BIN); rm -f $(E2E_RESULTS)
	SPILLWAY_REQUIRE_TEST_TOOLS=1 SPILLWAY_E2E_RESULTS=$(E2E_RESULTS) $(GO) test $(TEST_FLAGS) ./...
	$(GO) test -count=1 -run '^TestConstantMemory$$' ./simulator/
	$(GO) test -count=1 -run 'MemoryBounded$$' ./plugins/internal/promhistory/ ./cost/pricesource/...
	@mkdir -p $(BIN); $(GO) test -count=1 -v -run '^TestDecisionQuality$$' ./simulator/whatif/ > $(BIN)/quality.txt; rc=$$?; grep -E 'quality_test|^(---|ok|FAIL|PASS)' $(BIN)/quality.txt; exit $$rc
	@cat $(E2E_RESULTS) 2>/dev/null || true

test-deps:
	@hack/test-deps.sh

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
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

clean:
	rm -rf $(BIN)
