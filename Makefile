# cxcase - one non-recursive Makefile.
#
#   make demo            install missing Debian packages, build, run on samples/
#   make test            install missing packages, build, run every test
#   make test SANITIZE=1 the same under AddressSanitizer + UBSan
#                        (CC=clang for clang's sanitizers; its own build dir)
#   make fuzz FUZZ_S=N   every libFuzzer target (tests/fuzz/) for N seconds
#   make coverage        line and branch coverage of src/ from every test
#   make bench           benchmarks (tests/bench/)
#   make samples         regenerate samples/ from samples/generate.c
#   make install PREFIX=/usr/local
#   V=1                  show the commands
#
# SPDX-License-Identifier: GPL-3.0-or-later

CC      ?= gcc
PREFIX  ?= /usr/local
PYTHON  ?= /usr/bin/python3
SANITIZE ?=

# Debian packages the build, the tests and the benchmarks need.
DEB_BUILD = gcc make pkg-config libgsl-dev libcjson-dev libxlsxwriter-dev libcsv-dev nettle-dev libcmocka-dev
DEB_TEST  = python3 python3-jsonschema python3-openpyxl python3-numpy libreoffice-calc-nogui poppler-utils time
DEB_FUZZ  = clang libclang-rt-14-dev
DEB_COV   = lcov
DEB_BENCH = python3-pandas python3-statsmodels python3-numpy python3-scipy python3-xlsxwriter r-base-core r-cran-data.table r-cran-sandwich time
DEB_ALL   = $(DEB_BUILD) $(DEB_TEST) $(if $(findstring clang,$(CC)),$(DEB_FUZZ))

ifeq ($(SANITIZE),1)
  BUILD    = build/san
  SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  OPT      = -O1 -g
else
  BUILD    = build/rel
  SANFLAGS =
  OPT      = -O2 -g -fvect-cost-model=cheap
endif
# clang: its own build directory (the objects differ), and no GCC-only flags
ifneq ($(findstring clang,$(CC)),)
  BUILD := $(BUILD)-clang
  OPT   := $(filter-out -fvect-cost-model=%,$(OPT))
endif
# make fuzz: the library instrumented for libFuzzer, under ASan and UBSan
ifeq ($(FUZZ),1)
  BUILD    = build/fuzz
  SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  OPT      = -O1 -g
endif
# make coverage: gcov counters, no optimisation (lines map to code)
ifeq ($(COVERAGE),1)
  BUILD    = build/cov
  SANFLAGS = --coverage
  OPT      = -O0 -g
endif
# The builds that `make test` and `make fuzz` start use every core (JOBS,
# default nproc), unless make was given its own -j.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
PAR   = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))
FUZZ_S       ?= 60
FUZZ_TARGETS  = csv scenario spec partial model ledger
FUZZ_BIN      = $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)

WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
          -Wformat=2 -Wno-format-nonliteral
CFLAGS_ALL = -std=c11 $(OPT) $(WARN) $(SANFLAGS) -fvisibility=hidden -Iinclude -MMD -MP $(CFLAGS)
LDLIBS_ALL = -lxlsxwriter -lgsl -lgslcblas -lcjson -lcsv -lnettle -lm -lpthread $(LDLIBS)

