# spotcheck - GNU make. Knobs:
#   SANITIZE=address,undefined   build with sanitizers (objects go to build-san/)
#   WERROR=1                     warnings are errors
#   O=0                          no optimisation (debugging)
#   PG=1                         with the PostgreSQL driver (libpq; default: when pkg-config finds it)
# Targets: all (default), run, test (the suite on SQLite, then on a throwaway PostgreSQL cluster:
# tests/run.sh, scripts/pgtest.sh), test-build, test-pg (the PostgreSQL half alone), fuzz
# (libFuzzer, needs clang), bench, clean.

CC      ?= cc
PKGS    := sqlite3 libsodium jansson libmicrohttpd libzip expat xlsxwriter zlib
PG      ?= $(shell pkg-config --exists libpq 2>/dev/null && echo 1)
ifeq ($(PG),1)
PKGS    += libpq
CFLAGS_PG := -DSPOTCHECK_PG
endif
O       ?= 2
WARN    := -Wall -Wextra -Wconversion -Wsign-conversion -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-missing-field-initializers
CFLAGS  ?= -g -O$(O)
CFLAGS  += -std=c17 -D_GNU_SOURCE -pthread $(WARN) -MMD -MP $(CFLAGS_PG)
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
# test builds only: cheap password hashes (src/domain/account.c)
CFLAGS  += -DSPOTCHECK_TEST_FAST_HASH
LDFLAGS += -fsanitize=$(SANITIZE)
BUILD   ?= build-san
else
BUILD   ?= build
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  += $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lm -pthread

LIB_SRC   := $(sort $(shell find src -name '*.c' ! -name main.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
EMBED_IN  := $(sort $(wildcard sql/*.sql sql/pg/*.sql data/*.* web/templates/*.html web/static/*.*) docs/DRAW.md tools/verify_draw.py)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%-replay)

.PHONY: all run test test-build test-pg deps fuzz bench clean
all: $(BUILD)/spotcheck

$(BUILD)/spotcheck: $(BUILD)/src/main.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED_IN)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $@ $(EMBED_IN)

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) tests/unit/t.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

# Fuzz targets are replayed over their saved corpus in every test run (built with the normal
# compiler); `make fuzz` builds real libFuzzer binaries with clang.
$(BUILD)/fuzz/%-replay: tests/fuzz/%.c tests/fuzz/replay.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -o $@ $< tests/fuzz/replay.c $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

test-build: $(BUILD)/spotcheck $(UNIT_BIN) $(FUZZ_BIN)

deps:
	@scripts/deps.sh build

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh $(BUILD)/spotcheck

# The whole suite on SQLite, then again on PostgreSQL (a throwaway cluster the run starts itself,
# scripts/pgtest.sh); tests/run.sh names a failure with its driver and ends with a line per driver.
test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory SANITIZE=address,undefined WERROR=1 PG=1 test-build
	@tests/run.sh build-san

# The PostgreSQL half of `test` alone.
test-pg:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory SANITIZE=address,undefined WERROR=1 PG=1 test-build
	@tests/run_pg.sh build-san

fuzz:
	@scripts/fuzz.sh

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@bench/run.sh

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
