# SPDX-License-Identifier: ISC
# Shopease auth suite. GNU make.
#   make            build the programs in cgi-bin/ and admin/shopease-admin
#   make install    install under $(DESTDIR)$(PREFIX); make uninstall removes it
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
#   make bench      the suite against the Django service; writes docs/benchmarks.md
#   make bench-statements  MariaDB's CPU time per statement of the suite
#   make clean

PORT ?= 8080
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL ?= install
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

# make install: where each part goes under $(DESTDIR)$(PREFIX).
CGIDIR = $(PREFIX)/lib/shopease/cgi-bin
SBINDIR = $(PREFIX)/sbin
SHAREDIR = $(PREFIX)/share/shopease
MANDIR = $(PREFIX)/share/man
SHARE_FILES = schema.sql grants.sql shopease.conf.sample \
	$(filter-out shopease.conf.sample,$(wildcard *.sample docs/*.sample))
# The JSON bodies of the web server's own errors, which the samples name.
ERROR_FILES = $(wildcard errors/*.html)

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PACKAGES) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PACKAGES) 2>/dev/null)

COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(patsubst %.c,$(BUILD)%.o,$(COMMON_SRC))
COMMON_LIB = $(BUILD)common/libshopease.a
PROGRAMS = $(addprefix $(BUILD)cgi-bin/,register login token_refresh logout me)
ADMIN = $(BUILD)admin/shopease-admin
ADMIN_SRC = $(wildcard admin/*.c)
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
export SHOPEASE_ADMIN = $(CURDIR)/$(ADMIN)
export SANITIZE

.PHONY: all deps-build run db-start db-stop check unit http valgrind fuzz \
	fuzz-build soak bench bench-statements install uninstall clean

all: deps-build $(PROGRAMS) $(ADMIN)

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

$(ADMIN): $(ADMIN_SRC) admin/admin.h $(COMMON_LIB) common/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Icommon -o $@ $(ADMIN_SRC) $(COMMON_LIB) $(LDFLAGS) $(PKG_LIBS)

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

bench/hashtime: bench/hashtime.c $(COMMON_LIB) common/*.h
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Icommon -o $@ $< $(COMMON_LIB) $(LDFLAGS) $(PKG_LIBS)

bench: all bench/hashtime
	@bench/run.sh

# A private MariaDB in a temporary folder, stopped and removed afterwards.
bench-statements:
	@dir=$$(mktemp -d /tmp/shopease-statements.XXXXXX) && \
	tools/db.sh start "$$dir" && \
	tools/db.sh schema "$$dir" shopease_cost shopease_cost "$$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" && \
	/usr/bin/python3 bench/statement_cost.py "$$dir/mysqld.sock" "$$dir/mysqld.pid" shopease_cost; \
	status=$$?; tools/db.sh stop "$$dir"; rm -rf "$$dir"; exit $$status

install: $(PROGRAMS) $(ADMIN)
	$(INSTALL) -d $(DESTDIR)$(CGIDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SHAREDIR)/errors \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0755 $(PROGRAMS) $(DESTDIR)$(CGIDIR)
	$(INSTALL) -m 0755 $(ADMIN) $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 0644 $(SHARE_FILES) $(DESTDIR)$(SHAREDIR)
	$(INSTALL) -m 0644 $(ERROR_FILES) $(DESTDIR)$(SHAREDIR)/errors
	$(INSTALL) -m 0644 man/shopease.conf.5 $(DESTDIR)$(MANDIR)/man5
	$(INSTALL) -m 0644 man/shopease-admin.8 $(DESTDIR)$(MANDIR)/man8

# Removes the files install put, then the folders that only this suite uses.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(CGIDIR)/,$(notdir $(PROGRAMS)))
	rm -f $(DESTDIR)$(SBINDIR)/$(notdir $(ADMIN))
	rm -f $(addprefix $(DESTDIR)$(SHAREDIR)/,$(notdir $(SHARE_FILES)))
	rm -f $(addprefix $(DESTDIR)$(SHAREDIR)/errors/,$(notdir $(ERROR_FILES)))
	rm -f $(DESTDIR)$(MANDIR)/man5/shopease.conf.5
	rm -f $(DESTDIR)$(MANDIR)/man8/shopease-admin.8
	-rmdir $(DESTDIR)$(CGIDIR) $(DESTDIR)$(PREFIX)/lib/shopease $(DESTDIR)$(SHAREDIR)/errors \
		$(DESTDIR)$(SHAREDIR)

clean:
	rm -f common/*.o common/libshopease.a $(addprefix cgi-bin/,register login \
		token_refresh logout me) admin/shopease-admin $(UNIT_SRC:.c=) bench/hashtime
	rm -rf build