LIB_SRC  = $(wildcard src/core/*.c src/data/*.c src/model/*.c src/sim/*.c src/report/*.c src/review/*.c src/customer/*.c)
# the fuzz targets read files: the workbook and the customer analyses are
# not built for them (a third of the library's compile time)
ifeq ($(FUZZ),1)
  LIB_SRC := $(filter-out src/report/% src/customer/%,$(LIB_SRC))
endif
CLI_SRC  = $(wildcard src/cli/*.c)
TEST_SRC = $(wildcard tests/unit/test_*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB      = $(BUILD)/libcxcase.a
BIN      = $(BUILD)/cxcase

ifeq ($(V),1)
  Q =
  say =
else
  Q = @
  say = @printf '  %-6s %s\n' $(1) $(2);
endif

.PHONY: all deps bench-deps fuzz-deps cov-deps demo test bench fuzz fuzz-build coverage samples install clean
.DEFAULT_GOAL := all

all: $(BIN) build/cxcase

# The stop-word lists of models/ compiled into the library: one C string a
# word, comments and blank lines left out (src/customer/tokens.c).
$(BUILD)/gen/stopwords.inc: models/stopwords-en.txt models/stopwords-nl.txt
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$$/d' -e 's/.*/"&",/' $^ > $@.tmp && mv $@.tmp $@
$(BUILD)/src/customer/tokens.o: $(BUILD)/gen/stopwords.inc
$(BUILD)/src/customer/tokens.o: CFLAGS_ALL += -I$(BUILD)/gen

# The binary of the last plain build is also at build/cxcase, the path the
# README uses.
build/cxcase: $(BIN)
	$(Q)if [ "$(SANITIZE)" != 1 ]; then cp $(BIN) build/cxcase; fi

# Built afresh: `ar r` into an old archive would keep the object of a
# source file that was deleted since (and its duplicate symbols).
$(LIB): $(LIB_OBJ)
	$(call say,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(call say,LD,$@)$(CC) $(CFLAGS_ALL) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS_ALL)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS_ALL) -D_GNU_SOURCE -DTOP=\"$(CURDIR)\" -Isrc -o $@ $< $(LIB) $(LDLIBS_ALL) -lcmocka

# Install the Debian packages that are missing (apt-get update first, once).
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi
endef

deps:
	$(call install_missing,$(DEB_ALL))

bench-deps:
	$(call install_missing,$(DEB_ALL) $(DEB_BENCH))

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	@echo "== the panel: department exports joined on week and region, with NPS from the responses"
	./build/cxcase panel samples/logistics.csv samples/service.csv samples/web.csv \
	    samples/finance.csv samples/hr.csv --responses samples/responses.csv
	@echo "== NPS per region and quarter"
	./build/cxcase nps samples/responses.csv --by region,period --period quarter
	@echo "== how the metrics drive NPS and revenue (models/cx_chain.json)"
	./build/cxcase fit samples/logistics.csv samples/service.csv samples/web.csv \
	    samples/finance.csv samples/hr.csv --responses samples/responses.csv --model models/cx_chain.json
	@./build/cxcase fit samples/logistics.csv samples/service.csv samples/web.csv samples/finance.csv \
	    samples/hr.csv --responses samples/responses.csv --model models/cx_chain.json -o build/fitted.json \
	    >/dev/null 2>&1
	@echo "== the customer behind the score: responses linked to the CRM export, and a point of NPS valued twice"
	./build/cxcase link samples/responses.csv samples/customers.csv --id customer_id --last \
	    --by tenure_years,segment --model build/fitted.json
	@echo "== the business case of each scenario (samples/scenario.json)"
	./build/cxcase simulate samples/scenario.json
	@echo "== the story behind the score: what detractors and promoters say (top terms)"
	./build/cxcase voice samples/responses.csv --text comment --by category --top 8 --quotes 1
	@echo "== what detractors say in the worst 20% of delivery weeks"
	./build/cxcase voice samples/responses.csv --metrics samples/logistics.csv --worst delivery_days \
	    --where category=detractor --top 5 --quotes 1
	@echo "== the workbook"
	./build/cxcase report samples/scenario.json -o samples/report.xlsx
	@echo "== the review of 2026Q1: the approved case (samples/cases.jsonl) against the quarter's exports"
	@echo "   (samples/review/, stacked on the history) and the realised rollout"
	./build/cxcase review samples/cases.jsonl samples/logistics.csv samples/service.csv samples/web.csv \
	    samples/finance.csv samples/hr.csv samples/review/logistics.csv samples/review/service.csv \
	    samples/review/web.csv samples/review/finance.csv samples/review/hr.csv \
	    --responses samples/responses.csv --responses samples/review/responses.csv \
	    --realised samples/review/rollout.json -o samples/review.xlsx

