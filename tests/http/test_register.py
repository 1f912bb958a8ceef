"""POST /api/auth/register/: field rules, stored rows, issued tokens and races."""

import hashlib
import time
import uuid

import pytest

import support
import tokens
from support import REGISTER, assert_reply, new_email, new_password

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
BLANK = "This field may not be blank."
NOT_STRING = "Not a valid string."
NULL_CHARS = "Null characters are not allowed."
EMAIL_TOO_LONG = "Ensure this field has no more than 254 characters."
EMAIL_INVALID = "Enter a valid email address."
EMAIL_TAKEN = "user with this email already exists."
PASSWORD_SHORT = "Ensure this field has at least 8 characters."
PASSWORD_LONG = "Ensure this field has no more than 4096 characters."


def email_of_length(length: int) -> str:
    """Return a unique, valid email address of exactly `length` characters."""
    local = "u" + uuid.uuid4().hex[:15]
    remaining = length - len(local) - 1 - len(".com")
    labels = []
    while remaining > 0:
        size = min(63, remaining)
        if remaining - size == 1:
            size -= 1
        labels.append("d" * size)
        remaining -= size
        if remaining > 0:
            remaining -= 1
    email = local + "@" + ".".join(labels) + ".com"
    assert len(email) == length, f"built an email of {len(email)} characters, expected {length}"
    return email


def post(client, body, **options):
    return client.request("POST", REGISTER, body, **options)


def test_register_success(client, db_query):
    email = new_email()
    response = post(client, {"email": email, "password": new_password()})

    document = support.assert_token_reply(response, 201, ["user", "refresh", "access"])
    assert support.read_ordered(response)[0] == ("user", [("email", email)]), \
        f"user member is {document['user']}, expected exactly {{'email': {email!r}}}"

    row = support.user_row(db_query, email)
    assert row is not None, f"no users row for {email}"
    user_id = int(row["id"])
    tokens.check_issued(document["access"], "access", user_id)
    refresh = tokens.check_issued(document["refresh"], "refresh", user_id)

    assert row["is_active"] == "1", f"new user is_active is {row['is_active']}, expected 1"
    assert row["is_staff"] == "0", f"new user is_staff is {row['is_staff']}, expected 0"
    assert row["is_superuser"] == "0", f"new user is_superuser is {row['is_superuser']}"
    assert row["password"].startswith("bcrypt_sha256$$2b$04$"), \
        f"stored hash starts {row['password'][:24]!r}, expected bcrypt_sha256$$2b$04$ at cost 4"

    outstanding = support.outstanding_row(db_query, refresh["jti"])
    assert outstanding == (str(user_id), "86400"), \
        f"outstanding row of the refresh jti is {outstanding}, expected ({user_id}, 86400 s)"
    access_jti = tokens.decode(document["access"])[1]["jti"]
    assert support.outstanding_row(db_query, access_jti) is None, \
        "the access token's jti is recorded as outstanding; only refresh tokens are"

    me = client.request("GET", support.ME, token=document["access"])
    assert me.status == 200, f"the issued access token gave {me.status} on /me/: {me.body!r}"


def test_register_without_slash(client):
    email = new_email()
    response = client.request("POST", REGISTER.rstrip("/"),
                              {"email": email, "password": new_password()})
    document = support.assert_token_reply(response, 201, ["user", "refresh", "access"])
    assert document["user"] == {"email": email}, f"user is {document['user']}"


def test_register_form_body(client, db_query):
    email = new_email()
    response = post(client, None, form={"email": email, "password": new_password()})
    document = support.assert_token_reply(response, 201, ["user", "refresh", "access"])
    assert document["user"] == {"email": email}, f"user is {document['user']}"
    assert support.user_row(db_query, email) is not None, f"no users row for {email}"


