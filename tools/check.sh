#!/bin/sh
# SPDX-License-Identifier: ISC
# make check: the unit tests, then the HTTP tests through each web server
# (lighttpd, Apache, nginx) and a MariaDB that the tests start in a
# temporary folder and stop after.
set -u

cd "$(dirname "$0")/.." || exit 1
status=0
tools/unit.sh $(ls tests/unit/test_*.c | sed 's/\.c$//') || status=1

# The whole HTTP suite once per web server, each started from its sample
# (tests/http/servers.py). SHOPEASE_TEST_SERVERS chooses fewer.
servers=${SHOPEASE_TEST_SERVERS:-lighttpd-fastcgi lighttpd-cgi apache-fcgid apache-cgi nginx}
failed=""
skip=""
for server in $servers; do
	echo "HTTP tests through $server"
	# shopease-admin and make install do not depend on the web server: test them once.
	# shellcheck disable=SC2086
	SHOPEASE_TEST_SERVER=$server ${PYTHON:-/usr/bin/python3} -m pytest -q -p no:cacheprovider \
		$skip tests/http || failed="$failed $server"
	skip="--ignore=tests/http/test_admin.py --ignore=tests/http/test_install.py"
done
if [ -n "$failed" ]; then
	echo "tools/check.sh: the HTTP tests failed through:$failed" >&2
	status=1
fi
exit $status
