#!/bin/sh
# SPDX-License-Identifier: ISC
# Run the unit test programs given as arguments from the top of the tree,
# under valgrind when VALGRIND=1, and print one total line.
set -u

cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0
for test in "$@"; do
	if [ "${VALGRIND:-0}" = 1 ]; then
		out=$(valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect "./$test")
	else
		out=$("./$test")
	fi
	status=$?
	echo "$out"
	line=$(echo "$out" | tail -n 1)
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $status -ne 0 ] && [ "${f:-0}" = 0 ]; then
		echo "$test: exited with status $status" >&2
		failed=$((failed + 1))
	fi
done
echo "unit tests: $passed passed, $failed failed"
[ $failed -eq 0 ]
