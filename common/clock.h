/* SPDX-License-Identifier: ISC */
/*
 * The current time, from one place, so unit tests can set it and check
 * tokens against a fixed moment.
 */
#ifndef SHOPEASE_CLOCK_H
#define SHOPEASE_CLOCK_H

#include <time.h>

time_t	clock_now(void);

/* Make clock_now() return t from now on; 0 returns to the real clock. */
void	clock_set(time_t t);

#endif
