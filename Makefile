# espo-ghl-sync — build, test and benchmark.
SWIFT ?= swift

.PHONY: build release test bench demo clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Where the tests record API exchanges for the contract checker, and the services it must see.
CONTRACT_LOG_DIR ?= $(CURDIR)/.build/contract
CONTRACT_SERVICES ?= ghl espo

# Builds every target (the tests launch the built store-crash-probe), runs every test while recording
# API exchanges, then checks those exchanges against the official OpenAPI specs. The tests that time
# serve's acknowledgements (each within a second) run after the others, alone on the machine.
ALONE ?= aBurstOfAThousand
test:
	$(SWIFT) build --build-tests
	rm -rf "$(CONTRACT_LOG_DIR)" && mkdir -p "$(CONTRACT_LOG_DIR)"
	CONTRACT_LOG_DIR="$(CONTRACT_LOG_DIR)" $(SWIFT) test --skip-build --skip "$(ALONE)"
	CONTRACT_LOG_DIR="$(CONTRACT_LOG_DIR)" $(SWIFT) test --skip-build --no-parallel --filter "$(ALONE)"
	python3 Tests/Contract/test_check.py
	python3 Tests/Contract/check.py $(foreach s,$(CONTRACT_SERVICES),--expect $(s)) "$(CONTRACT_LOG_DIR)"

# Not a test: measures ingest, the raw SQLite insert rate, plan time and peak RSS, GHL throughput, a
# contact's whole record, its tasks, notes and appointments, and serve's webhook-to-write latency
# (see BENCHMARKS.md). The children
# bench takes about 9 minutes at its default size: CHILDREN_ARGS="--contacts 700 --businesses 20" for a quick look.
bench:
	$(SWIFT) build -c release --product sync-bench
	$(SWIFT) build -c release --product throughput-bench
	.build/release/sync-bench $(BENCH_ARGS)
	.build/release/throughput-bench $(THROUGHPUT_ARGS)
	.build/release/throughput-bench --record $(RECORD_ARGS)
	.build/release/throughput-bench --children $(CHILDREN_ARGS)
	.build/release/throughput-bench --serve $(SERVE_ARGS)

# From a fresh clone: both emulators seeded with a few hundred people, then plan → sync → plan, on a
# state file in a temporary folder.
demo:
	$(SWIFT) build -c release --product espo-ghl-sync
	.build/release/espo-ghl-sync demo $(DEMO_ARGS)

clean:
	rm -rf .build
