# SPDX-License-Identifier: ISC
# Shopease auth suite. GNU make.
#   make            build the programs in cgi-bin/ and admin/shopease-admin
#   make install    install under $(DESTDIR)$(PREFIX); make uninstall removes it
#   make run        start MariaDB and lighttpd on 127.0.0.1:$(PORT) in the foreground
#   make check      unit tests and HTTP tests against a real lighttpd and MariaDB
#   make db-start   start the private MariaDB of make run alone
#   make valgrind   the unit tests under valgrind
#   make bench      the suite against the Django service; writes docs/benchmarks.md
#   make clean

PORT ?= 8080
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL ?= install
CC ?= cc
PKG_CONFIG ?= pkg-config
PYTHON ?= /usr/bin/python3
SANITIZE ?=

PACKAGES = fcgi json-c libjwt libxcrypt libmariadb libcrypto

WARNINGS = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wpointer-arith \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-unused-parameter
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -fstack-protector-strong -D_FORTIFY_SOURCE=2 $(WARNINGS)
ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

# make install: where each part goes under $(DESTDIR)$(PREFIX).
CGIDIR = $(PREFIX)/lib/shopease/cgi-bin
SBINDIR = $(PREFIX)/sbin
SHAREDIR = $(PREFIX)/share/shopease
MANDIR = $(PREFIX)/share/man
SHARE_FILES = schema.sql shopease.conf.sample \
	$(filter-out shopease.conf.sample,$(wildcard *.sample docs/*.sample))
# The JSON bodies of the web server's own errors, which the samples name.
ERROR_FILES = $(wildcard errors/*.html)

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PACKAGES) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PACKAGES) 2>/dev/null)

COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(COMMON_SRC:.c=.o)
COMMON_LIB = common/libshopease.a
PROGRAMS = cgi-bin/register cgi-bin/login cgi-bin/token_refresh cgi-bin/logout cgi-bin/me
ADMIN = admin/shopease-admin
ADMIN_SRC = $(wildcard admin/*.c)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:.c=)

.PHONY: all deps-build run db-start db-stop check unit http valgrind bench clean \
	install uninstall

all: deps-build $(PROGRAMS) $(ADMIN)

deps-build:
	@tools/deps.sh build

common/%.o: common/%.c common/*.h
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(COMMON_LIB): $(COMMON_OBJ)
	rm -f $@
	$(AR) rcs $@ $(COMMON_OBJ)

cgi-bin/%: cgi-bin/%.c $(COMMON_LIB) common/*.h
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Icommon -o $@ $< $(COMMON_LIB) $(LDFLAGS) $(PKG_LIBS)

$(ADMIN): $(ADMIN_SRC) admin/admin.h $(COMMON_LIB) common/*.h
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Icommon -o $@ $(ADMIN_SRC) $(COMMON_LIB) $(LDFLAGS) $(PKG_LIBS)

tests/unit/test_%: tests/unit/test_%.c tests/unit/unit.h $(COMMON_LIB) common/*.h
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

check:
	@tools/deps.sh check
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@tools/check.sh

unit: all $(UNIT_BIN)
	@tools/unit.sh $(UNIT_BIN)

http: all
	$(PYTHON) -m pytest -q tests/http

valgrind: all $(UNIT_BIN)
	@VALGRIND=1 tools/unit.sh $(UNIT_BIN)

bench/hashtime: bench/hashtime.c $(COMMON_LIB) common/*.h
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Icommon -o $@ $< $(COMMON_LIB) $(LDFLAGS) $(PKG_LIBS)

bench: all bench/hashtime
	@bench/run.sh

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
	rm -f common/*.o $(COMMON_LIB) $(PROGRAMS) $(ADMIN) $(UNIT_BIN) bench/hashtime
