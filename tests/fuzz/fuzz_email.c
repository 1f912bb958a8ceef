/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: email_valid() on any bytes, and for a valid address
 * email_normalize(), whose result must be valid again and unchanged by a
 * second normalisation.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "email.h"
#include "text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 once[EMAIL_MAX_BYTES + 1], twice[EMAIL_MAX_BYTES + 1];
	int	 n, m;

	if (!email_valid((const char *)data, size))
		return 0;
	/*
	 * Register normalizes only addresses of at most EMAIL_MAX_CHARS code
	 * points. Longer ones may not fit: lowercasing can lengthen a character
	 * (U+023E, two bytes, becomes U+2C66, three).
	 */
	if (size > EMAIL_MAX_BYTES ||
	    text_code_points((const char *)data, size) > EMAIL_MAX_CHARS)
		return 0;
	if ((n = email_normalize((const char *)data, size, once, sizeof(once))) < 0)
		abort();
	if (!email_valid(once, (size_t)n))
		abort();
	if ((m = email_normalize(once, (size_t)n, twice, sizeof(twice))) != n ||
	    memcmp(once, twice, (size_t)n) != 0)
		abort();
	return 0;
}
