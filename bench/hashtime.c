/* SPDX-License-Identifier: ISC */
/*
 * Time one password hash and one verification at a bcrypt cost with the
 * suite's own pw module, so the login and register targets can be worked
 * out for this machine.
 *
 *   bench/hashtime COST [ROUNDS]
 *
 * Prints "hash_ms <median> verify_ms <median>" over ROUNDS runs (default 9).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pw.h"

#define ROUNDS_MAX	101

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
compare_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char *argv[])
{
	static const char password[] = "correct-horse-9";
	double		 hash_ms[ROUNDS_MAX], verify_ms[ROUNDS_MAX], start;
	char		 hash[PW_HASH_MAX];
	int		 cost, rounds = 9, i;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: hashtime COST [ROUNDS]\n");
		return 2;
	}
	cost = atoi(argv[1]);
	if (argc == 3)
		rounds = atoi(argv[2]);
	if (cost < 4 || cost > 31 || rounds < 1 || rounds > ROUNDS_MAX) {
		fprintf(stderr, "hashtime: cost must be 4 to 31 and rounds 1 to %d\n",
		    ROUNDS_MAX);
		return 2;
	}

	for (i = 0; i < rounds; i++) {
		start = now_ms();
		if (pw_hash(password, strlen(password), cost, hash, sizeof(hash)) == -1) {
			fprintf(stderr, "hashtime: pw_hash failed at cost %d\n", cost);
			return 1;
		}
		hash_ms[i] = now_ms() - start;

		start = now_ms();
		if (pw_verify(password, strlen(password), hash) != PW_MATCH) {
			fprintf(stderr, "hashtime: a fresh hash did not verify\n");
			return 1;
		}
		verify_ms[i] = now_ms() - start;
	}
	qsort(hash_ms, (size_t)rounds, sizeof(double), compare_double);
	qsort(verify_ms, (size_t)rounds, sizeof(double), compare_double);
	printf("hash_ms %.2f verify_ms %.2f\n", hash_ms[rounds / 2], verify_ms[rounds / 2]);
	return 0;
}
