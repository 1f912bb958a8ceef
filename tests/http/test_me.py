"""GET /api/auth/me/: the user's own row, authentication and methods."""

import re
import uuid
from datetime import datetime, timezone

import pytest

import support
import tokens
from support import ME, assert_reply

ALLOW = "GET, HEAD, OPTIONS"
UTC_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


def seconds_from_now(text: str) -> float:
    stamp = datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return abs((datetime.now(timezone.utc) - stamp).total_seconds())


def test_me_success(client, register):
    user = register()
    response = client.request("GET", ME, token=user.access)
    assert response.status == 200, f"status {response.status}: {response.body!r}"
    support.assert_json_type(response)

    document = response.json()
    date_joined = document.get("date_joined")
    assert isinstance(date_joined, str) and UTC_DATETIME.fullmatch(date_joined), \
        f"date_joined is {date_joined!r}, expected UTC ISO 8601 like 2026-12-04T19:33:12Z"
    assert seconds_from_now(date_joined) < 60, \
        f"date_joined {date_joined} is not the time of registration (now, UTC)"
    last_login = document.get("last_login")
    assert last_login is None or UTC_DATETIME.fullmatch(str(last_login)), \
        f"last_login is {last_login!r}, expected null or a UTC ISO 8601 date"

    expected = {"id": user.id, "email": user.email, "is_active": True, "is_staff": False,
                "is_superuser": False, "date_joined": date_joined, "last_login": last_login}
    assert_reply(response, 200, expected)


def test_me_after_login(client, register):
    user = register()
    pair = support.login(client, user.email, user.password)
    response = client.request("GET", ME, token=pair["access"])
    assert response.status == 200, f"status {response.status}: {response.body!r}"
    last_login = response.json()["last_login"]
    assert isinstance(last_login, str) and UTC_DATETIME.fullmatch(last_login), \
        f"last_login after login is {last_login!r}, expected a UTC ISO 8601 date"
    assert seconds_from_now(last_login) < 60, f"last_login {last_login} is not now (UTC)"


def test_me_reflects_row(client, register, db_query):
    user = register()
    db_query(f"UPDATE users SET is_staff = 1, is_superuser = 1, "
             f"date_joined = '2026-01-02 03:04:05', last_login = '2026-02-03 04:05:06' "
             f"WHERE id = {user.id}")
    response = client.request("GET", ME, token=user.access)
    expected = {"id": user.id, "email": user.email, "is_active": True, "is_staff": True,
                "is_superuser": True, "date_joined": "2026-01-02T03:04:05Z",
                "last_login": "2026-02-03T04:05:06Z"}
    assert_reply(response, 200, expected)


def test_me_without_slash(client, register):
    user = register()
    response = client.request("GET", ME.rstrip("/"), token=user.access)
    assert response.status == 200, f"status {response.status}: {response.body!r}"
    assert response.json()["id"] == user.id, f"id is {response.json()['id']}, expected {user.id}"


def test_me_head(client, register):
    user = register()
    response = client.request("HEAD", ME, token=user.access)
    assert response.status == 200, f"HEAD gave {response.status}"
    assert response.body == b"", f"HEAD response has a body: {response.body!r}"
    support.assert_json_type(response)


def test_me_options(client, register):
    user = register()
    response = client.request("OPTIONS", ME, token=user.access)
    assert response.status == 200, f"OPTIONS gave {response.status}: {response.body!r}"
    assert response.headers.get("allow") == ALLOW, f"Allow is {response.headers.get('allow')!r}"
    assert isinstance(response.json(), dict), f"OPTIONS body is not a JSON object: {response.body!r}"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", [ME, ME.rstrip("/")])
def test_me_other_methods(client, register, method, path):
    user = register()
    response = client.request(method, path, b"{}", headers={"Content-Type": "application/json"},
                              token=user.access)
    assert_reply(response, 405, {"detail": f'Method "{method}" not allowed.'})
    assert response.headers.get("allow") == ALLOW, f"Allow is {response.headers.get('allow')!r}"


def test_authentication_before_method(client):
    response = client.request("POST", ME, b"{}", headers={"Content-Type": "application/json"})
    assert_reply(response, 401, support.NOT_PROVIDED)


@pytest.mark.parametrize("name", support.AUTH_CASE_NAMES)
def test_me_unauthenticated(client, register, name):
    user = register()
    cases = {case: (headers, body) for case, headers, body in
             support.access_auth_cases(user.id, user.access)}
    headers, expected = cases[name]
    response = client.request("GET", ME, headers=headers)
    assert_reply(response, 401, expected)
    assert response.headers.get("www-authenticate") == 'Bearer realm="api"', \
        f"WWW-Authenticate is {response.headers.get('www-authenticate')!r}"


def test_head_unauthenticated(client):
    response = client.request("HEAD", ME)
    assert response.status == 401, f"HEAD without a token gave {response.status}"
    assert response.headers.get("www-authenticate") == 'Bearer realm="api"', \
        f"WWW-Authenticate is {response.headers.get('www-authenticate')!r}"


def test_deleted_user(client, register, db_query):
    user = register()
    db_query(f"DELETE FROM users WHERE id = {user.id}")
    response = client.request("GET", ME, token=user.access)
    assert_reply(response, 401, support.USER_NOT_FOUND)


def test_inactive_user(client, register, db_query):
    user = register()
    db_query(f"UPDATE users SET is_active = 0 WHERE id = {user.id}")
    response = client.request("GET", ME, token=user.access)
    assert_reply(response, 401, support.USER_INACTIVE)


def test_string_user_id(client, register):
    user = register()
    response = client.request("GET", ME, token=tokens.forge_access(str(user.id)))
    assert response.status == 200, f"user_id as a string gave {response.status}: {response.body!r}"
    assert response.json()["id"] == user.id, f"id is {response.json()['id']}, expected {user.id}"


def test_options_unauthenticated(client):
    response = client.request("OPTIONS", ME)
    assert_reply(response, 401, support.NOT_PROVIDED)


def test_me_unicode_email(client, register):
    user = register(email=f"x{uuid.uuid4().hex[:10]}@bücher.example")
    response = client.request("GET", ME, token=user.access)
    assert response.status == 200, f"status {response.status}: {response.body!r}"
    expected = b'"email":"' + user.email.encode("utf-8") + b'"'
    assert expected in response.body, \
        f"body {response.body!r} lacks {expected!r}: the email must be UTF-8, as stored"


def test_access_without_iat(client, register):
    user = register()
    payload = tokens.claims("access", user.id)
    del payload["iat"]
    response = client.request("GET", ME, token=tokens.forge(payload))
    assert response.status == 200, \
        f"an access token without iat gave {response.status}: {response.body!r}"
