# espo-ghl-sync — build, test and benchmark.
SWIFT ?= swift

.PHONY: build release test bench clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Builds every target (the tests launch the built store-crash-probe), then runs every test.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Not a test: measures ingest, the raw SQLite insert rate, plan time and peak RSS (see BENCHMARKS.md).
bench:
	$(SWIFT) build -c release --product sync-bench
	.build/release/sync-bench $(BENCH_ARGS)

clean:
	rm -rf .build
