"""Session fixtures for the end-to-end HTTP tests: MariaDB, a web server and the built programs.

The session builds the programs with `make all`, starts a private MariaDB with tools/db.sh
in a temporary folder under /tmp, applies schema.sql, and runs the web server that
SHOPEASE_TEST_SERVER names (servers.py: lighttpd with mod_fastcgi by default) in the
foreground from its deployment sample on a free loopback port. Extra servers with other settings
(bcrypt cost 12, a short reuse interval) share that database and start only for the
tests that need them. Everything stops at the end of the session, also on failure.
Set SHOPEASE_KEEP_TMP=1 to keep the temporary folder (logs, database) for inspection.

Each program connects with its own database account (grants.sql, made by tools/db.sh
grants). SHOPEASE_BIN names the folder of the programs (default cgi-bin/). With
SANITIZE=1 (make check SANITIZE=1) the programs are the ASan and UBSan build, their
sanitizer reports go to build/sanitize/logs/, and any report fails the session.
"""

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from tokens import TEST_SECRET
import servers
import support

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "shopease_test"
DB_USER = "shopease"
PROGRAMS = ["register", "login", "token_refresh", "logout", "me"]
PROGRAM_BIN = Path(os.environ.get("SHOPEASE_BIN") or ROOT / "cgi-bin")
SANITIZE = os.environ.get("SANITIZE") == "1"
SANITIZER_LOGS = ROOT / "build" / "sanitize" / "logs"
STOP_TIMEOUT = 10.0


def sanitizer_environment() -> dict:
    """Return the ASan, UBSan and LSan options for programs of the sanitizer build.

    A report ends the program and lands in a file under SANITIZER_LOGS, which
    pytest_sessionfinish checks. LeakSanitizer runs when a program exits.
    """
    if not SANITIZE:
        return {}
    common = f"log_path={SANITIZER_LOGS}/report:halt_on_error=1:print_stacktrace=1"
    return {
        "ASAN_OPTIONS": common + ":detect_leaks=1:abort_on_error=0",
        "UBSAN_OPTIONS": common,
        "LSAN_OPTIONS": common,
    }


def pytest_sessionstart(session):
    if SANITIZE:
        shutil.rmtree(SANITIZER_LOGS, ignore_errors=True)
        SANITIZER_LOGS.mkdir(parents=True)


def pytest_sessionfinish(session, exitstatus):
    """Fail the session when a program of the sanitizer build wrote a report."""
    if not SANITIZE or not SANITIZER_LOGS.is_dir():
        return
    reports = sorted(SANITIZER_LOGS.iterdir())
    if not reports:
        return
    print(f"\n{len(reports)} sanitizer reports in {SANITIZER_LOGS}:")
    for report in reports[:5]:
        print(f"--- {report.name}\n{report.read_text(errors='replace')[:4000]}")
    session.exitstatus = 1
START_TIMEOUT = 10.0
REQUEST_TIMEOUT = 30.0
SERVER_KIND = servers.selected_kind()


class Response(NamedTuple):
    status: int
    headers: dict
    body: bytes

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise AssertionError(f"body is not JSON ({error}): {self.body[:500]!r}") from None


class Database:
    """A private MariaDB server run by tools/db.sh, reached over its Unix socket as root."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.socket = folder / "mysqld.sock"
        self.password = secrets.token_hex(16)

    def run_tool(self, *args: str) -> None:
        result = subprocess.run([str(ROOT / "tools" / "db.sh"), *args],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"tools/db.sh {' '.join(args[:2])} failed with exit status "
                               f"{result.returncode}:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        self.run_tool("start", str(self.folder))

    def stop(self) -> None:
        self.run_tool("stop", str(self.folder))

    def create_schema(self) -> None:
        self.run_tool("schema", str(self.folder), DB_NAME, DB_USER, self.password)
        self.run_tool("grants", str(self.folder), DB_NAME)

    def account(self, program: str) -> tuple[str, str]:
        """Return the (user, password) of a program's own account from grants.sql."""
        password = (self.folder / "accounts" / f"{program}.password").read_text().strip()
        return f"shopease_{program}", password

    def query(self, sql: str) -> list[tuple[str, ...]]:
        """Run SQL in the test database and return the rows as tuples of strings ("NULL" for NULL)."""
        result = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket}", "--user=root", DB_NAME,
             "-N", "-B", "-r", "-e", sql],
            capture_output=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"SQL failed: {sql}\n{result.stderr.decode(errors='replace')}")
        text = result.stdout.decode("utf-8")
        return [tuple(line.split("\t")) for line in text.splitlines()]