test: deps
	$(Q)$(MAKE) --no-print-directory $(PAR) $(BIN) $(TEST_BIN) build/generate $(BUILD)/tools/fin_sheet $(BUILD)/tools/data_sheet
	$(Q)CXCASE=$(BIN) BUILD=$(BUILD) PYTHON=$(PYTHON) GENERATE=build/generate JOBS=$(JOBS) SANITIZED=$(SANITIZE) \
	    E2E_SHARE=$(E2E_SHARE) sh tests/run.sh $(TEST_BIN)

# Fuzzing: the targets are built with Debian's clang and libFuzzer
# (build/fuzz/), then tests/fuzz/run.sh runs each for FUZZ_S seconds on its
# committed seeds (tests/fuzz/corpus/) and what earlier runs found
# (build/fuzz/corpus/); a crash fails with the reproducer printed.
fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(PAR) FUZZ=1 CC=clang fuzz-build
	$(Q)sh tests/fuzz/run.sh build/fuzz $(FUZZ_S) $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_BIN)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -DTOP=\"$(CURDIR)\" -Isrc -o $@ $< $(LIB) $(LDLIBS_ALL)

fuzz-deps:
	$(call install_missing,$(DEB_BUILD) $(DEB_FUZZ))

# Coverage: every test on a build with gcov counters (build/cov/), then
# lcov's line and branch figures for src/ as a whole and per folder.
coverage: cov-deps
	$(Q)$(MAKE) --no-print-directory COVERAGE=1 CC=gcc cov-run

.PHONY: cov-run
cov-run:
	$(Q)find $(BUILD) -name '*.gcda' -delete 2>/dev/null || true
	$(Q)GCOV_ERROR_FILE=$(abspath $(BUILD))/gcov-errors.log $(MAKE) --no-print-directory COVERAGE=1 CC=gcc test || true
	$(Q)sh tests/coverage.sh $(BUILD)

cov-deps:
	$(call install_missing,$(DEB_ALL) $(DEB_COV))

# The sample generator (a tool, never sanitized): make samples runs it.
build/generate: samples/generate.c
	@mkdir -p build
	$(call say,CC,$<)$(CC) -std=c11 -O2 $(WARN) -o $@ $< -lgsl -lgslcblas -lcjson -lm

bench: bench-deps
	$(Q)$(MAKE) --no-print-directory $(BIN) $(BUILD)/bench_csv $(BUILD)/bench_xlsx
	$(Q)CXCASE=$(BIN) BUILD=$(BUILD) PYTHON=$(PYTHON) sh tests/bench/run.sh

$(BUILD)/bench_csv: tests/bench/bench_csv.c $(LIB)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(LIB) $(LDLIBS_ALL)

$(BUILD)/bench_xlsx: tests/bench/bench_xlsx.c $(LIB)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(LIB) $(LDLIBS_ALL)

# Test tools linked with the library (tests/e2e/*.c).
$(BUILD)/tools/%: tests/e2e/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(LIB) $(LDLIBS_ALL)

# The case of samples/scenario.json as approved on 19 December 2025 (the
# ledger the reviewed quarter 2026Q1 is judged against): recorded with that
# time, so the same bytes on every run.
SAMPLES_APPROVED = 1766102400

samples: deps build/generate $(BIN)
	./build/generate samples
	rm -f samples/cases.jsonl
	SOURCE_DATE_EPOCH=$(SAMPLES_APPROVED) $(BIN) simulate samples/scenario.json --record samples/cases.jsonl >/dev/null

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/cxcase
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/cxcase
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libcxcase.a
	install -m 644 include/cxcase/*.h $(DESTDIR)$(PREFIX)/include/cxcase/
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: cxcase' 'Description: customer-experience business cases' 'Version: 0.1.0' \
	  'Requires.private: gsl libcjson xlsxwriter nettle' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lcxcase' \
	  'Libs.private: -lcsv -lpthread -lm' > $(DESTDIR)$(PREFIX)/lib/pkgconfig/cxcase.pc

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(FUZZ_BIN:=.d)
