#!/bin/sh
# SPDX-License-Identifier: ISC
# make check: the unit tests, a short run of every fuzz target (not in the
# sanitizer build, whose HTTP tests already run under ASan), then the HTTP
# tests through each web server (lighttpd, Apache, nginx) and a MariaDB
# that the tests start in a temporary folder and stop after. UNIT_BIN lists
# the unit test programs (make passes those of the build in use);
# FUZZ_CHECK_SECONDS sets the fuzz run of each target (default 20).
set -u

cd "$(dirname "$0")/.." || exit 1
status=0
tools/unit.sh ${UNIT_BIN:-$(ls tests/unit/test_*.c | sed 's/\.c$//')} || status=1
if [ "${SANITIZE:-}" != 1 ]; then
	tools/fuzz.sh "${FUZZ_CHECK_SECONDS:-20}" build/fuzz/fuzz_* || status=1
fi

# The whole HTTP suite once per web server, each started from its sample
# (tests/http/servers.py). SHOPEASE_TEST_SERVERS chooses fewer. The
# sanitizer build runs through lighttpd with FastCGI only, which passes the
# sanitizer options on to the programs and stops them so that LeakSanitizer
# runs.
if [ "${SANITIZE:-}" = 1 ]; then
	all_servers="lighttpd-fastcgi"
else
	all_servers="lighttpd-fastcgi lighttpd-cgi apache-fcgid apache-cgi nginx"
fi
servers=${SHOPEASE_TEST_SERVERS:-$all_servers}
failed=""
skip=""
for server in $servers; do
	echo "HTTP tests through $server"
	# shopease-admin and make install do not depend on the web server, and the
	# soak measures the FastCGI processes lighttpd keeps: run them once.
	# shellcheck disable=SC2086
	SHOPEASE_TEST_SERVER=$server ${PYTHON:-/usr/bin/python3} -m pytest -q -p no:cacheprovider \
		$skip tests/http || failed="$failed $server"
	skip="--ignore=tests/http/test_admin.py --ignore=tests/http/test_install.py \
		--ignore=tests/http/test_zx_soak.py"
done
if [ -n "$failed" ]; then
	echo "tools/check.sh: the HTTP tests failed through:$failed" >&2
	status=1
fi
exit $status