def running(pid: int) -> bool:
    """Return whether process pid exists and has not exited (a zombie has exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One web server serving the five programs, with its own configuration file and logs.

    request() also audits every response against the rules that hold for all of them
    and collects the violations in `violations`, which a test checks at the end.
    """

    def __init__(self, name: str, base: Path, database: Database, settings: dict):
        self.name = name
        self.var = base / name
        self.var.mkdir(mode=0o755)
        self.config_path = self.var / "shopease.conf"
        self.port = 0
        self.launch: servers.Launch | None = None
        self.database = database
        self.violations: list[str] = []
        self.seen_tokens: set[str] = set()
        self.seen_passwords: set[str] = set()
        self._lock = threading.Lock()

        config = {
            "db_socket": str(database.socket),
            "db_user": DB_USER,
            "db_password": database.password,
            "db_name": DB_NAME,
            "jwt_secret": TEST_SECRET,
            "bcrypt_cost": "4",
            "log": "stderr",
            "cors_origins": "https://shop.example",
        }
        config.update(settings)
        lines = [f"{key} = {value}" for key, value in config.items() if value is not None]
        self.config_path.write_text("\n".join(lines) + "\n")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        accounts = {program: self.database.account(program) for program in PROGRAMS}
        self.launch = servers.launch(SERVER_KIND, ROOT, self.var, self.port, self.config_path,
                                     PROGRAM_BIN, accounts, sanitizer_environment())
        process = self.launch.processes[0]

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{SERVER_KIND} ({self.name}) exited with status "
                                   f"{process.returncode} at start:\n{self.startup_logs()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{SERVER_KIND} ({self.name}) did not accept connections on "
                                   f"port {self.port} within {START_TIMEOUT} s:\n"
                                   f"{self.startup_logs()}")
            time.sleep(0.05)

    @property
    def process(self) -> subprocess.Popen | None:
        """The web server's own process, or None before start()."""
        return self.launch.processes[0] if self.launch is not None else None

    def programs(self) -> dict[int, str]:
        """Return {pid: program name} of the FastCGI processes the web server runs now."""
        found = {}
        if self.process is None:
            return found
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The name is in parentheses and may hold spaces: split after the last one.
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            parent = int(stat[stat.rindex(")") + 2:].split()[1])
            if parent == self.process.pid and name in PROGRAMS:
                found[int(entry.name)] = name
        return found

    def stop(self) -> None:
        """Stop the web server, then wait until the programs it ran have exited.

        lighttpd sends its FastCGI processes SIGTERM; they leave their accept loop, free
        everything and exit 0, which is when LeakSanitizer checks the sanitizer build.
        """
        if self.launch is None:
            return
        children = self.programs()
        self.launch.stop()
        deadline = time.monotonic() + STOP_TIMEOUT
        while children and time.monotonic() < deadline:
            children = {pid: name for pid, name in children.items() if running(pid)}
            time.sleep(0.05)
        if children:
            raise RuntimeError(f"programs of {SERVER_KIND} ({self.name}) still run "
                               f"{STOP_TIMEOUT} s after it stopped: {children}")

    def startup_logs(self) -> str:
        parts = []
        for path in self.log_files():
            text = path.read_text(errors="replace") if path.exists() else "(missing)\n"
            parts.append(f"--- {path}\n{text}")
        return "".join(parts)

    def log_files(self) -> list[Path]:
        """Return the files that receive log lines: the web server's and the programs'.

        The programs inherit their standard error from the web server or from spawn-fcgi,
        so with log = stderr their lines land in one of these files.
        """
        return self.launch.log_files if self.launch is not None else []

    def log_text(self) -> str:
        """Return every log line written so far: lighttpd's and the programs'."""
        return "".join(path.read_text(errors="replace") for path in self.log_files()
                       if path.exists())

    def log_size(self) -> tuple[int, ...]:
        """Return a mark of the current log length, for log_since()."""
        return tuple(path.stat().st_size if path.exists() else 0 for path in self.log_files())

    def log_since(self, mark: tuple[int, ...]) -> str:
        """Return the log lines written after log_size() returned `mark`."""
        parts = []
        for path, offset in zip(self.log_files(), mark):
            if path.exists():
                with open(path, "rb") as log:
                    log.seek(offset)
                    parts.append(log.read().decode(errors="replace"))
        return "".join(parts)

    def request(self, method: str, path: str, body=None, headers: dict | None = None,
                token: str | None = None, form: dict | None = None) -> Response:
        """Send one request on a new connection and return (status, headers, body).

        A dict or list body is sent as UTF-8 JSON with Content-Type application/json,
        bytes and str as they are, `form` as application/x-www-form-urlencoded. Header
        names in the result are lower-case. `token` adds "Authorization: Bearer <token>".
        """
        headers = dict(headers or {})
        has_type = any(name.lower() == "content-type" for name in headers)
        if form is not None:
            body = support.form_encode(form)
            if not has_type:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            self._remember_passwords(form)
        elif isinstance(body, (dict, list)):
            self._remember_passwords(body)
            body = support.compact(body)
            if not has_type:
                headers["Content-Type"] = "application/json"
        elif isinstance(body, str):
            body = body.encode("utf-8")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            data = reply.read()
            merged: dict[str, str] = {}
            for name, value in reply.getheaders():
                key = name.lower()
                merged[key] = merged[key] + ", " + value if key in merged else value
            response = Response(reply.status, merged, data)
        finally:
            connection.close()

        self._audit(method, path, response)
        return response

    def _remember_passwords(self, body) -> None:
        if isinstance(body, dict):
            password = body.get("password")
            if isinstance(password, str) and len(password.strip()) >= 8:
                with self._lock:
                    self.seen_passwords.add(password.strip())

    def _audit(self, method: str, path: str, response: Response) -> None:
        found = []
        challenge = response.headers.get("www-authenticate")
        if response.status == 401 and challenge != 'Bearer realm="api"':
            found.append(f"401 with WWW-Authenticate {challenge!r}")
        if response.status != 401 and challenge is not None:
            found.append(f"{response.status} with WWW-Authenticate {challenge!r}")
        if response.body:
            media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
                found.append(f"{response.status} body with Content-Type "
                             f"{response.headers.get('content-type')!r}")
            try:
                parsed = json.loads(response.body)
            except ValueError:
                found.append(f"{response.status} body is not JSON: {response.body[:200]!r}")
                parsed = None
            if isinstance(parsed, dict):
                for key in ("access", "refresh"):
                    if isinstance(parsed.get(key), str):
                        with self._lock:
                            self.seen_tokens.add(parsed[key])
        if response.status >= 500 and response.status != 503:
            found.append(f"server error {response.status}: {response.body[:200]!r}")
        if found:
            with self._lock:
                self.violations.extend(f"{method} {path}: {text}" for text in found)


