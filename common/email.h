/* SPDX-License-Identifier: ISC */
/*
 * Email addresses as Django's EmailValidator accepts them, and the one
 * normalisation applied before storing: the domain is lowercased.
 */
#ifndef SHOPEASE_EMAIL_H
#define SHOPEASE_EMAIL_H

#include <stddef.h>

#define EMAIL_MAX_CHARS	254	/* code points */
#define EMAIL_MAX_BYTES	(EMAIL_MAX_CHARS * 4)

/* 1 when s (UTF-8, len bytes, already trimmed) is a valid address. */
int	email_valid(const char *s, size_t len);

/*
 * Copy a valid address to out with its domain lowercased; the local part is
 * kept as given. Returns the length, or -1 when out is too small.
 */
int	email_normalize(const char *s, size_t len, char *out, size_t outsz);

#endif
