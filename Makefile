# espo-ghl-sync — build, test and benchmark.
SWIFT ?= swift

.PHONY: build release test bench demo clean install uninstall man

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
	scripts/check-install.sh
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

# `make install PREFIX=/usr/local` (DESTDIR for packaging; CONFIGURATION=debug for a quick look): the
# binary, the default mappings, a man page generated from the command's own help, and completions for
# bash, zsh and fish. Every file it writes and folder it creates is listed in
# PREFIX/share/espo-ghl-sync/installed-files, which `make uninstall` (same PREFIX) reads to remove
# exactly those and nothing else.
PREFIX ?= /usr/local
DESTDIR ?=
CONFIGURATION ?= release
BIN = .build/$(CONFIGURATION)/espo-ghl-sync
ROOT = $(DESTDIR)$(PREFIX)
MANUAL_TOOL = .build/manual-tool/$(CONFIGURATION)/generate-manual
MAN_PAGE = .build/man/espo-ghl-sync.1

# The man page, from the binary's own help, by swift-argument-parser's generate-manual tool.
man:
	$(SWIFT) build -c $(CONFIGURATION) --product espo-ghl-sync
	test -d .build/checkouts/swift-argument-parser || $(SWIFT) package resolve
	$(SWIFT) build -c $(CONFIGURATION) --package-path .build/checkouts/swift-argument-parser \
		--scratch-path .build/manual-tool --product generate-manual
	mkdir -p .build/man
	$(MANUAL_TOOL) $(BIN) --output-directory .build/man --section 1 \
		--authors "espo-ghl-sync developers"

install: man
	scripts/install.sh install "$(ROOT)" $(BIN) $(MAN_PAGE)

# Removes the files `make install` (same PREFIX and DESTDIR) listed, and the folders it created once empty.
uninstall:
	scripts/install.sh uninstall "$(ROOT)"

clean:
	rm -rf .build
