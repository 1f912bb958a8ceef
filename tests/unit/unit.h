/* SPDX-License-Identifier: ISC */
/*
 * A minimal unit test harness: CHECK records a failure with its place and
 * goes on; main() runs the tests and prints "N passed, N failed".
 */
#ifndef SHOPEASE_UNIT_H
#define SHOPEASE_UNIT_H

#include <stdio.h>

static int	unit_passed;
static int	unit_failed;

#define CHECK(cond, ...) do {						\
	if (cond)							\
		unit_passed++;						\
	else {								\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,	\
		    __LINE__, #cond);					\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define RUN(test) do {							\
	int before = unit_failed;					\
	test();								\
	if (unit_failed != before)					\
		fprintf(stderr, "FAIL %s\n", #test);			\
} while (0)

static inline int
unit_report(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed == 0 ? 0 : 1;
}

#endif
