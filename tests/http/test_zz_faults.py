"""Database outage: every endpoint responds 503 while MariaDB is down and recovers after.

This file stops the shared database, so its name sorts it last. It starts MariaDB again
even when a check fails, because the session fixtures stop it at the end.
"""

import re

import support
from support import LOGIN, LOGOUT, ME, REFRESH, REGISTER, UNAVAILABLE, assert_reply

REQUESTS_PER_ENDPOINT = 4


def test_database_down(server, database):
    users = [support.register_user(server) for _ in range(2 * REQUESTS_PER_ENDPOINT)]
    spare_refresh = [support.login(server, user.email, user.password)["refresh"] for user in users]
    user = users[0]

    offset = server.log_size()
    database.stop()
    try:
        requests = [
            ("register", "POST", REGISTER, {"email": support.new_email(),
                                            "password": support.new_password()}, None),
            ("login", "POST", LOGIN, {"email": user.email, "password": user.password}, None),
            ("refresh", "POST", REFRESH, {"refresh": user.refresh}, None),
            ("logout", "POST", LOGOUT, {"refresh": spare_refresh[0]}, user.access),
            ("me", "GET", ME, None, user.access),
        ]
        for name, method, path, body, token in requests:
            response = server.request(method, path, body, token=token)
            assert_reply(response, 503, UNAVAILABLE)

        log = support.wait_for(lambda: server.log_since(offset))
        assert log.strip(), "no log line was written for the 503 responses"
        assert re.search(r"(?i)database|mariadb|mysql|connect", log), \
            f"the log lines do not mention the database: {log[-1500:]!r}"
    finally:
        database.start()

    for attempt in range(REQUESTS_PER_ENDPOINT):
        target = users[attempt + 1]
        registered = server.request("POST", REGISTER, {"email": support.new_email(),
                                                       "password": support.new_password()})
        assert registered.status == 201, \
            f"register {attempt + 1} after the restart gave {registered.status}: {registered.body!r}"
        logged_in = server.request("POST", LOGIN, {"email": target.email,
                                                   "password": target.password})
        assert logged_in.status == 200, \
            f"login {attempt + 1} after the restart gave {logged_in.status}: {logged_in.body!r}"
        refreshed = server.request("POST", REFRESH, {"refresh": target.refresh})
        assert refreshed.status == 200, \
            f"refresh {attempt + 1} after the restart gave {refreshed.status}: {refreshed.body!r}"
        me = server.request("GET", ME, token=target.access)
        assert me.status == 200, f"/me/ {attempt + 1} after the restart gave {me.status}: {me.body!r}"
        logged_out = server.request("POST", LOGOUT, {"refresh": spare_refresh[attempt + 1]},
                                    token=target.access)
        assert logged_out.status == 205, \
            f"logout {attempt + 1} after the restart gave {logged_out.status}: {logged_out.body!r}"