@pytest.fixture(scope="session")
def base_dir():
    folder = Path(tempfile.mkdtemp(prefix="se-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    if not os.environ.get("SHOPEASE_KEEP_TMP"):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def built():
    result = subprocess.run(["make", "-C", str(ROOT), "all"], capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0:
        pytest.fail(f"make all failed with exit status {result.returncode}:\n"
                    f"{result.stdout}{result.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def database(base_dir):
    db = Database(base_dir / "db")
    try:
        db.start()
        db.create_schema()
        yield db
    finally:
        db.stop()


@pytest.fixture(scope="session")
def start_server(built, base_dir, database):
    """Return a function that starts a web server with extra settings; all stop at session end."""
    started: list[Server] = []

    def start(name: str, **settings) -> Server:
        server = Server(name, base_dir, database, settings)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def server(start_server) -> Server:
    return start_server("main")


@pytest.fixture(scope="session")
def client(server) -> Server:
    return server


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server.base_url


@pytest.fixture(scope="session")
def db_query(database):
    return database.query


@pytest.fixture(scope="session")
def log_text(server):
    return server.log_text


@pytest.fixture
def register(server):
    """Return a function that registers a new user on the main server and returns it."""
    def register_user(email: str | None = None, password: str | None = None) -> support.User:
        return support.register_user(server, email, password)
    return register_user
