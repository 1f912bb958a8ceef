"""Writes whose connection is lost: a refresh and a logout are each one statement, and
when the connection to MariaDB breaks during it, the program cannot know whether it
was applied. It sends the statement again on a new connection, and if that one finds
the first attempt's row, it replies as if nothing had broken.

A proxy between the programs and MariaDB's socket breaks the connection on cue: either
before the write reaches the server (not applied), or after the server has run it and
before its reply reaches the program (applied).
"""

import socket
import threading
import time
from pathlib import Path

import pytest

import support
from support import LOGOUT, ME, REFRESH, assert_reply

COM_STMT_PREPARE = 0x16
COM_STMT_EXECUTE = 0x17
# Long enough for the server to run and commit the statement it was sent.
APPLY_WAIT = 0.5


class BreakingProxy:
    """Forward connections from a Unix socket to MariaDB's, and break the first
    connection that executes a statement whose text contains `marker`, once.

    mode "before": close the connection instead of passing the execution on.
    mode "after": pass it on, let the server run it, drop its reply and close.
    """

    def __init__(self, path: Path, target: Path, marker: bytes, mode: str):
        self.path = path
        self.target = target
        self.marker = marker
        self.mode = mode
        self.broken = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        # Web servers that run the programs as another user must reach it too.
        path.chmod(0o777)
        self.listener.listen(16)
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.stopping = True
        self.listener.close()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.connect(str(self.target))
            threading.Thread(target=self._upstream, args=(client, server), daemon=True).start()
            threading.Thread(target=self._downstream, args=(client, server), daemon=True).start()

    @staticmethod
    def _close(client: socket.socket, server: socket.socket) -> None:
        for end in (client, server):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def _downstream(self, client: socket.socket, server: socket.socket) -> None:
        try:
            while data := server.recv(65536):
                client.sendall(data)
        except OSError:
            pass

    def _upstream(self, client: socket.socket, server: socket.socket) -> None:
        """Pass the client's packets on one by one, watching for the marked statement."""
        pending = b""
        armed = False
        try:
            while data := client.recv(65536):
                pending += data
                while len(pending) >= 4:
                    size = int.from_bytes(pending[:3], "little") + 4
                    if len(pending) < size:
                        break
                    packet, pending = pending[:size], pending[size:]
                    command = packet[4] if size > 4 else None
                    if command == COM_STMT_PREPARE and self.marker in packet:
                        armed = not self.broken.is_set()
                    if armed and command == COM_STMT_EXECUTE:
                        self._break(packet, client, server)
                        return
                    server.sendall(packet)
        except OSError:
            pass

    def _break(self, packet: bytes, client: socket.socket, server: socket.socket) -> None:
        self.broken.set()
        if self.mode == "after":
            # The downstream thread still forwards replies, so the client's end is
            # closed first and the reply never reaches it. Then the server runs it.
            client.shutdown(socket.SHUT_RDWR)
            server.sendall(packet)
            time.sleep(APPLY_WAIT)
        self._close(client, server)


@pytest.fixture
def proxied_server(start_server, database, base_dir):
    """Start a web server whose programs reach MariaDB through a BreakingProxy."""
    proxies = []

    def start(name: str, marker: bytes, mode: str):
        path = base_dir / f"{name}.sock"
        proxy = BreakingProxy(path, database.socket, marker, mode)
        proxies.append(proxy)
        return start_server(name, db_socket=str(path)), proxy

    yield start
    for proxy in proxies:
        proxy.close()


def test_refresh_lost_before_applied(proxied_server, db_query):
    server, proxy = proxied_server("lost-refresh-before", b"rotate_refresh_token", "before")
    user = support.register_user(server)

    response = server.request("POST", REFRESH, {"refresh": user.refresh})
    assert proxy.broken.is_set(), "the proxy never saw the rotation"
    document = support.assert_token_reply(response, 200, ["access", "refresh"])
    assert support.blacklist_reason(db_query, support.jti_of(user.refresh)) == "rotated"
    assert support.outstanding_row(db_query, support.jti_of(document["refresh"])) is not None
    # The new pair works and the old token is spent.
    again = server.request("POST", REFRESH, {"refresh": document["refresh"]})
    assert again.status == 200, again.body
    spent = server.request("POST", REFRESH, {"refresh": user.refresh})
    assert_reply(spent, 401, support.token_error("Token is blacklisted"))


def test_refresh_lost_after_applied(proxied_server, db_query):
    server, proxy = proxied_server("lost-refresh-after", b"rotate_refresh_token", "after")
    user = support.register_user(server)
    offset = server.log_size()

    response = server.request("POST", REFRESH, {"refresh": user.refresh})
    assert proxy.broken.is_set(), "the proxy never saw the rotation"
    document = support.assert_token_reply(response, 200, ["access", "refresh"])
    # The first attempt's token is the one issued: the second attempt conflicted with it.
    assert support.outstanding_row(db_query, support.jti_of(document["refresh"])) is not None
    assert support.blacklist_reason(db_query, support.jti_of(user.refresh)) == "rotated"
    log = support.wait_for(lambda: server.log_since(offset))
    assert "had been applied" in log, log
    me = server.request("GET", ME, token=document["access"])
    assert me.status == 200, me.body
    again = server.request("POST", REFRESH, {"refresh": document["refresh"]})
    assert again.status == 200, again.body


def test_refresh_lost_then_other_rotation(proxied_server, db_query):
    """A conflict after a lost attempt is still a 401 when another request spent the token."""
    server, proxy = proxied_server("lost-refresh-spent", b"rotate_refresh_token", "before")
    user = support.register_user(server)
    # Spend the token past the proxy, straight in the database, as a rival would.
    jti = support.jti_of(user.refresh)
    db_query("INSERT INTO blacklisted_tokens (jti, user_id, reason, blacklisted_at, "
             f"expires_at) VALUES ({support.sql_string(jti)}, {user.id}, 'rotated', "
             "UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY)")

    response = server.request("POST", REFRESH, {"refresh": user.refresh})
    assert proxy.broken.is_set(), "the proxy never saw the rotation"
    assert_reply(response, 401, support.token_error("Token is blacklisted"))


def test_logout_lost_after_applied(proxied_server, db_query):
    server, proxy = proxied_server("lost-logout-after", b"INSERT INTO blacklisted_tokens", "after")
    user = support.register_user(server)
    offset = server.log_size()

    response = server.request("POST", LOGOUT, {"refresh": user.refresh}, token=user.access)
    assert proxy.broken.is_set(), "the proxy never saw the blacklisting"
    assert response.status == 205, response.body
    assert support.blacklist_reason(db_query, support.jti_of(user.refresh)) == "logout"
    log = support.wait_for(lambda: server.log_since(offset))
    assert "had been applied" in log, log


def test_logout_lost_before_applied(proxied_server, db_query):
    server, proxy = proxied_server("lost-logout-before", b"INSERT INTO blacklisted_tokens",
                                   "before")
    user = support.register_user(server)

    response = server.request("POST", LOGOUT, {"refresh": user.refresh}, token=user.access)
    assert proxy.broken.is_set(), "the proxy never saw the blacklisting"
    assert response.status == 205, response.body
    assert support.blacklist_reason(db_query, support.jti_of(user.refresh)) == "logout"
