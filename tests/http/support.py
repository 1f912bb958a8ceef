"""Shared helpers for the HTTP tests: paths, exact-body assertions, users and concurrency."""

import json
import secrets
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass

import tokens

REGISTER = "/api/auth/register/"
LOGIN = "/api/auth/login/"
REFRESH = "/api/auth/token/refresh/"
LOGOUT = "/api/auth/logout/"
ME = "/api/auth/me/"
POST_PATHS = [REGISTER, LOGIN, REFRESH, LOGOUT]

CREDENTIALS_REJECTED = {"detail": "No active account found with the given credentials"}
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
BAD_HEADER = {"detail": "Authorization header must contain two space-delimited values",
              "code": "bad_authorization_header"}
USER_NOT_FOUND = {"detail": "User not found", "code": "user_not_found"}
USER_INACTIVE = {"detail": "User is inactive", "code": "user_inactive"}
UNAVAILABLE = {"detail": "Service temporarily unavailable."}


def compact(value) -> bytes:
    """Render a value as DRF does: compact JSON, UTF-8, non-ASCII characters unescaped."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def form_encode(fields: dict) -> bytes:
    return urllib.parse.urlencode(fields).encode("ascii")


def new_email(domain: str = "example.com") -> str:
    return f"u{uuid.uuid4().hex[:16]}@{domain}"


def new_password() -> str:
    return "Pw-" + secrets.token_hex(8)


def invalid_access(message: str) -> dict:
    """Return the 401 body for an access token rejected with `message`."""
    return {"detail": "Given token not valid for any token type", "code": "token_not_valid",
            "messages": [{"token_class": "AccessToken", "token_type": "access",
                          "message": message}]}


def token_error(detail: str) -> dict:
    return {"detail": detail, "code": "token_not_valid"}


def assert_reply(response, status: int, expected) -> None:
    """Assert the status and that the body is exactly `expected` rendered as compact JSON."""
    assert response.status == status, \
        f"status is {response.status}, expected {status}; body {response.body[:500]!r}"
    expected_body = compact(expected)
    assert response.body == expected_body, \
        f"body is {response.body!r}, expected {expected_body!r}"


def assert_json_type(response) -> None:
    content_type = response.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    assert media_type == "application/json", \
        f"Content-Type is {content_type!r}, expected application/json"


def read_ordered(response) -> list[tuple]:
    """Return the top-level members of a JSON object body as (key, value) pairs in order."""
    return json.loads(response.body, object_pairs_hook=list)


def assert_token_reply(response, status: int, keys: list[str]) -> dict:
    """Assert a token response: status, key order, compact rendering, no-store, JSON type."""
    assert response.status == status, \
        f"status is {response.status}, expected {status}; body {response.body[:500]!r}"
    assert_json_type(response)
    pairs = read_ordered(response)
    assert [key for key, _ in pairs] == keys, \
        f"keys are {[key for key, _ in pairs]}, expected {keys} in this order"
    document = json.loads(response.body)
    assert response.body == compact(document), f"body is not compact JSON: {response.body!r}"
    cache_control = response.headers.get("cache-control")
    assert cache_control == "no-store", \
        f"Cache-Control is {cache_control!r}, expected 'no-store' on a token response"
    return document


@dataclass
class User:
    email: str
    password: str
    id: int
    access: str
    refresh: str


def register_user(server, email: str | None = None, password: str | None = None) -> User:
    """Register a user through the API and return its credentials and tokens."""
    email = email or new_email()
    password = password or new_password()
    response = server.request("POST", REGISTER, {"email": email, "password": password})
    assert response.status == 201, \
        f"registering {email!r} gave {response.status}: {response.body[:500]!r}"
    document = response.json()
    _, payload = tokens.decode(document["access"])
    return User(document["user"]["email"], password, payload["user_id"], document["access"],
                document["refresh"])


def login(server, email: str, password: str) -> dict:
    response = server.request("POST", LOGIN, {"email": email, "password": password})
    assert response.status == 200, f"login as {email!r} gave {response.status}: {response.body!r}"
    return response.json()


def jti_of(token: str) -> str:
    return tokens.decode(token)[1]["jti"]


def run_together(count: int, action) -> list:
    """Call action(index) from `count` threads released at the same moment; return the results.

    An exception in a thread is returned in that thread's place.
    """
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = action(index)
        except Exception as error:  # noqa: BLE001 - reported to the caller as a result
            results[index] = error

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def wait_for(condition, timeout: float = 5.0, interval: float = 0.05) -> bool:
    """Poll `condition` until it returns true or `timeout` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def escaped_json(value) -> bytes:
    """Render a value as JSON with every non-ASCII character as a \\u escape.

    Lone surrogates such as "\\ud800" survive only in this form, because they cannot be
    encoded as UTF-8.
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sql_string(text: str) -> str:
    """Return `text` as a quoted MariaDB string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def load_crypt():
    """Return Python's crypt module, or None where this Python has none (3.13 removed it)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import crypt
        except ImportError:
            return None
    return crypt


def user_row(db_query, email: str) -> dict | None:
    """Return the users row whose email equals `email` (the column's collation applies)."""
    rows = db_query("SELECT id, email, password, is_active, is_staff, is_superuser, "
                    "date_joined, last_login FROM users WHERE email = " + sql_string(email))
    if not rows:
        return None
    names = ["id", "email", "password", "is_active", "is_staff", "is_superuser",
             "date_joined", "last_login"]
    return dict(zip(names, rows[0]))


def blacklist_reason(db_query, jti: str) -> str | None:
    rows = db_query("SELECT reason FROM blacklisted_tokens WHERE jti = " + sql_string(jti))
    return rows[0][0] if rows else None


def outstanding_row(db_query, jti: str) -> tuple | None:
    """Return (user_id, seconds from created_at to expires_at) of an outstanding token."""
    rows = db_query("SELECT user_id, TIMESTAMPDIFF(SECOND, created_at, expires_at) "
                    "FROM outstanding_tokens WHERE jti = " + sql_string(jti))
    return rows[0] if rows else None


def access_auth_cases(user_id: int, access: str) -> list[tuple[str, dict, dict]]:
    """Return (name, headers, expected 401 body) for each Authorization an endpoint rejects.

    `access` is a valid access token of `user_id`. These are the rows of the 401 table
    shared by logout and /me/, apart from a deleted or inactive user.
    """
    now = int(time.time())
    invalid = "Token is invalid or expired"

    def bearer(token: str) -> dict:
        return {"Authorization": "Bearer " + token}

    def forged(**overrides) -> str:
        return tokens.forge_access(user_id, **overrides)

    def with_header(header: dict, sign_with: str = "HS256") -> str:
        return tokens.forge(tokens.claims("access", user_id), header=header, sign_with=sign_with)

    return [
        ("no header", {}, NOT_PROVIDED),
        ("basic scheme", {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}, NOT_PROVIDED),
        ("lower-case bearer", {"Authorization": "bearer " + access}, NOT_PROVIDED),
        ("upper-case bearer", {"Authorization": "BEARER " + access}, NOT_PROVIDED),
        ("token scheme", {"Authorization": "Token " + access}, NOT_PROVIDED),
        ("empty header", {"Authorization": ""}, NOT_PROVIDED),
        ("bearer alone", {"Authorization": "Bearer"}, BAD_HEADER),
        ("bearer and space", {"Authorization": "Bearer "}, BAD_HEADER),
        ("two tokens", {"Authorization": f"Bearer {access} {access}"}, BAD_HEADER),
        ("garbage token", bearer("abc"), invalid_access(invalid)),
        ("wrong secret", bearer(tokens.forge(tokens.claims("access", user_id),
                                             secret=tokens.TEST_SECRET[::-1])),
         invalid_access(invalid)),
        ("alg none", bearer(with_header({"alg": "none", "typ": "JWT"}, "none")),
         invalid_access(invalid)),
        ("alg hs256", bearer(with_header({"alg": "hs256", "typ": "JWT"})),
         invalid_access(invalid)),
        ("alg HS512", bearer(with_header({"alg": "HS512", "typ": "JWT"}, "HS512")),
         invalid_access(invalid)),
        ("expired", bearer(forged(iat=now - 3601)), invalid_access(invalid)),
        ("exp string", bearer(forged(exp=str(now + 600))), invalid_access(invalid)),
        ("refresh token", bearer(tokens.forge_refresh(user_id)),
         invalid_access("Token has wrong type")),
        ("no token_type", bearer(forged(token_type=None)), invalid_access("Token has no type")),
        ("no exp", bearer(forged(exp=None)), invalid_access("Token has no 'exp' claim")),
        ("no jti", bearer(forged(jti=None)), invalid_access("Token has no id")),
    ]


AUTH_CASE_NAMES = [name for name, _, _ in access_auth_cases(1, "x.y.z")]
