"""Faults: the database down, connections killed or timed out, a program killed.

Every endpoint responds 503 while MariaDB is down and recovers after. A connection that
the server ends (KILL, wait_timeout) is reopened by the next request, and no write is
applied twice. A FastCGI process killed with SIGKILL is replaced by lighttpd.

This file stops the shared database, so its name sorts it last. It starts MariaDB again
even when a check fails, because the session fixtures stop it at the end.
"""

import http.client
import json
import os
import re
import signal
import time

import pytest

import support
from conftest import DB_USER, SERVER_KIND, running
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


def program_connections(database) -> list[str]:
    """Return the MariaDB connection ids of the programs: their own accounts, or the
    configuration file's account where the sample gives them none."""
    rows = database.query("SELECT ID FROM information_schema.PROCESSLIST "
                          f"WHERE USER LIKE 'shopease\\_%' OR USER = '{DB_USER}'")
    return [row[0] for row in rows]


def kill_connections(database) -> int:
    ids = program_connections(database)
    for connection_id in ids:
        # A connection may end between the listing and the KILL.
        try:
            database.query(f"KILL {connection_id}")
        except AssertionError as error:
            if "Unknown thread id" not in str(error):
                raise
    return len(ids)


def count(database, sql: str) -> int:
    return int(database.query(sql)[0][0])


def exercise_every_endpoint(server, database, user) -> None:
    """Send one request to each endpoint and check each write was applied exactly once."""
    email = support.new_email()
    registered = server.request("POST", REGISTER, {"email": email, "password": support.new_password()})
    assert registered.status == 201, f"register gave {registered.status}: {registered.body!r}"
    rows = count(database, "SELECT COUNT(*) FROM users WHERE email = " + support.sql_string(email))
    assert rows == 1, f"{rows} user rows for {email}, expected 1"
    new_id = support.jti_of(registered.json()["refresh"])
    outstanding = count(database, "SELECT COUNT(*) FROM outstanding_tokens o JOIN users u "
                                  "ON o.user_id = u.id WHERE u.email = " + support.sql_string(email))
    assert outstanding == 1, f"{outstanding} outstanding rows for the new user, expected 1 ({new_id})"

    before = count(database, f"SELECT COUNT(*) FROM outstanding_tokens WHERE user_id = {user.id}")
    logged_in = server.request("POST", LOGIN, {"email": user.email, "password": user.password})
    assert logged_in.status == 200, f"login gave {logged_in.status}: {logged_in.body!r}"
    after = count(database, f"SELECT COUNT(*) FROM outstanding_tokens WHERE user_id = {user.id}")
    assert after == before + 1, f"login added {after - before} outstanding rows, expected 1"

    refreshed = server.request("POST", REFRESH, {"refresh": logged_in.json()["refresh"]})
    assert refreshed.status == 200, f"refresh gave {refreshed.status}: {refreshed.body!r}"
    me = server.request("GET", ME, token=user.access)
    assert me.status == 200, f"/me/ gave {me.status}: {me.body!r}"
    logged_out = server.request("POST", LOGOUT, {"refresh": refreshed.json()["refresh"]},
                                token=user.access)
    assert logged_out.status == 205, f"logout gave {logged_out.status}: {logged_out.body!r}"


# In CGI mode every request is a new process with a new connection: nothing to kill.
persistent_programs = pytest.mark.skipif(
    SERVER_KIND in ("lighttpd-cgi", "apache-cgi"),
    reason="CGI programs hold no connection between requests")


@persistent_programs
def test_killed_connections_reconnect(server, database):
    user = support.register_user(server)
    exercise_every_endpoint(server, database, user)
    killed = kill_connections(database)
    assert killed >= 5, f"only {killed} program connections were open, expected one per program"
    exercise_every_endpoint(server, database, user)


def test_idle_connections_timed_out(server, database):
    user = support.register_user(server)
    original = database.query("SELECT @@GLOBAL.wait_timeout")[0][0]
    database.query("SET GLOBAL wait_timeout = 2")
    try:
        # Connections take wait_timeout when they open: make the programs reconnect.
        kill_connections(database)
        exercise_every_endpoint(server, database, user)
        time.sleep(3)
        exercise_every_endpoint(server, database, user)
    finally:
        database.query(f"SET GLOBAL wait_timeout = {original}")


RESPAWN_TIMEOUT = 10.0


@pytest.mark.skipif(SERVER_KIND != "lighttpd-fastcgi",
                    reason="lighttpd's respawning of its FastCGI processes")
def test_killed_program_respawned(server):
    user = support.register_user(server)
    before = {pid for pid, name in server.programs().items() if name == "token_refresh"}
    assert before, "no token_refresh process runs"
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    assert support.wait_for(lambda: not running(victim), timeout=5), f"process {victim} still runs"

    # lighttpd notices the dead process on the next request to it and starts a new one,
    # so a request may fail before one succeeds. These requests bypass the response
    # audit, because lighttpd responds with its own page for a backend that died.
    statuses = []
    token = user.refresh
    deadline = time.monotonic() + RESPAWN_TIMEOUT
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            connection.request("POST", REFRESH, body=json.dumps({"refresh": token}),
                               headers={"Content-Type": "application/json"})
            reply = connection.getresponse()
            body = reply.read()
        finally:
            connection.close()
        statuses.append(reply.status)
        if reply.status == 200:
            token = json.loads(body)["refresh"]
            if len(statuses) >= 8 and all(status == 200 for status in statuses[-8:]):
                break
        time.sleep(0.1)
    assert statuses.count(200) >= 8, f"refresh after the kill gave {statuses}"
    assert statuses[-8:] == [200] * 8, f"refresh does not succeed steadily: {statuses}"
    after = {pid for pid, name in server.programs().items() if name == "token_refresh"}
    assert victim not in after, f"process {victim} is still listed: {after}"
    assert after - before, f"no new token_refresh process was started: before {before}, after {after}"
