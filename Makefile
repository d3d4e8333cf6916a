# CIFT Gateway. The two commands: `make run` and `make test`.
SWIFT ?= swift
CONFIG ?=
DATA_DIR ?=
RUN_ARGS := $(if $(CONFIG),--config $(CONFIG)) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

.PHONY: run test deps build build-debug perf fuzz clean

## run: install what is missing, build in release mode, start the gateway on the embedded default configuration
run: deps build
	.build/release/cift-gateway run $(RUN_ARGS)

# The randomized engine test compares this many random commands against the reference
# model (the test's own default is smaller, for quick local runs).
CIFT_RANDOM_COMMANDS ?= 2000000
export CIFT_RANDOM_COMMANDS

# Seconds each fuzz target runs: briefly in `make test` (six targets: about two minutes,
# three and a half with a first build on two cores), longer in `make fuzz`.
FUZZ_TEST_SECONDS ?= 15
FUZZ_SECONDS ?= 120

## test: install what is missing and run the whole test suite (Swift, then the hot-path
## tests again in a release build, then every fuzz target briefly, then the Python package)
test: deps
	$(SWIFT) build --build-tests
	scripts/run-tests.sh
	scripts/run-release-tests.sh
	scripts/run-fuzz.sh $(FUZZ_TEST_SECONDS)
	python/run-tests.sh

## fuzz: every libFuzzer target for FUZZ_SECONDS seconds each (fuzz/README.md)
fuzz: deps
	scripts/run-fuzz.sh $(FUZZ_SECONDS)

deps:
	@scripts/install-deps.sh

build:
	$(SWIFT) build -c release --product cift-gateway

build-debug:
	$(SWIFT) build

## perf: the benchmarks in perf/ (ring, matching, FIX codec, market data): prints the figures, then
## fails if an allocation count grew past perf/Thresholds; then the short latency comparison
## (cift-perf load: OUCH gateway vs TCP floor, FIX gateway vs QuickFIX vs floor, order -> ITCH
## Add Order, an open-loop run with the full order mix; about a minute,
## perf/scripts/load-compare.sh; the long run: perf/RESULTS.md), the threading modes side by
## side against issue 12's goals, with the idle gateway's CPU (perf/scripts/threading-compare.sh,
## about three minutes) and the market-data burst rates (perf/scripts/itch-perf.sh)
perf: deps
	cd perf && $(SWIFT) package --allow-writing-to-package-directory benchmark baseline update current --no-progress
	cd perf && $(SWIFT) package benchmark baseline read current
	cd perf && $(SWIFT) package benchmark thresholds check current
	perf/scripts/load-compare.sh
	perf/scripts/threading-compare.sh
	perf/scripts/tls-compare.sh
	perf/scripts/itch-perf.sh
	perf/scripts/signal-perf.sh

clean:
	rm -rf .build perf/.build fuzz/.build
