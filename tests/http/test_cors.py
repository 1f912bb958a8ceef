"""CORS: the allow-list in cors_origins, preflights, and the headers on every response.

The main server allows the one origin https://shop.example. A second server allows two
origins, to check that the list is split on whitespace.
"""

import pytest

import support
from support import LOGIN, LOGOUT, ME, REFRESH, REGISTER, assert_reply

ALLOWED = "https://shop.example"
CORS_HEADERS = ["access-control-allow-origin", "access-control-allow-methods",
                "access-control-allow-headers", "access-control-max-age",
                "access-control-allow-credentials", "vary"]
ENDPOINTS = [(REGISTER, "POST, OPTIONS"), (LOGIN, "POST, OPTIONS"),
             (REFRESH, "POST, OPTIONS"), (LOGOUT, "POST, OPTIONS"),
             (ME, "GET, HEAD, OPTIONS")]
ENDPOINT_IDS = ["register", "login", "refresh", "logout", "me"]
OTHER_ORIGINS = ["https://evil.example", "https://shop.example.evil.example",
                 "http://shop.example", "https://SHOP.example", "https://shop.example:8443",
                 "https://shop.exampl", "null", ""]


def preflight_headers(origin: str, method: str = "POST") -> dict:
    return {"Origin": origin, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type"}


def assert_allowed(response, origin: str = ALLOWED) -> None:
    allow_origin = response.headers.get("access-control-allow-origin")
    assert allow_origin == origin, \
        f"Access-Control-Allow-Origin is {allow_origin!r}, expected {origin!r}"
    vary = response.headers.get("vary")
    assert vary == "Origin", f"Vary is {vary!r}, expected 'Origin'"


def assert_no_cors(response) -> None:
    found = {name: response.headers[name] for name in CORS_HEADERS if name in response.headers}
    assert not found, f"CORS headers sent: {found}"


@pytest.mark.parametrize("path,methods", ENDPOINTS, ids=ENDPOINT_IDS)
def test_preflight_allowed(client, path, methods):
    method = methods.split(",")[0]
    response = client.request("OPTIONS", path, headers=preflight_headers(ALLOWED, method))
    assert response.status == 204, f"status {response.status}: {response.body!r}"
    assert response.body == b"", f"preflight has a body: {response.body!r}"
    assert_allowed(response)
    assert response.headers.get("access-control-allow-methods") == methods, \
        f"Allow-Methods is {response.headers.get('access-control-allow-methods')!r}"
    assert response.headers.get("access-control-allow-headers") == \
        "Authorization, Content-Type", \
        f"Allow-Headers is {response.headers.get('access-control-allow-headers')!r}"
    max_age = response.headers.get("access-control-max-age", "")
    assert max_age.isdigit(), f"Max-Age is {max_age!r}, expected a number of seconds"
    assert int(max_age) > 0, f"Max-Age is {max_age!r}, expected more than 0"
    assert "www-authenticate" not in response.headers, "a preflight asked for credentials"


@pytest.mark.parametrize("path", [LOGOUT, ME], ids=["logout", "me"])
def test_preflight_without_slash(client, path):
    response = client.request("OPTIONS", path.rstrip("/"), headers=preflight_headers(ALLOWED))
    assert response.status == 204, f"status {response.status}: {response.body!r}"
    assert_allowed(response)


@pytest.mark.parametrize("origin", OTHER_ORIGINS)
@pytest.mark.parametrize("path", [LOGOUT, ME], ids=["logout", "me"])
def test_preflight_other_origin_protected(client, path, origin):
    """A preflight from an origin not on the list goes through authentication as before."""
    response = client.request("OPTIONS", path, headers=preflight_headers(origin))
    assert_reply(response, 401, support.NOT_PROVIDED)
    assert_no_cors(response)


@pytest.mark.parametrize("origin", OTHER_ORIGINS)
def test_preflight_other_origin_public(client, origin):
    response = client.request("OPTIONS", LOGIN, headers=preflight_headers(origin))
    assert response.status == 200, f"status {response.status}: {response.body!r}"
    assert response.headers.get("allow") == "POST, OPTIONS", response.headers
    assert_no_cors(response)


@pytest.mark.parametrize("path", [LOGOUT, ME], ids=["logout", "me"])
def test_plain_options_needs_authentication(client, path):
    """OPTIONS without Access-Control-Request-Method is no preflight: it authenticates first."""
    response = client.request("OPTIONS", path, headers={"Origin": ALLOWED})
    assert_reply(response, 401, support.NOT_PROVIDED)
    assert_allowed(response)
    assert "access-control-allow-methods" not in response.headers, response.headers


def test_plain_options_authenticated(client, register):
    user = register()
    response = client.request("OPTIONS", ME, headers={"Origin": ALLOWED}, token=user.access)
    assert response.status == 200, f"status {response.status}: {response.body!r}"
    assert_allowed(response)


def test_register_and_login_allowed(client):
    email, password = support.new_email(), support.new_password()
    registered = client.request("POST", REGISTER, {"email": email, "password": password},
                                headers={"Origin": ALLOWED})
    assert registered.status == 201, f"status {registered.status}: {registered.body!r}"
    assert_allowed(registered)

    logged_in = client.request("POST", LOGIN, {"email": email, "password": password},
                               headers={"Origin": ALLOWED})
    assert logged_in.status == 200, f"status {logged_in.status}: {logged_in.body!r}"
    assert_allowed(logged_in)


def test_protected_allowed(client, register):
    user = register()
    me = client.request("GET", ME, headers={"Origin": ALLOWED}, token=user.access)
    assert me.status == 200, f"status {me.status}: {me.body!r}"
    assert_allowed(me)

    refreshed = client.request("POST", REFRESH, {"refresh": user.refresh},
                               headers={"Origin": ALLOWED})
    assert refreshed.status == 200, f"status {refreshed.status}: {refreshed.body!r}"
    assert_allowed(refreshed)

    logout = client.request("POST", LOGOUT, {"refresh": refreshed.json()["refresh"]},
                            headers={"Origin": ALLOWED}, token=user.access)
    assert logout.status == 205, f"status {logout.status}: {logout.body!r}"
    assert_allowed(logout)


ERROR_CASES = [
    ("401 me", "GET", ME, None, {}),
    ("401 logout", "POST", LOGOUT, {"refresh": "x"}, {}),
    ("400 login", "POST", LOGIN, {}, {}),
    ("401 login", "POST", LOGIN, {"email": "nobody@example.com", "password": "password1"}, {}),
    ("401 refresh", "POST", REFRESH, {"refresh": "abc"}, {}),
    ("405 register", "GET", REGISTER, None, {}),
    ("415 register", "POST", REGISTER, "x", {"Content-Type": "text/plain"}),
    ("413 register", "POST", REGISTER, b"{" + b" " * 70000 + b"}", {}),
]


@pytest.mark.parametrize("method,path,body,headers",
                         [case[1:] for case in ERROR_CASES], ids=[case[0] for case in ERROR_CASES])
def test_errors_carry_cors(client, method, path, body, headers):
    response = client.request(method, path, body, headers={"Origin": ALLOWED, **headers})
    assert response.status >= 400, f"status {response.status}: {response.body!r}"
    assert_allowed(response)


@pytest.mark.parametrize("origin", OTHER_ORIGINS)
def test_other_origin_no_cors(client, origin):
    response = client.request("POST", LOGIN, {}, headers={"Origin": origin})
    assert response.status == 400, f"status {response.status}: {response.body!r}"
    assert_no_cors(response)


def test_no_origin_no_cors(client, register):
    user = register()
    assert_no_cors(client.request("GET", ME, token=user.access))
    assert_no_cors(client.request("POST", LOGIN, {}))
    assert_no_cors(client.request("OPTIONS", LOGIN,
                                  headers={"Access-Control-Request-Method": "POST"}))


@pytest.fixture(scope="module")
def two_origins(start_server):
    return start_server("cors-two-origins",
                        cors_origins="http://localhost:3000   https://app.example:8443")


@pytest.mark.parametrize("origin", ["http://localhost:3000", "https://app.example:8443"])
def test_list_of_origins(two_origins, origin):
    response = two_origins.request("OPTIONS", ME, headers=preflight_headers(origin, "GET"))
    assert response.status == 204, f"status {response.status}: {response.body!r}"
    assert_allowed(response, origin)


def test_list_excludes_others(two_origins):
    for origin in [ALLOWED, "http://localhost:3001", "http://localhost"]:
        response = two_origins.request("OPTIONS", ME, headers=preflight_headers(origin, "GET"))
        assert response.status == 401, f"{origin}: status {response.status}"
        assert_no_cors(response)


@pytest.fixture(scope="module")
def cors_off(start_server):
    return start_server("cors-off", cors_origins=None)


def test_cors_off_by_default(cors_off):
    response = cors_off.request("OPTIONS", ME, headers=preflight_headers(ALLOWED, "GET"))
    assert_reply(response, 401, support.NOT_PROVIDED)
    assert_no_cors(response)
    assert_no_cors(cors_off.request("POST", LOGIN, {}, headers={"Origin": ALLOWED}))
