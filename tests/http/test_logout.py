"""POST /api/auth/logout/: authentication, the refresh body and blacklisting."""

import pytest

import support
import tokens
from support import LOGOUT, REFRESH, assert_reply, jti_of, token_error

REQUIRED = {"error": "Refresh token is required"}


def invalid_refresh(reason: str) -> dict:
    return {"error": f"Invalid refresh token: {reason}"}


def test_logout_success(client, register, db_query):
    user = register()
    response = client.request("POST", LOGOUT, {"refresh": user.refresh}, token=user.access)
    assert response.status == 205, f"status {response.status}, expected 205: {response.body!r}"
    assert response.body == b"", f"a 205 has a body: {response.body!r}"
    reason = support.blacklist_reason(db_query, jti_of(user.refresh))
    assert reason == "logout", f"blacklist reason is {reason!r}, expected 'logout'"

    refreshed = client.request("POST", REFRESH, {"refresh": user.refresh})
    assert_reply(refreshed, 401, token_error("Token is blacklisted"))

    again = client.request("POST", LOGOUT, {"refresh": user.refresh}, token=user.access)
    assert_reply(again, 400, invalid_refresh("Token is blacklisted"))


def test_logout_without_slash(client, register, db_query):
    user = register()
    response = client.request("POST", LOGOUT.rstrip("/"), {"refresh": user.refresh},
                              token=user.access)
    assert response.status == 205, f"status {response.status}, expected 205: {response.body!r}"
    assert support.blacklist_reason(db_query, jti_of(user.refresh)) == "logout", \
        "the refresh token was not blacklisted"


@pytest.mark.parametrize("separator", ["\t", "   ", " \t "])
def test_bearer_any_whitespace(client, register, separator):
    user = register()
    response = client.request("POST", LOGOUT, {"refresh": user.refresh},
                              headers={"Authorization": "Bearer" + separator + user.access})
    assert response.status == 205, \
        f"Bearer{separator!r}<token> gave {response.status}: {response.body!r}"


def test_logout_login_token(client, register):
    user = register()
    pair = support.login(client, user.email, user.password)
    response = client.request("POST", LOGOUT, {"refresh": pair["refresh"]}, token=user.access)
    assert response.status == 205, f"status {response.status}: {response.body!r}"


@pytest.mark.parametrize("name", support.AUTH_CASE_NAMES)
def test_logout_unauthenticated(client, register, db_query, name):
    user = register()
    cases = {case: (headers, body) for case, headers, body in
             support.access_auth_cases(user.id, user.access)}
    headers, expected = cases[name]
    response = client.request("POST", LOGOUT, {"refresh": user.refresh}, headers=headers)
    assert_reply(response, 401, expected)
    assert response.headers.get("www-authenticate") == 'Bearer realm="api"', \
        f"WWW-Authenticate is {response.headers.get('www-authenticate')!r}"
    assert support.blacklist_reason(db_query, jti_of(user.refresh)) is None, \
        "a rejected logout blacklisted the refresh token"


def test_deleted_user(client, register, db_query):
    user = register()
    db_query(f"DELETE FROM users WHERE id = {user.id}")
    response = client.request("POST", LOGOUT, {"refresh": user.refresh}, token=user.access)
    assert_reply(response, 401, support.USER_NOT_FOUND)


def test_inactive_user(client, register, db_query):
    user = register()
    db_query(f"UPDATE users SET is_active = 0 WHERE id = {user.id}")
    response = client.request("POST", LOGOUT, {"refresh": user.refresh}, token=user.access)
    assert_reply(response, 401, support.USER_INACTIVE)
    assert support.blacklist_reason(db_query, jti_of(user.refresh)) is None, \
        "logout of an inactive user blacklisted the token"


