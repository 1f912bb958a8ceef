"""Hostile and malformed input: bodies, Content-Length lies, headers, tokens and SQL text.

Every case must end in the contract's 4xx (never a 500, never a crash). Content-Length
lies that lighttpd would correct or reject are sent by running a program as plain CGI,
with the request in its environment and the body on its standard input.
"""

import json
import os
import select
import socket
import subprocess
import time
import uuid

import pytest

import support
import tokens
from conftest import PROGRAM_BIN, sanitizer_environment
from support import LOGIN, LOGOUT, REFRESH, REGISTER, assert_reply, token_error
from tokens import b64url, claims, forge, forge_raw, forge_refresh

BODY_LIMIT = 65536
INVALID = "Token is invalid or expired"
BLACKLISTED = "Token is blacklisted"
NOT_STRING = "Not a valid string."
CGI_TIMEOUT = 10.0


def read_until_closed(stream, timeout: float) -> bytes | None:
    """Read `stream` until its writer closes it; None when that takes over `timeout` s."""
    chunks = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            return None
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_cgi(server, database, program: str, body: bytes, content_length: str | None,
            stdin_open: bool = False) -> tuple[int, bytes]:
    """Run a program as plain CGI for one POST and return (status, body).

    content_length None leaves CONTENT_LENGTH unset. With stdin_open the body is
    written but standard input stays open, so a program that reads past the body
    blocks until CGI_TIMEOUT.
    """
    user, password = database.account(program)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "SHOPEASE_CONFIG": str(server.config_path),
        "SHOPEASE_DB_USER": user,
        "SHOPEASE_DB_PASSWORD": password,
        **sanitizer_environment(),
    }
    if content_length is not None:
        env["CONTENT_LENGTH"] = content_length
    process = subprocess.Popen([str(PROGRAM_BIN / program)], env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        try:
            process.stdin.write(body)
            process.stdin.flush()
            if not stdin_open:
                process.stdin.close()
        except BrokenPipeError:
            pass  # the program replied without reading the whole body
        # Read the reply to its end. A program that waits for more of the body
        # before it replies blocks here while standard input stays open.
        output = read_until_closed(process.stdout, CGI_TIMEOUT)
        if output is None:
            raise subprocess.TimeoutExpired(program, CGI_TIMEOUT)
        if stdin_open:
            process.stdin.close()
        process.wait(timeout=CGI_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"{program} did not respond within {CGI_TIMEOUT} s "
                             f"(Content-Length {content_length!r})") from None
    finally:
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except BrokenPipeError:
                pass
    assert process.returncode == 0, f"{program} exited with status {process.returncode}"
    head, _, reply = output.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n")[0].decode()
    assert status_line.startswith("Status: "), f"no Status header: {output[:200]!r}"
    return int(status_line.split()[1]), reply


CONTENT_LENGTH_CASES = [
    ("longer than the body", b'{"email":"a@example.com"}', "100", 400,
     {"detail": "Request body is shorter than its Content-Length."}),
    ("negative", b"{}", "-1", 400, {"detail": "Invalid Content-Length header."}),
    ("not a number", b"{}", "abc", 400, {"detail": "Invalid Content-Length header."}),
    ("exponent", b"{}", "2e0", 400, {"detail": "Invalid Content-Length header."}),
    ("hexadecimal", b"{}", "0x2", 400, {"detail": "Invalid Content-Length header."}),
    ("leading space", b"{}", " 2", 400, {"detail": "Invalid Content-Length header."}),
    ("plus sign", b"{}", "+2", 400, {"detail": "Invalid Content-Length header."}),
    ("beyond 64 bits", b"{}", "99999999999999999999999", 400,
     {"detail": "Invalid Content-Length header."}),
    ("shorter than the body", b'{}{"email":"x"}', "2", 400,
     {"email": ["This field is required."], "password": ["This field is required."]}),
    ("zero with a body", b'{"email":"x"}', "0", 400,
     {"email": ["This field is required."], "password": ["This field is required."]}),
    ("absent with a body", b'{"email":"a@example.com"}', None, 400,
     {"password": ["This field is required."]}),
    ("absent, body over the limit", b'{"a":"' + b"x" * BODY_LIMIT + b'"}', None, 413,
     {"detail": "Request body too large."}),
]


@pytest.mark.parametrize("name, body, length, status, expected", CONTENT_LENGTH_CASES,
                         ids=[case[0] for case in CONTENT_LENGTH_CASES])
def test_cgi_content_length(server, database, name, body, length, status, expected):
    got_status, reply = run_cgi(server, database, "login", body, length)
    assert got_status == status, f"{name}: status {got_status}, expected {status}: {reply!r}"
    assert reply == support.compact(expected), f"{name}: body {reply!r}"


def test_cgi_too_large_before_reading(server, database):
    status, reply = run_cgi(server, database, "register", b"{", str(BODY_LIMIT + 1),
                            stdin_open=True)
    assert status == 413, f"status {status}: {reply!r}"
    assert reply == support.compact({"detail": "Request body too large."}), f"body {reply!r}"


def test_cgi_absent_length_reads_to_end(server, database):
    body = support.compact({"email": support.new_email(), "password": "x" * 20})
    status, reply = run_cgi(server, database, "login", body, None)
    assert status == 401, f"status {status}: {reply!r}"
    assert reply == support.compact(support.CREDENTIALS_REJECTED), f"body {reply!r}"


@pytest.fixture(scope="module")
def roomy_server(start_server):
    server = start_server("roomy", body_limit=str(4 * BODY_LIMIT))
    yield server
    server.stop()


@pytest.mark.parametrize("opener, closer", [(b"[", b"]"), (b'{"a":', b"}")],
                         ids=["arrays", "objects"])
@pytest.mark.parametrize("depth", [17, 1000, 20000])
def test_deep_nesting(roomy_server, opener, closer, depth):
    body = opener * depth + b"1" + closer * depth
    response = roomy_server.request("POST", REGISTER, body,
                                    headers={"Content-Type": "application/json"})
    assert response.status == 400, f"depth {depth} gave {response.status}: {response.body[:200]!r}"
    assert response.json()["detail"].startswith("JSON parse error - "), \
        f"depth {depth} gave {response.body[:200]!r}"


def test_ten_thousand_keys(roomy_server, db_query):
    email = support.new_email()
    members = {f"k{index}": index for index in range(10000)}
    members.update({"email": email, "password": support.new_password()})
    response = roomy_server.request("POST", REGISTER, members)
    assert response.status == 201, f"status {response.status}: {response.body[:300]!r}"
    assert support.user_row(db_query, email) is not None, "the user row is missing"


def test_ten_thousand_form_keys(roomy_server):
    body = "&".join(f"k{index}=" for index in range(10000)).encode() + b"&email=x"
    response = roomy_server.request("POST", LOGIN, body,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_reply(response, 400, {"password": ["This field is required."]})


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1e-999", "123456789" * 30])
def test_huge_numbers(client, number):
    body = ('{"email":%s,"password":%s}' % (number, number)).encode()
    response = client.request("POST", REGISTER, body,
                              headers={"Content-Type": "application/json"})
    assert response.status == 400, f"{number[:20]} gave {response.status}: {response.body!r}"


def test_huge_number_as_body(client):
    response = client.request("POST", LOGIN, b"1e999", headers={"Content-Type": "application/json"})
    assert_reply(response, 400, {"non_field_errors": [
        "Invalid data. Expected a dictionary, but got float."]})


NOT_STRINGS = ["true", "false", "1.5", "-0.0", "1e999", "[]", "{}", '["x"]', '{"a":null}']


@pytest.mark.parametrize("value", NOT_STRINGS)
@pytest.mark.parametrize("path, field, error", [
    (LOGIN, "email", {"email": [NOT_STRING], "password": ["This field is required."]}),
    (LOGIN, "password", {"email": ["This field is required."], "password": [NOT_STRING]}),
    (REFRESH, "refresh", {"refresh": [NOT_STRING]}),
], ids=["login-email", "login-password", "refresh"])
def test_every_json_type(client, path, field, error, value):
    body = ('{"%s":%s}' % (field, value)).encode()
    response = client.request("POST", path, body, headers={"Content-Type": "application/json"})
    assert_reply(response, 400, error)


@pytest.mark.parametrize("value", NOT_STRINGS + ["null", "7", '""'])
def test_every_json_type_logout(client, register, value):
    user = register()
    body = ('{"refresh":%s}' % value).encode()
    response = client.request("POST", LOGOUT, body, headers={"Content-Type": "application/json"},
                              token=user.access)
    assert response.status == 400, f"{value} gave {response.status}: {response.body!r}"
    assert "error" in response.json(), f"{value} gave {response.body!r}"


def raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are on a new connection and return (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def test_authorization_4k(client):
    token = "a" * 2000 + "." + "b" * 2000 + "." + "c" * 96
    response = client.request("GET", support.ME, headers={"Authorization": "Bearer " + token})
    assert_reply(response, 401, support.invalid_access(INVALID))


def test_authorization_4k_valid_token(client, register):
    user = register()
    token = forge(claims("access", user.id, padding="x" * 2840))
    assert 4000 <= len(token) <= 4096, f"token is {len(token)} characters long"
    response = client.request("GET", support.ME, token=token)
    assert response.status == 200, f"a valid 4 KB token gave {response.status}: {response.body!r}"


def test_authorization_over_token_limit(client, register):
    user = register()
    token = forge(claims("access", user.id, padding="x" * 2900))
    assert len(token) > 4096, f"token is only {len(token)} characters long"
    response = client.request("GET", support.ME, token=token)
    assert_reply(response, 401, support.invalid_access(INVALID))


@pytest.mark.parametrize("control", [b"\x01", b"\x7f", b"\x00", b"\x1b[31m"])
def test_authorization_control_characters(server, register, control):
    user = register()
    request = (b"GET /api/auth/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               b"Authorization: Bearer " + user.access.encode() + control + b"x\r\n\r\n")
    status, body = raw_request(server.port, request)
    # lighttpd rejects some control characters itself with its own 400.
    assert status in (400, 401), f"{control!r} gave {status}: {body[:200]!r}"
    if status == 401:
        assert json.loads(body)["code"] in ("token_not_valid", "bad_authorization_header"), \
            f"{control!r} gave {body!r}"


def token_cases(user_id: int) -> list[tuple[str, str]]:
    """Return (name, token) for malformed refresh tokens that must be 401 invalid."""
    now = int(time.time())
    valid = forge_refresh(user_id)
    header, payload, signature = valid.split(".")
    good_claims = claims("refresh", user_id)
    standard = b'{"alg":"HS256","typ":"JWT"}'

    def signed(payload_bytes: bytes, header_bytes: bytes = standard) -> str:
        return forge_raw(header_bytes, payload_bytes)

    def with_claim(**overrides) -> str:
        payload_claims = dict(good_claims)
        for name, value in overrides.items():
            if value is None:
                payload_claims.pop(name)
            else:
                payload_claims[name] = value
        return signed(support.compact(payload_claims))

    return [
        ("empty header part", f".{payload}.{signature}"),
        ("empty payload part", f"{header}..{signature}"),
        ("all parts empty", ".."),
        ("padding", f"{header}.{payload}.{signature}="),
        ("plus and slash", f"{header}.{payload}.{signature[:-2]}+/"),
        ("space inside", f"{header}.{payload[:5]} {payload[5:]}.{signature}"),
        ("non-ASCII", f"{header}.{payload}.{signature}\u00e9"),
        ("five parts", f"{valid}.{signature}.{signature}"),
        ("impossible base64 length", f"{header}.{payload}A.{signature}"),
        ("header array", signed(support.compact(good_claims), b'["HS256"]')),
        ("header string", signed(support.compact(good_claims), b'"HS256"')),
        ("header alg number", signed(support.compact(good_claims), b'{"alg":256}')),
        ("header duplicate alg", signed(support.compact(good_claims),
                                        b'{"alg":"HS256","alg":"none"}')),
        ("payload string", signed(b'"refresh"')),
        ("payload array", signed(b"[]")),
        ("payload null", signed(b"null")),
        ("payload trailing data", signed(support.compact(good_claims) + b"x")),
        ("payload invalid UTF-8", signed(b'{"jti":"\xff"}')),
        ("duplicate exp, last expired", signed(
            support.compact(good_claims)[:-1] + b',"exp":%d}' % (now - 10))),
        ("user_id word", with_claim(user_id="seven")),
        ("user_id negative string", with_claim(user_id="-1")),
        ("user_id float", with_claim(user_id=float(user_id))),
        ("user_id object", with_claim(user_id={"id": user_id})),
        ("user_id array", with_claim(user_id=[user_id])),
        ("user_id negative", with_claim(user_id=-user_id)),
        ("user_id zero", with_claim(user_id=0)),
        ("user_id beyond 64 bits", with_claim(user_id=2 ** 64 + user_id)),
        ("user_id missing", with_claim(user_id=None)),
        ("exp negative", with_claim(exp=-1)),
        ("exp zero", with_claim(exp=0)),
        ("exp beyond 64 bits", with_claim(exp=2 ** 64)),
        ("exp null", signed(support.compact({**good_claims, "exp": None}))),
        ("jti empty", with_claim(jti="")),
        ("jti number", with_claim(jti=12345)),
        ("jti with space", with_claim(jti="a b")),
        ("jti too long", with_claim(jti="j" * 256)),
    ]


TOKEN_CASE_NAMES = [name for name, _ in token_cases(1)]


@pytest.mark.parametrize("name", TOKEN_CASE_NAMES)
def test_malformed_refresh_token(client, register, name):
    user = register()
    token = dict(token_cases(user.id))[name]
    response = client.request("POST", REFRESH, {"refresh": token})
    assert_reply(response, 401, token_error(INVALID))


@pytest.mark.parametrize("name", TOKEN_CASE_NAMES)
def test_malformed_access_token(client, register, name):
    user = register()
    token = dict(token_cases(user.id))[name]
    response = client.request("GET", support.ME, headers={"Authorization": "Bearer " + token})
    assert response.status == 401, f"{name} gave {response.status}: {response.body!r}"


@pytest.mark.parametrize("exp", [253402300800, 2 ** 53, 2 ** 63 - 1],
                         ids=["year 10000", "2^53", "int64 max"])
def test_refresh_exp_beyond_year_9999(client, register, exp):
    user = register()
    token = forge_refresh(user.id, exp=exp)
    response = client.request("POST", REFRESH, {"refresh": token})
    assert_reply(response, 401, token_error(INVALID))


def test_logout_exp_beyond_year_9999(client, register):
    user = register()
    token = forge_refresh(user.id, exp=2 ** 63 - 1)
    response = client.request("POST", LOGOUT, {"refresh": token}, token=user.access)
    assert_reply(response, 400, {"error": "Invalid refresh token: " + INVALID})


def test_exp_at_year_9999_accepted(client, register):
    user = register()
    token = forge_refresh(user.id, exp=253402300799)
    response = client.request("POST", REFRESH, {"refresh": token})
    assert response.status == 200, f"status {response.status}: {response.body!r}"


def other_padding_bits(part: str) -> str:
    """Return the base64url text of the same bytes with different unused low bits."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused = {2: 4, 3: 2}[len(part) % 4]
    last = alphabet.index(part[-1])
    return part[:-1] + alphabet[last ^ ((1 << unused) - 1)]


def test_rotated_token_other_spellings(client, register):
    user = register()
    first = client.request("POST", REFRESH, {"refresh": user.refresh})
    assert first.status == 200, f"first refresh gave {first.status}: {first.body!r}"

    header, payload, signature = user.refresh.split(".")
    respelled = f"{header}.{payload}.{other_padding_bits(signature)}"
    assert tokens.b64url_decode(respelled.split(".")[2]) == tokens.b64url_decode(signature), \
        "the respelled signature does not decode to the same bytes"
    response = client.request("POST", REFRESH, {"refresh": respelled})
    assert response.status == 401, \
        f"a respelled signature of a rotated token gave {response.status}: {response.body!r}"
    assert response.json()["detail"] in (INVALID, BLACKLISTED), f"body {response.body!r}"

    _, claims_of_token = tokens.decode(user.refresh)
    resigned = forge(claims_of_token, header={"typ": "JWT", "alg": "HS256"})
    assert resigned != user.refresh, "the re-signed token is the same text"
    response = client.request("POST", REFRESH, {"refresh": resigned})
    assert_reply(response, 401, token_error(BLACKLISTED))


NASTY_LOCAL_PARTS = [
    "x'or'1'='1'--{}",
    "o'brien%_{}",
    "`{}`|{{}}",
    '"\';DROP/**/TABLE/**/users;--{}"',
    '"\\\\\';\\"{}"',
]
NASTY_PASSWORDS = [
    "'; DROP TABLE users; --",
    "' OR '1'='1' -- ",
    "\\'); DELETE FROM users; #",
    "%_%_\\%\\_\"\"''",
]


@pytest.mark.parametrize("local", NASTY_LOCAL_PARTS)
@pytest.mark.parametrize("password", NASTY_PASSWORDS)
def test_sql_text_is_data(client, db_query, local, password):
    users_before = int(db_query("SELECT COUNT(*) FROM users")[0][0])
    email = local.format(uuid.uuid4().hex[:8]) + "@example.com"
    response = client.request("POST", REGISTER, {"email": email, "password": password})
    assert response.status == 201, f"{email!r} gave {response.status}: {response.body!r}"
    assert response.json()["user"] == {"email": email}, f"user is {response.json()['user']}"

    rows = db_query("SELECT email FROM users WHERE email = BINARY " + support.sql_string(email))
    assert rows == [(email,)], f"stored rows for {email!r} are {rows}"
    users_after = int(db_query("SELECT COUNT(*) FROM users")[0][0])
    assert users_after >= users_before + 1, f"users went from {users_before} to {users_after}"
    support.login(client, email, password.strip())
    wrong = client.request("POST", LOGIN, {"email": email, "password": "' OR '1'='1"})
    assert wrong.status == 401, f"an injection as password gave {wrong.status}: {wrong.body!r}"


def test_sql_text_in_login_email(client, db_query):
    for email in ["' OR '1'='1", "x' OR 1=1 -- @example.com", "\\'; DROP TABLE users; --"]:
        response = client.request("POST", LOGIN, {"email": email, "password": "anything1"})
        assert_reply(response, 401, support.CREDENTIALS_REJECTED)
    assert db_query("SHOW TABLES LIKE 'users'") == [("users",)], "the users table is gone"
