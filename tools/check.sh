#!/bin/sh
# SPDX-License-Identifier: ISC
# make check: the unit tests, a short run of every fuzz target (not in the
# sanitizer build, whose HTTP tests already run under ASan), then the HTTP
# tests through a real lighttpd and MariaDB that the tests start in a
# temporary folder and stop after. UNIT_BIN lists the unit test programs
# (make passes those of the build in use); FUZZ_CHECK_SECONDS sets the
# fuzz run of each target (default 20).
set -u

cd "$(dirname "$0")/.." || exit 1
status=0
tools/unit.sh ${UNIT_BIN:-$(ls tests/unit/test_*.c | sed 's/\.c$//')} || status=1
if [ "${SANITIZE:-}" != 1 ]; then
	tools/fuzz.sh "${FUZZ_CHECK_SECONDS:-20}" build/fuzz/fuzz_* || status=1
fi
${PYTHON:-/usr/bin/python3} -m pytest -q -p no:cacheprovider tests/http || status=1
exit $status