# A successful logout checks its user in the INSERT that blacklists the token.
# Every other reply must still be the 401 of an inactive or deleted user.
REJECTED_LOGOUTS = {
    "no refresh": ("POST", b"{}", {"Content-Type": "application/json"}),
    "invalid refresh": ("POST", b'{"refresh":"x"}', {"Content-Type": "application/json"}),
    "syntax error": ("POST", b"{", {"Content-Type": "application/json"}),
    "too large": ("POST", b" " * 70000, {"Content-Type": "application/json"}),
    "media type": ("POST", b"refresh=x", {"Content-Type": "text/plain"}),
    "method": ("GET", None, {}),
    "options": ("OPTIONS", None, {}),
}


@pytest.mark.parametrize("state", ["inactive", "deleted"])
@pytest.mark.parametrize("name", sorted(REJECTED_LOGOUTS))
def test_user_checked_before_errors(client, register, db_query, state, name):
    user = register()
    if state == "inactive":
        db_query(f"UPDATE users SET is_active = 0 WHERE id = {user.id}")
    else:
        db_query(f"DELETE FROM users WHERE id = {user.id}")
    method, body, headers = REJECTED_LOGOUTS[name]
    response = client.request(method, LOGOUT, body, headers=headers, token=user.access)
    expected = support.USER_INACTIVE if state == "inactive" else support.USER_NOT_FOUND
    assert_reply(response, 401, expected)


@pytest.mark.parametrize("state", ["inactive", "deleted"])
def test_user_checked_before_token_errors(client, register, db_query, state):
    user, other = register(), register()
    spent = support.login(client, user.email, user.password)["refresh"]
    assert client.request("POST", LOGOUT, {"refresh": spent}, token=user.access).status == 205
    if state == "inactive":
        db_query(f"UPDATE users SET is_active = 0 WHERE id = {user.id}")
    else:
        db_query(f"DELETE FROM users WHERE id = {user.id}")
    expected = support.USER_INACTIVE if state == "inactive" else support.USER_NOT_FOUND
    for refresh in (spent, other.refresh):
        response = client.request("POST", LOGOUT, {"refresh": refresh}, token=user.access)
        assert_reply(response, 401, expected)


@pytest.mark.parametrize("body", [b"", b"{}", b'{"refresh":null}', b'{"refresh":""}',
                                  b'{"other":"x"}'])
def test_refresh_required(client, register, body):
    user = register()
    headers = {"Content-Type": "application/json"} if body else {}
    response = client.request("POST", LOGOUT, body, headers=headers, token=user.access)
    assert_reply(response, 400, REQUIRED)


def test_refresh_required_no_body(client, register):
    user = register()
    response = client.request("POST", LOGOUT, None, token=user.access)
    assert_reply(response, 400, REQUIRED)


def test_invalid_refresh(client, register):
    user = register()
    for token in ("garbage", tokens.forge(tokens.claims("refresh", user.id), secret="x" * 48),
                  tokens.forge_refresh(user.id, iat=0)):
        response = client.request("POST", LOGOUT, {"refresh": token}, token=user.access)
        assert_reply(response, 400, invalid_refresh("Token is invalid or expired"))


@pytest.mark.parametrize("overrides, reason", [
    ({"token_type": "access"}, "Token has wrong type"),
    ({"token_type": None}, "Token has no type"),
    ({"exp": None}, "Token has no 'exp' claim"),
    ({"jti": None}, "Token has no id"),
])
def test_refresh_claim_errors(client, register, overrides, reason):
    user = register()
    token = tokens.forge_refresh(user.id, **overrides)
    response = client.request("POST", LOGOUT, {"refresh": token}, token=user.access)
    assert_reply(response, 400, invalid_refresh(reason))


def test_access_as_refresh(client, register):
    user = register()
    response = client.request("POST", LOGOUT, {"refresh": user.access}, token=user.access)
    assert_reply(response, 400, invalid_refresh("Token has wrong type"))


def test_rotated_refresh(client, register):
    user = register()
    rotated = client.request("POST", REFRESH, {"refresh": user.refresh})
    assert rotated.status == 200, f"refresh gave {rotated.status}: {rotated.body!r}"
    response = client.request("POST", LOGOUT, {"refresh": user.refresh}, token=user.access)
    assert_reply(response, 400, invalid_refresh("Token is blacklisted"))


