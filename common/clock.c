/* SPDX-License-Identifier: ISC */
#include <time.h>

#include "clock.h"

static time_t	clock_fixed;

time_t
clock_now(void)
{
	if (clock_fixed != 0)
		return clock_fixed;
	return time(NULL);
}

void
clock_set(time_t t)
{
	clock_fixed = t;
}
