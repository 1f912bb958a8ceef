/* SPDX-License-Identifier: ISC */
/* Unit tests of common/body.c and common/field.c: strict JSON, forms, field rules. */
#include <string.h>

#include <json-c/json.h>

#include "body.h"
#include "field.h"
#include "unit.h"

static enum body_result
parse(const char *text, struct json_object **obj, char *msg, size_t msgsz)
{
	return body_parse_json(text, strlen(text), obj, msg, msgsz);
}

static void
test_json_rejects(void)
{
	static const char *const bad[] = {
		"{", "{\"a\":1,}", "[1,]", "NaN", "Infinity", "-Infinity",
		"{\"a\":NaN}", "{'a':1}", "{\"a\":1} x", "{\"a\":1}{}",
		"/* c */{}", "{\"a\":1 // c\n}", "{\"a\":\"\x01\"}", "",
		"{\"a\":True}", "\"\\uZZZZ\"", "\xff",
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	};
	struct json_object	*obj;
	char			 msg[192];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		obj = NULL;
		CHECK(parse(bad[i], &obj, msg, sizeof(msg)) == BODY_INVALID,
		    "%s should be a parse error", bad[i]);
		json_object_put(obj);
	}
}

static void
test_json_accepts(void)
{
	struct json_object	*obj = NULL, *v;
	char			 msg[192];

	CHECK(parse(" {\"a\": 1, \"a\": \"last\"} \n", &obj, msg, sizeof(msg)) == BODY_OK,
	    "object with whitespace: %s", msg);
	CHECK(json_object_object_get_ex(obj, "a", &v) &&
	    strcmp(json_object_get_string(v), "last") == 0, "the last duplicate key wins");
	json_object_put(obj);

	obj = NULL;
	CHECK(parse("null", &obj, msg, sizeof(msg)) == BODY_OK, "null: %s", msg);
	CHECK(obj == NULL, "null is no object");
	CHECK(parse("[1]", &obj, msg, sizeof(msg)) == BODY_OK &&
	    json_object_is_type(obj, json_type_array), "array");
	json_object_put(obj);
}

static void
test_json_surrogates(void)
{
	struct json_object	*obj = NULL, *v;
	char			 msg[192];

	CHECK(parse("{\"p\":\"a\\ud800b\"}", &obj, msg, sizeof(msg)) == BODY_OK, "%s", msg);
	CHECK(json_object_object_get_ex(obj, "p", &v) &&
	    json_object_get_string_len(v) == 5 &&
	    memcmp(json_object_get_string(v), "a\xed\xa0\x80" "b", 5) == 0,
	    "lone surrogate kept as three bytes");
	json_object_put(obj);

	obj = NULL;
	CHECK(parse("{\"p\":\"\\ud83d\\ude00\"}", &obj, msg, sizeof(msg)) == BODY_OK, "%s", msg);
	CHECK(json_object_object_get_ex(obj, "p", &v) &&
	    strcmp(json_object_get_string(v), "\xf0\x9f\x98\x80") == 0,
	    "a surrogate pair is one code point");
	json_object_put(obj);
}

static void
test_json_large_integer(void)
{
	struct json_object	*obj = NULL, *v;
	char			 msg[192];

	CHECK(parse("{\"p\":123456789012345678901234567890}", &obj, msg,
	    sizeof(msg)) == BODY_OK, "%s", msg);
	CHECK(json_object_object_get_ex(obj, "p", &v) &&
	    strcmp(json_object_get_string(v), "123456789012345678901234567890") == 0,
	    "a large integer keeps its decimal text");
	json_object_put(obj);
}

static void
test_form(void)
{
	struct json_object	*obj = NULL, *v;
	char			 msg[192];
	const char		*form = "email=a%40b.example&password=pass+word%21&x&email=c%40d.example&bad=%zz";

	CHECK(body_parse_form(form, strlen(form), &obj, msg, sizeof(msg)) == BODY_OK, "%s", msg);
	CHECK(json_object_object_get_ex(obj, "email", &v) &&
	    strcmp(json_object_get_string(v), "c@d.example") == 0, "the last value wins");
	CHECK(json_object_object_get_ex(obj, "password", &v) &&
	    strcmp(json_object_get_string(v), "pass word!") == 0, "plus and percent decoded");
	CHECK(json_object_object_get_ex(obj, "x", &v) &&
	    strcmp(json_object_get_string(v), "") == 0, "a key without a value");
	CHECK(json_object_object_get_ex(obj, "bad", &v) &&
	    strcmp(json_object_get_string(v), "%zz") == 0, "a malformed escape is kept");
	json_object_put(obj);

	obj = NULL;
	CHECK(body_parse_form("a=%ff", 5, &obj, msg, sizeof(msg)) == BODY_INVALID,
	    "invalid UTF-8 in a form value");
	json_object_put(obj);
}

/* Run field_string on the JSON text and return the first message or "". */
static const char *
field_first_message(const char *json, struct field *f, char *buf, size_t bufsz)
{
	struct json_object	*obj = NULL, *messages;
	char			 msg[192];

	buf[0] = '\0';
	if (parse(json, &obj, msg, sizeof(msg)) != BODY_OK)
		return "parse error";
	messages = json_object_new_array();
	(void)field_string(obj, "f", f, messages);
	if (json_object_array_length(messages) > 0)
		snprintf(buf, bufsz, "%s",
		    json_object_get_string(json_object_array_get_idx(messages, 0)));
	json_object_put(messages);
	json_object_put(obj);
	return buf;
}

static void
test_field_rules(void)
{
	static const struct {
		const char	*json;
		const char	*message;
	} cases[] = {
		{ "{}", MSG_REQUIRED },
		{ "{\"f\":null}", MSG_NULL },
		{ "{\"f\":\"\"}", MSG_BLANK },
		{ "{\"f\":\" \\u3000\\t\"}", MSG_BLANK },
		{ "{\"f\":true}", MSG_NOT_STRING },
		{ "{\"f\":[\"a\"]}", MSG_NOT_STRING },
		{ "{\"f\":{}}", MSG_NOT_STRING },
		{ "{\"f\":1.5}", MSG_NOT_STRING },
		{ "{\"f\":1e20}", MSG_NOT_STRING },
		{ "{\"f\":\"a\\u0000b\"}", MSG_NUL_CHAR },
		{ "{\"f\":\"a\\udfffb\"}", "Surrogate characters are not allowed: U+DFFF." },
		{ "{\"f\":12345678}", "" },
		{ "{\"f\":\"  ok  \"}", "" },
	};
	struct field	 f;
	char		 buf[128];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = field_first_message(cases[i].json, &f, buf, sizeof(buf));

		CHECK(strcmp(got, cases[i].message) == 0, "%s: expected \"%s\", got \"%s\"",
		    cases[i].json, cases[i].message, got);
	}
}

int
main(void)
{
	RUN(test_json_rejects);
	RUN(test_json_accepts);
	RUN(test_json_surrogates);
	RUN(test_json_large_integer);
	RUN(test_form);
	RUN(test_field_rules);
	return unit_report("body");
}
