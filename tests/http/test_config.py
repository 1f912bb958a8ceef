"""Configured lifetimes, leeway and body limit, on a lighttpd started with non-default values."""

import time

import pytest

import support
import tokens
from support import REFRESH, REGISTER, assert_reply

ACCESS_LIFETIME = 60
REFRESH_LIFETIME = 120
LEEWAY = 30
BODY_LIMIT = 1024


@pytest.fixture(scope="module")
def tuned_server(start_server):
    server = start_server("tuned", access_lifetime=str(ACCESS_LIFETIME),
                          refresh_lifetime=str(REFRESH_LIFETIME), leeway=str(LEEWAY),
                          body_limit=str(BODY_LIMIT))
    yield server
    server.stop()


def test_configured_lifetimes(tuned_server, db_query):
    user = support.register_user(tuned_server)
    tokens.check_issued(user.access, "access", user.id, lifetime=ACCESS_LIFETIME)
    refresh = tokens.check_issued(user.refresh, "refresh", user.id, lifetime=REFRESH_LIFETIME)
    outstanding = support.outstanding_row(db_query, refresh["jti"])
    assert outstanding == (str(user.id), str(REFRESH_LIFETIME)), \
        f"outstanding row is {outstanding}, expected ({user.id}, {REFRESH_LIFETIME} s)"

    response = tuned_server.request("POST", REFRESH, {"refresh": user.refresh})
    document = support.assert_token_reply(response, 200, ["access", "refresh"])
    tokens.check_issued(document["access"], "access", user.id, lifetime=ACCESS_LIFETIME)
    tokens.check_issued(document["refresh"], "refresh", user.id, lifetime=REFRESH_LIFETIME)


def test_leeway_accepts_recent_expiry(tuned_server):
    user = support.register_user(tuned_server)
    now = int(time.time())
    refresh = tokens.forge_refresh(user.id, iat=now - 200, exp=now - 10)
    response = tuned_server.request("POST", REFRESH, {"refresh": refresh})
    assert response.status == 200, \
        f"a token expired 10 s ago gave {response.status} with a {LEEWAY} s leeway: {response.body!r}"
    access = tokens.forge_access(user.id, iat=now - 200, exp=now - 10)
    me = tuned_server.request("GET", support.ME, token=access)
    assert me.status == 200, \
        f"an access token expired 10 s ago gave {me.status} with a {LEEWAY} s leeway: {me.body!r}"


def test_leeway_rejects_older_expiry(tuned_server):
    user = support.register_user(tuned_server)
    now = int(time.time())
    refresh = tokens.forge_refresh(user.id, iat=now - 200, exp=now - LEEWAY - 10)
    response = tuned_server.request("POST", REFRESH, {"refresh": refresh})
    assert_reply(response, 401, support.token_error("Token is invalid or expired"))
    access = tokens.forge_access(user.id, iat=now - 200, exp=now - LEEWAY - 10)
    me = tuned_server.request("GET", support.ME, token=access)
    assert_reply(me, 401, support.invalid_access("Token is invalid or expired"))


def test_configured_body_limit(tuned_server):
    head, tail = b'{"padding":"', b'"}'
    at_limit = head + b"a" * (BODY_LIMIT - len(head) - len(tail)) + tail
    response = tuned_server.request("POST", REGISTER, at_limit,
                                    headers={"Content-Type": "application/json"})
    assert_reply(response, 400, {"email": ["This field is required."],
                                 "password": ["This field is required."]})
    over = head + b"a" * (BODY_LIMIT + 1 - len(head) - len(tail)) + tail
    response = tuned_server.request("POST", REGISTER, over,
                                    headers={"Content-Type": "application/json"})
    assert_reply(response, 413, {"detail": "Request body too large."})
