"""Soak: mixed traffic at concurrency 32 through lighttpd, then checks of the database and memory.

Runs SOAK_SECONDS seconds (default 60; 15 under SANITIZE=1, where memory is not checked
because ASan keeps freed memory in quarantine). `make soak SOAK_SECONDS=600` runs this
file alone and prints the figures. Each worker repeats one mixed round: register, login,
refresh, /me/, logout, a refresh of the rotated token and a malformed body.

Checks: no response is a 5xx; every 201 has its user row; every refresh token issued has
its outstanding row; the same FastCGI processes run at the end as after the warm-up;
and the resident memory (VmRSS) of each program process grows by at most
RSS_GROWTH_LIMIT_KIB from the end of the warm-up (a fifth of the run) to the end.
"""

import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import support
from conftest import SANITIZE
from support import LOGIN, LOGOUT, ME, REFRESH, REGISTER

CONCURRENCY = 32
SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS") or (15 if SANITIZE else 60))
WARM_UP_FRACTION = 0.2
RSS_GROWTH_LIMIT_KIB = 1024


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS line for process {pid}")


class Tally:
    """Status counts and the registered emails and issued refresh tokens, shared by workers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.emails: list[str] = []
        self.refresh_jtis: list[str] = []
        self.server_errors: list[str] = []
        self.failures: list[str] = []

    def record(self, name: str, response, expected: int) -> bool:
        with self.lock:
            self.statuses[(name, response.status)] += 1
            if response.status >= 500:
                self.server_errors.append(f"{name}: {response.status} {response.body[:200]!r}")
            elif response.status != expected and len(self.failures) < 50:
                self.failures.append(f"{name}: {response.status}, expected {expected}: "
                                     f"{response.body[:200]!r}")
        return response.status == expected

    def issued(self, refresh: str, email: str | None = None) -> None:
        with self.lock:
            self.refresh_jtis.append(support.jti_of(refresh))
            if email is not None:
                self.emails.append(email)


def mixed_round(server, tally: Tally) -> None:
    email, password = support.new_email(), support.new_password()
    registered = server.request("POST", REGISTER, {"email": email, "password": password})
    if not tally.record("register", registered, 201):
        return
    tally.issued(registered.json()["refresh"], email)
    access = registered.json()["access"]

    logged_in = server.request("POST", LOGIN, {"email": email, "password": password})
    if not tally.record("login", logged_in, 200):
        return
    old_refresh = logged_in.json()["refresh"]
    tally.issued(old_refresh)

    refreshed = server.request("POST", REFRESH, {"refresh": old_refresh})
    if not tally.record("refresh", refreshed, 200):
        return
    tally.issued(refreshed.json()["refresh"])

    tally.record("me", server.request("GET", ME, token=access), 200)
    tally.record("logout", server.request("POST", LOGOUT, {"refresh": refreshed.json()["refresh"]},
                                          token=access), 205)
    tally.record("reused", server.request("POST", REFRESH, {"refresh": old_refresh}), 401)
    tally.record("malformed", server.request("POST", LOGIN, b'{"email":',
                                             headers={"Content-Type": "application/json"}), 400)


def run_workers(server, tally: Tally, seconds: float) -> None:
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            try:
                mixed_round(server, tally)
            except Exception as error:  # noqa: BLE001 - counted as a failure
                with tally.lock:
                    tally.server_errors.append(f"exception: {error!r}")

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        futures = [pool.submit(worker) for _ in range(CONCURRENCY)]
        for future in futures:
            future.result(timeout=seconds + 120)


def in_chunks(values: list[str], size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def test_soak_mixed_traffic(server, database):
    tally = Tally()
    warm_up = SOAK_SECONDS * WARM_UP_FRACTION
    started = time.monotonic()
    run_workers(server, tally, warm_up)
    processes = server.programs()
    rss_start = {pid: resident_kib(pid) for pid in processes}
    run_workers(server, tally, SOAK_SECONDS - warm_up)
    elapsed = time.monotonic() - started
    processes_end = server.programs()
    rss_end = {pid: resident_kib(pid) for pid in processes_end if pid in rss_start}

    requests = sum(tally.statuses.values())
    print(f"\nsoak: {requests} requests in {elapsed:.0f} s ({requests / elapsed:.0f}/s) at "
          f"concurrency {CONCURRENCY}; {len(tally.emails)} users registered")
    for (name, status), number in sorted(tally.statuses.items()):
        print(f"soak:   {name:9} {status}: {number}")
    for pid in sorted(rss_start, key=lambda pid: (processes[pid], pid)):
        end = rss_end.get(pid)
        print(f"soak:   {processes[pid]:13} pid {pid}: VmRSS {rss_start[pid]} KiB after "
              f"warm-up, {end if end is not None else 'gone'} KiB at the end")

    assert not tally.server_errors, \
        f"{len(tally.server_errors)} server errors, the first: {tally.server_errors[:5]}"
    assert not tally.failures, f"{len(tally.failures)} unexpected responses: {tally.failures[:5]}"
    assert tally.emails, "no user was registered during the soak"

    for chunk in in_chunks(tally.emails):
        found = support_count(database, "users", "email", chunk)
        assert found == len(chunk), f"{len(chunk) - found} registered users have no row"
    for chunk in in_chunks(tally.refresh_jtis):
        found = support_count(database, "outstanding_tokens", "jti", chunk)
        assert found == len(chunk), f"{len(chunk) - found} issued refresh tokens have no " \
                                    f"outstanding row"

    assert set(processes_end) == set(processes), \
        f"FastCGI processes changed during the soak: {processes} became {processes_end}"
    if not SANITIZE:
        grown = {f"{processes[pid]} {pid}": rss_end[pid] - rss_start[pid] for pid in rss_start
                 if rss_end[pid] - rss_start[pid] > RSS_GROWTH_LIMIT_KIB}
        assert not grown, f"resident memory grew by more than {RSS_GROWTH_LIMIT_KIB} KiB " \
                          f"after the warm-up (KiB): {grown}"


def support_count(database, table: str, column: str, values: list[str]) -> int:
    listed = ", ".join(support.sql_string(value) for value in values)
    return int(database.query(f"SELECT COUNT(*) FROM {table} WHERE {column} IN ({listed})")[0][0])
