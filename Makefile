# SPDX-License-Identifier: ISC
# Shopease auth suite. GNU make.
#   make            build the programs in cgi-bin/
#   make run        start MariaDB and lighttpd on 127.0.0.1:$(PORT) in the foreground
#   make check      unit tests, HTTP tests against a real lighttpd and MariaDB,
#                   a short fuzz run of every target and a short soak
#   make check SANITIZE=1
#                   the same with every program built with ASan and UBSan
#                   into build/sanitize/ (no fuzz run, a shorter soak)
#   make fuzz       every libFuzzer target for FUZZ_SECONDS seconds each
#   make soak       mixed traffic at concurrency 32 for SOAK_SECONDS seconds
#   make db-start   start the private MariaDB of make run alone
#   make valgrind   the unit tests under valgrind
#   make clean

PORT ?= 8080
CC ?= cc
PKG_CONFIG ?= pkg-config
PYTHON ?= /usr/bin/python3
SANITIZE ?=
FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 600

PACKAGES = fcgi json-c libjwt libxcrypt libmariadb libcrypto

WARNINGS = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wpointer-arith \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-unused-parameter
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -fstack-protector-strong -D_FORTIFY_SOURCE=2 $(WARNINGS)
# Objects do not record their flags, so the sanitizer build has its own
# folder: a plain build and a sanitizer build never mix objects.
ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
BUILD = build/sanitize/
else
BUILD =
endif

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PACKAGES) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PACKAGES) 2>/dev/null)

COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(patsubst %.c,$(BUILD)%.o,$(COMMON_SRC))
COMMON_LIB = $(BUILD)common/libshopease.a
PROGRAMS = $(addprefix $(BUILD)cgi-bin/,register login token_refresh logout me)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst %.c,$(BUILD)%,$(UNIT_SRC))

# libFuzzer targets: clang, with common/ compiled again into build/fuzz/.
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_OBJ = $(patsubst %.c,build/fuzz/%.o,$(COMMON_SRC))

export SHOPEASE_BIN = $(CURDIR)/$(BUILD)cgi-bin
export SANITIZE

.PHONY: all deps-build run db-start db-stop check unit http valgrind fuzz \
	fuzz-build soak clean

all: deps-build $(PROGRAMS)

deps-build:
	@tools/deps.sh build

$(BUILD)common/%.o: common/%.c common/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(COMMON_LIB): $(COMMON_OBJ)
	rm -f $@
	$(AR) rcs $@ $(COMMON_OBJ)

$(BUILD)cgi-bin/%: cgi-bin/%.c $(COMMON_LIB) common/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Icommon -o $@ $< $(COMMON_LIB) $(LDFLAGS) $(PKG_LIBS)

$(BUILD)tests/unit/test_%: tests/unit/test_%.c tests/unit/unit.h $(COMMON_LIB) common/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Icommon -o $@ $< $(COMMON_LIB) $(LDFLAGS) $(PKG_LIBS)

run:
	@tools/deps.sh run
	@$(MAKE) --no-print-directory all
	@PORT=$(PORT) tools/run.sh

db-start:
	@tools/deps.sh run
	@tools/db.sh start var/db

db-stop:
	@tools/db.sh stop var/db

build/fuzz/common/%.o: common/%.c common/*.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ) common/*.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) $(PKG_CFLAGS) -Icommon -o $@ $< \
		$(FUZZ_OBJ) $(PKG_LIBS)

check:
	@tools/deps.sh check
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
ifneq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory fuzz-build
endif
	@UNIT_BIN="$(UNIT_BIN)" tools/check.sh

unit: all $(UNIT_BIN)
	@tools/unit.sh $(UNIT_BIN)

http: all
	$(PYTHON) -m pytest -q tests/http

valgrind: all $(UNIT_BIN)
	@VALGRIND=1 tools/unit.sh $(UNIT_BIN)

# Keep the objects: make would delete them as intermediate files.
.SECONDARY: $(FUZZ_OBJ)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

soak: all
	SOAK_SECONDS=$(SOAK_SECONDS) $(PYTHON) -m pytest -q -s -p no:cacheprovider \
		tests/http/test_zx_soak.py

clean:
	rm -f common/*.o common/libshopease.a $(addprefix cgi-bin/,register login \
		token_refresh logout me) $(UNIT_SRC:.c=)
	rm -rf build