def test_other_users_token(client, register, db_query):
    owner = register()
    intruder = register()
    response = client.request("POST", LOGOUT, {"refresh": owner.refresh}, token=intruder.access)
    assert_reply(response, 400, invalid_refresh("Token belongs to another user"))
    assert support.blacklist_reason(db_query, jti_of(owner.refresh)) is None, \
        "logout with another user's token blacklisted it"
    count = db_query(f"SELECT COUNT(*) FROM blacklisted_tokens WHERE user_id IN "
                     f"({owner.id}, {intruder.id})")
    assert count == [("0",)], f"blacklisted rows for the two users: {count}, expected none"
    refreshed = client.request("POST", REFRESH, {"refresh": owner.refresh})
    assert refreshed.status == 200, f"owner's token no longer refreshes: {refreshed.status}"


def test_string_user_id_access(client, register):
    user = register()
    access = tokens.forge_access(str(user.id))
    response = client.request("POST", LOGOUT, {"refresh": user.refresh}, token=access)
    assert response.status == 205, \
        f"access token with user_id as a string gave {response.status}: {response.body!r}"


def test_authentication_before_method(client):
    response = client.request("GET", LOGOUT)
    assert_reply(response, 401, support.NOT_PROVIDED)


def test_authentication_before_body(client):
    for body, headers in ((b"hello", {"Content-Type": "text/plain"}),
                          (b" " * 70000, {"Content-Type": "application/json"}),
                          (b"{", {"Content-Type": "application/json"})):
        response = client.request("POST", LOGOUT, body, headers=headers)
        assert_reply(response, 401, support.NOT_PROVIDED)


def test_method_after_authentication(client, register):
    user = register()
    response = client.request("GET", LOGOUT, token=user.access)
    assert_reply(response, 405, {"detail": 'Method "GET" not allowed.'})
    assert response.headers.get("allow") == "POST, OPTIONS", \
        f"Allow is {response.headers.get('allow')!r}"


def test_body_checks_after_authentication(client, register):
    user = register()
    too_large = client.request("POST", LOGOUT, b" " * 70000,
                               headers={"Content-Type": "application/json"}, token=user.access)
    assert_reply(too_large, 413, {"detail": "Request body too large."})
    wrong_type = client.request("POST", LOGOUT, b"refresh=x",
                                headers={"Content-Type": "text/plain"}, token=user.access)
    assert_reply(wrong_type, 415, {"detail": 'Unsupported media type "text/plain" in request.'})


def test_string_user_id_refresh(client, register, db_query):
    user = register()
    refresh = tokens.forge_refresh(str(user.id))
    response = client.request("POST", LOGOUT, {"refresh": refresh}, token=user.access)
    assert response.status == 205, \
        f"a refresh token with user_id {str(user.id)!r} of the same user gave " \
        f"{response.status}: {response.body!r}"
    reason = support.blacklist_reason(db_query, jti_of(refresh))
    assert reason == "logout", f"blacklist reason is {reason!r}, expected 'logout'"


def test_concurrent_refresh_and_logout(server, register):
    user = register()

    def attempt(index):
        if index % 2:
            return server.request("POST", LOGOUT, {"refresh": user.refresh}, token=user.access)
        return server.request("POST", REFRESH, {"refresh": user.refresh})

    results = support.run_together(16, attempt)
    errors = [result for result in results if isinstance(result, Exception)]
    assert not errors, f"requests failed: {errors[:3]}"
    statuses = sorted(result.status for result in results)
    successes = [status for status in statuses if status in (200, 205)]
    assert len(successes) == 1, \
        f"statuses are {statuses}, expected exactly one refresh (200) or logout (205) to win"
    for result in results:
        if result.status == 401:
            assert_reply(result, 401, token_error("Token is blacklisted"))
        elif result.status == 400:
            assert_reply(result, 400, invalid_refresh("Token is blacklisted"))
