/* SPDX-License-Identifier: ISC */
/* Unit tests of common/email.c against the API's email rules. */
#include <string.h>

#include "email.h"
#include "unit.h"

static const char *const valid[] = {
	"user@example.com",
	"first.last+tag@sub.example.co",
	"!#$%&'*+/=?^_`{|}~-@example.com",
	"\"quoted\\\"name\"@example.com",
	"\"a@b\"@example.com",
	"user@localhost",
	"user@[127.0.0.1]",
	"user@[IPv6:::1]",
	"user@b\xc3\xbc" "cher.example",
	"user@xn--bcher-kva.example",
	"user@a-b.example",
	"user@example.-ab",
};

static const char *const invalid[] = {
	"",
	"plain",
	"@example.com",
	"user@",
	"user..dots@example.com",
	".user@example.com",
	"user.@example.com",
	"j\xc3\xbcrgen@example.com",
	"user@example",
	"user@example.c",
	"user@-example.com",
	"user@example-.com",
	"user@example.com-",
	"user@exa mple.com",
	"user name@example.com",
	"\"quoted space\"@example.com",
	"user@[300.0.0.1]",
	"user@[IPv6:zz]",
	"user@example..com",
};

static void
test_valid_addresses(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		CHECK(email_valid(valid[i], strlen(valid[i])), "%s should be valid", valid[i]);
}

static void
test_invalid_addresses(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		CHECK(!email_valid(invalid[i], strlen(invalid[i])),
		    "%s should be invalid", invalid[i]);
}

static void
test_label_lengths(void)
{
	char	 addr[256];

	/* A 63-character label is allowed, a 64-character one is not. */
	snprintf(addr, sizeof(addr), "u@%.*s.example", 63,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	CHECK(email_valid(addr, strlen(addr)), "63-character label");
	snprintf(addr, sizeof(addr), "u@%.*s.example", 64,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	CHECK(!email_valid(addr, strlen(addr)), "64-character label");
}

static void
test_embedded_nul(void)
{
	CHECK(!email_valid("a\0b@example.com", 15), "NUL in the local part");
}

static void
test_normalize(void)
{
	char	 out[EMAIL_MAX_BYTES + 1];
	int	 n;

	n = email_normalize("Alice.Smith@EXAMPLE.Com", 23, out, sizeof(out));
	CHECK(n == 23, "length %d", n);
	CHECK(strcmp(out, "Alice.Smith@example.com") == 0, "got %s", out);
	n = email_normalize("a@B\xc3\x9c" "CHER.example", 17, out, sizeof(out));
	CHECK(n > 0, "normalize failed");
	CHECK(strcmp(out, "a@b\xc3\xbc" "cher.example") == 0, "got %s", out);
	/* The domain follows the last '@'. */
	n = email_normalize("\"x@Y\"@Z.EXAMPLE", 15, out, sizeof(out));
	CHECK(n > 0, "normalize failed");
	CHECK(strcmp(out, "\"x@Y\"@z.example") == 0, "got %s", out);
}

int
main(void)
{
	RUN(test_valid_addresses);
	RUN(test_invalid_addresses);
	RUN(test_label_lengths);
	RUN(test_embedded_nul);
	RUN(test_normalize);
	return unit_report("email");
}
