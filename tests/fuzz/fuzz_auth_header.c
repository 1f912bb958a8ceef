/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: auth_parse_header() on an Authorization value, with
 * the invariants of its result: a token lies inside the header, is not
 * empty and contains no whitespace.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*token = NULL;
	char		*header;
	size_t		 len = 0, i;

	/* The server hands the header over as a C string. */
	if ((header = malloc(size + 1)) == NULL)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	if (auth_parse_header(header, &token, &len) == 0) {
		if (token == NULL || len == 0 || token < header ||
		    token + len > header + strlen(header))
			abort();
		for (i = 0; i < len; i++)
			if (strchr(" \t\n\r\v\f", token[i]) != NULL)
				abort();
	}
	free(header);
	return 0;
}
