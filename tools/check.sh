#!/bin/sh
# SPDX-License-Identifier: ISC
# make check: the unit tests, then the HTTP tests through a real lighttpd
# and MariaDB that the tests start in a temporary folder and stop after.
set -u

cd "$(dirname "$0")/.." || exit 1
status=0
tools/unit.sh $(ls tests/unit/test_*.c | sed 's/\.c$//') || status=1
${PYTHON:-/usr/bin/python3} -m pytest -q -p no:cacheprovider tests/http || status=1
exit $status