def test_register_form_utf8(client):
    email = f"u{uuid.uuid4().hex[:12]}@bücher.example"
    password = "pässwörd-" + uuid.uuid4().hex[:6]
    response = post(client, None, form={"email": email, "password": password},
                    headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    assert response.status == 201, f"status {response.status}: {response.body!r}"
    assert response.json()["user"]["email"] == email, f"user is {response.json()['user']}"
    support.login(client, email, password)


def test_register_form_missing_field(client):
    response = post(client, None, form={"email": new_email()})
    assert_reply(response, 400, {"password": [REQUIRED]})


def test_password_hash_is_bcrypt_sha256(client, db_query):
    crypt = support.load_crypt()
    if crypt is None:
        pytest.skip("Python's crypt module is not available, so the hash cannot be recomputed")
    user = support.register_user(client)
    stored = support.user_row(db_query, user.email)["password"]
    prefix = "bcrypt_sha256$"
    assert stored.startswith(prefix), f"stored hash {stored[:20]!r}... lacks {prefix!r}"
    setting = stored[len(prefix):]
    digest = hashlib.sha256(user.password.encode("utf-8")).hexdigest()
    assert crypt.crypt(digest, setting) == setting, \
        "stored hash is not bcrypt over the hex SHA-256 of the password (Django's bcrypt_sha256)"


def test_unknown_fields_ignored(client, db_query):
    email = new_email()
    body = {"email": email, "password": new_password(), "is_staff": True,
            "is_superuser": True, "is_active": False, "id": 1, "last_login": "2020-01-01"}
    response = post(client, body)
    assert response.status == 201, f"status {response.status}: {response.body!r}"
    row = support.user_row(db_query, email)
    assert row["is_staff"] == "0", "is_staff from the request was stored"
    assert row["is_superuser"] == "0", "is_superuser from the request was stored"
    assert row["is_active"] == "1", "is_active from the request was stored"
    assert not row["last_login"].startswith("2020-01-01"), \
        f"last_login from the request was stored: {row['last_login']}"


@pytest.mark.parametrize("body, expected", [
    (b"{}", {"email": [REQUIRED], "password": [REQUIRED]}),
    (b'{"email":null,"password":null}', {"email": [NOT_NULL], "password": [NOT_NULL]}),
    (b'{"email":"","password":""}', {"email": [BLANK], "password": [BLANK]}),
    (b'{"email":"   ","password":"\\t\\n \\r"}', {"email": [BLANK], "password": [BLANK]}),
    (b'{"email":"\\u00a0\\u3000","password":"\\u2003\\u2003\\u2003\\u2003\\u2003\\u2003\\u2003'
     b'\\u2003\\u2003"}', {"email": [BLANK], "password": [BLANK]}),
    (b'{"email":"x@example.com"}', {"password": [REQUIRED]}),
    (b'{"password":"long enough"}', {"email": [REQUIRED]}),
    (b'{"email":null,"password":"short"}', {"email": [NOT_NULL], "password": [PASSWORD_SHORT]}),
])
def test_register_required_null_blank(client, body, expected):
    response = post(client, body, headers={"Content-Type": "application/json"})
    assert_reply(response, 400, expected)


@pytest.mark.parametrize("value", [
    "true", "false", "[]", '["a@example.com"]', "{}", '{"a":"b"}', "1.5", "-0.5", "1e20",
    "2.0", "1E3",
])
def test_register_not_a_string(client, value):
    body = ('{"email":%s,"password":%s}' % (value, value)).encode()
    response = post(client, body, headers={"Content-Type": "application/json"})
    assert_reply(response, 400, {"email": [NOT_STRING], "password": [NOT_STRING]})


def test_integer_password_as_text(client):
    email = new_email()
    response = post(client, {"email": email, "password": 12345678})
    assert response.status == 201, f"integer password gave {response.status}: {response.body!r}"
    support.login(client, email, "12345678")


def test_big_integer_password_as_text(client):
    email = new_email()
    body = ('{"email":"%s","password":100000000000000000000000000000}' % email).encode()
    response = post(client, body, headers={"Content-Type": "application/json"})
    assert response.status == 201, f"30-digit password gave {response.status}: {response.body!r}"
    support.login(client, email, "100000000000000000000000000000")


def test_negative_integer_password(client):
    email = new_email()
    response = post(client, {"email": email, "password": -12345678})
    assert response.status == 201, f"status {response.status}: {response.body!r}"
    support.login(client, email, "-12345678")


def test_integer_email_as_text(client):
    response = post(client, {"email": 12345, "password": new_password()})
    assert_reply(response, 400, {"email": [EMAIL_INVALID]})


@pytest.mark.parametrize("field, value, messages", [
    ("password", "abc\u0000defghij", [NULL_CHARS]),
    ("password", "\u0000", [NULL_CHARS, PASSWORD_SHORT]),
    ("password", "\u0000" + "p" * 4096, [NULL_CHARS, PASSWORD_LONG]),
    ("email", "a\u0000b@example.com", [NULL_CHARS, EMAIL_INVALID]),
    ("password", "abcdefgh\ud800", ["Surrogate characters are not allowed: U+D800."]),
    ("password", "\udfff" + "abcdefgh", ["Surrogate characters are not allowed: U+DFFF."]),
    ("email", "a\udbffb@example.com", ["Surrogate characters are not allowed: U+DBFF.",
                                       EMAIL_INVALID]),
    ("password", "abcdefgh\udc00\ud800", ["Surrogate characters are not allowed: U+DC00."]),
    ("password", "abcdefgh\ud800x", ["Surrogate characters are not allowed: U+D800."]),
    ("email", "a\u0000" * 130 + "@example.com",
     [NULL_CHARS, EMAIL_TOO_LONG, EMAIL_INVALID]),
])
def test_register_rule_messages(client, field, value, messages):
    body = {"email": new_email(), "password": new_password()}
    body[field] = value
    response = post(client, support.escaped_json(body),
                    headers={"Content-Type": "application/json"})
    assert_reply(response, 400, {field: messages})


def test_surrogate_pair_is_valid(client):
    email = new_email()
    password = "pw-" + "\U0001F600" * 5
    body = support.escaped_json({"email": email, "password": password})
    assert b"\\ud83d\\ude00" in body, f"the pair is not escaped in {body!r}"
    response = post(client, body, headers={"Content-Type": "application/json"})
    assert response.status == 201, f"escaped surrogate pair gave {response.status}: {response.body!r}"
    support.login(client, email, password)


def test_email_254_accepted(client, db_query):
    email = email_of_length(254)
    response = post(client, {"email": email, "password": new_password()})
    assert response.status == 201, f"254-character email gave {response.status}: {response.body!r}"
    assert response.json()["user"]["email"] == email, "stored email differs from the one sent"
    assert support.user_row(db_query, email)["email"] == email, "row email differs"


def test_email_254_code_points(client):
    local = "u" + uuid.uuid4().hex[:15]
    domain = "ü" * 63 + "." + "ü" * 63 + "." + "ü" * 63 + "." + "ü" * 42 + ".de"
    email = local + "@" + domain
    assert len(email) == 254, f"built an email of {len(email)} code points, expected 254"
    response = post(client, {"email": email, "password": new_password()})
    assert response.status == 201, \
        f"an email of 254 code points ({len(email.encode())} bytes) gave {response.status}: " \
        f"{response.body[:300]!r}"
    assert response.json()["user"]["email"] == email, "stored email differs from the one sent"


def test_email_255_code_points(client):
    email = "u" + uuid.uuid4().hex[:15] + "@" + "ü" * 63 + "." + "ü" * 63 + "." + "ü" * 63 \
        + "." + "ü" * 43 + ".de"
    assert len(email) == 255, f"built an email of {len(email)} code points, expected 255"
    response = post(client, {"email": email, "password": new_password()})
    assert_reply(response, 400, {"email": [EMAIL_TOO_LONG]})


def test_email_trimmed_before_length(client):
    email = email_of_length(254)
    response = post(client, {"email": "   " + email + "\n", "password": new_password()})
    assert response.status == 201, \
        f"a 254-character email with surrounding spaces gave {response.status}: {response.body!r}"


def test_stored_literal_registers_again(client):
    local = "x" + uuid.uuid4().hex[:10]
    first = post(client, {"email": f"{local}@[IPv6:::1]", "password": new_password()})
    assert first.status == 201, f"status {first.status}: {first.body!r}"
    stored = first.json()["user"]["email"]
    second = post(client, {"email": stored, "password": new_password()})
    assert_reply(second, 400, {"email": [EMAIL_TAKEN]})


def test_email_255_rejected(client):
    response = post(client, {"email": email_of_length(255), "password": new_password()})
    assert_reply(response, 400, {"email": [EMAIL_TOO_LONG]})


def test_email_too_long_and_invalid(client):
    response = post(client, {"email": "x" * 300, "password": new_password()})
    assert_reply(response, 400, {"email": [EMAIL_TOO_LONG, EMAIL_INVALID]})


VALID_EMAILS = [
    ("plain{}", "example.com"),
    ("first.last{}", "example.com"),
    ("a+tag{}", "example.com"),
    ("a/b{}", "example.com"),
    ("!#$%&'*+/=?^_`{{|}}~-{}", "example.com"),
    ('"quoted.{}"', "example.com"),
    ('"quo\\"te\\\\{}"', "example.com"),
    ("x{}", "localhost"),
    ("x{}", "[127.0.0.1]"),
    ("x{}", "[IPv6:::1]"),
    ("x{}", "sub.exam-ple.example"),
    ("x{}", "example.123"),
    ("x{}", "d" * 63 + ".example"),
    ("x{}", "example." + "t" * 63),
    ("x{}", "bücher.example"),
    ("x{}", "xn--bcher-kva.example"),
]


@pytest.mark.parametrize("local, domain", VALID_EMAILS)
def test_valid_email_accepted(client, local, domain):
    local = local.format(uuid.uuid4().hex[:10])
    response = post(client, {"email": f"{local}@{domain}", "password": new_password()})
    assert response.status == 201, \
        f"{local}@{domain} gave {response.status}: {response.body!r}"
    stored = response.json()["user"]["email"]
    assert stored == f"{local}@{domain.lower()}", \
        f"stored email is {stored!r}, expected the local part as given and the domain lowercased"


INVALID_EMAILS = [
    "plain", "@example.com", "a@", "a@@example.com", "a@b@example.com", "a..b@example.com",
    ".a@example.com", "a.@example.com", "a b@example.com", '"a b"@example.com', 'a"b@example.com',
    "ü@example.com", "jörg@example.com", "a@example", "a@example.c", "a@example.co-",
    "a@-example.com", "a@example-.com", "a@exa_mple.com", "a@example..com", "a@.example.com",
    "a@example.com.", "a@" + "d" * 64 + ".example", "a@example." + "t" * 64, "a@[127.0.0.1",
    "a@exam ple.com",
]


@pytest.mark.parametrize("email", INVALID_EMAILS)
def test_invalid_email_rejected(client, email):
    response = post(client, {"email": email, "password": new_password()})
    assert_reply(response, 400, {"email": [EMAIL_INVALID]})


def test_domain_lowercased(client, db_query):
    tag = uuid.uuid4().hex[:10]
    response = post(client, {"email": f"Mixed.Case{tag}@Example.COM", "password": new_password()})
    assert response.status == 201, f"status {response.status}: {response.body!r}"
    expected = f"Mixed.Case{tag}@example.com"
    assert response.json()["user"] == {"email": expected}, \
        f"user is {response.json()['user']}, expected the local part kept and the domain lowercased"
    rows = db_query("SELECT email FROM users WHERE email = " + support.sql_string(expected))
    assert rows == [(expected,)], f"stored email is {rows}, expected {expected!r}"


def test_idn_domain_lowercased(client):
    tag = uuid.uuid4().hex[:10]
    response = post(client, {"email": f"x{tag}@BÜCHER.Example", "password": new_password()})
    assert response.status == 201, f"status {response.status}: {response.body!r}"
    assert response.json()["user"]["email"] == f"x{tag}@bücher.example", \
        f"user is {response.json()['user']}, expected the non-ASCII domain lowercased too"


def test_idn_email_rendered_utf8(client):
    email = f"x{uuid.uuid4().hex[:10]}@bücher.example"
    response = post(client, {"email": email, "password": new_password()})
    assert response.status == 201, f"status {response.status}: {response.body!r}"
    expected = b'{"user":{"email":"' + email.encode("utf-8") + b'"}'
    assert response.body.startswith(expected), \
        f"body starts {response.body[:80]!r}, expected {expected!r} (UTF-8, not escaped)"


def test_slash_in_email_not_escaped(client):
    email = f"a/b{uuid.uuid4().hex[:10]}@example.com"
    response = post(client, {"email": email, "password": new_password()})
    assert response.status == 201, f"status {response.status}: {response.body!r}"
    expected = b'{"user":{"email":"' + email.encode() + b'"}'
    assert response.body.startswith(expected), \
        f"body starts {response.body[:60]!r}, expected {expected!r} with '/' unescaped"


def test_accents_are_distinct(client):
    local = "x" + uuid.uuid4().hex[:10]
    first = post(client, {"email": f"{local}@bucher.example", "password": new_password()})
    second = post(client, {"email": f"{local}@bücher.example", "password": new_password()})
    assert first.status == 201, f"bucher.example gave {first.status}: {first.body!r}"
    assert second.status == 201, \
        f"bücher.example after bucher.example gave {second.status}: {second.body!r}"


def test_duplicate_email_any_case(client):
    local = "Dup" + uuid.uuid4().hex[:10]
    first = post(client, {"email": f"{local}@example.com", "password": new_password()})
    assert first.status == 201, f"first registration gave {first.status}: {first.body!r}"

    for variant in (f"{local}@example.com", f"{local.upper()}@EXAMPLE.com",
                    f"{local.lower()}@Example.Com"):
        response = post(client, {"email": variant, "password": new_password()})
        assert_reply(response, 400, {"email": [EMAIL_TAKEN]})


def test_duplicate_email_and_short_password(client, register):
    user = register()
    response = post(client, {"email": user.email.upper(), "password": "short"})
    assert_reply(response, 400, {"email": [EMAIL_TAKEN], "password": [PASSWORD_SHORT]})


def test_both_fields_checked(client):
    response = post(client, {"email": "not-an-email", "password": "short"})
    assert_reply(response, 400, {"email": [EMAIL_INVALID], "password": [PASSWORD_SHORT]})


@pytest.mark.parametrize("password", [
    "p" * 8, "p" * 4096, "é" * 8, "é" * 4096, "\U0001F600" * 8, "\U0001F600" * 4096,
    "  " + "p" * 8 + "  ", "p" * 4096 + "\u3000",
])
def test_password_length_accepted(client, password):
    email = new_email()
    response = post(client, {"email": email, "password": password})
    assert response.status == 201, \
        f"password of {len(password.strip())} code points gave {response.status}: {response.body!r}"
    support.login(client, email, password.strip())


@pytest.mark.parametrize("password, message", [
    ("p" * 7, PASSWORD_SHORT),
    ("é" * 7, PASSWORD_SHORT),
    ("\U0001F600" * 7, PASSWORD_SHORT),
    ("  1234567 \u00a0", PASSWORD_SHORT),
    ("p" * 4097, PASSWORD_LONG),
    ("é" * 4097, PASSWORD_LONG),
    ("\U0001F600" * 4097, PASSWORD_LONG),
])
def test_password_length_rejected(client, password, message):
    response = post(client, {"email": new_email(), "password": password})
    assert_reply(response, 400, {"password": [message]})


def test_whitespace_trimmed(client, db_query):
    email = new_email()
    password = new_password()
    body = {"email": "\t " + email + "\u00a0\n", "password": "\u3000" + password + "\u2003 "}
    response = post(client, body)
    assert response.status == 201, f"status {response.status}: {response.body!r}"
    assert response.json()["user"] == {"email": email}, \
        f"user is {response.json()['user']}, expected the email without surrounding whitespace"
    assert support.user_row(db_query, email)["email"] == email, "stored email is not trimmed"
    support.login(client, email, password)
    support.login(client, email, " " + password + "\u00a0")


def test_expired_authorization_ignored(client):
    expired = tokens.forge_access(1, iat=int(time.time()) - 7200)
    for header in (f"Bearer {expired}", "Bearer", "Bearer a b", "Basic Zm9vOmJhcg=="):
        response = post(client, {"email": new_email(), "password": new_password()},
                        headers={"Authorization": header})
        assert response.status == 201, \
            f"register with Authorization {header[:20]!r}... gave {response.status}: {response.body!r}"


def test_concurrent_same_email(server):
    email = new_email()

    def attempt(index):
        return server.request("POST", REGISTER, {"email": email, "password": new_password()})

    results = support.run_together(20, attempt)
    errors = [result for result in results if isinstance(result, Exception)]
    assert not errors, f"requests failed: {errors[:3]}"
    statuses = sorted(result.status for result in results)
    assert statuses.count(201) == 1, f"statuses are {statuses}, expected exactly one 201"
    assert statuses.count(400) == 19, f"statuses are {statuses}, expected nineteen 400"
    for result in results:
        if result.status == 400:
            assert_reply(result, 400, {"email": [EMAIL_TAKEN]})


def test_error_order_follows_fields(client):
    body = b'{"password":"short","email":"not-an-email"}'
    response = post(client, body, headers={"Content-Type": "application/json"})
    assert_reply(response, 400, {"email": [EMAIL_INVALID], "password": [PASSWORD_SHORT]})


def test_form_plus_is_space(client):
    email = new_email()
    body = b"email=" + email.replace("@", "%40").encode() + b"&password=correct+horse+battery"
    response = post(client, body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 201, f"status {response.status}: {response.body!r}"
    support.login(client, email, "correct horse battery")
