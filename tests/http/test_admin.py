"""shopease-admin: every subcommand, its exit statuses, and its effects seen over HTTP.

The program runs with SHOPEASE_CONFIG pointing at the main server's configuration, so it
works on the same database as the endpoints. That configuration logs to stderr.
"""

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

import support
from conftest import ROOT, DB_NAME
from support import LOGIN, ME, REFRESH, assert_reply, jti_of, token_error

# make exports SHOPEASE_ADMIN: the sanitizer build keeps its own copy.
ADMIN = Path(os.environ.get("SHOPEASE_ADMIN") or ROOT / "admin" / "shopease-admin")
COMMANDS = ["create-user", "set-password", "deactivate", "activate", "revoke-tokens",
            "flush-expired-tokens", "check"]
OK, FAILED, USAGE, CONFIG, UNAVAILABLE = 0, 1, 2, 3, 4


@pytest.fixture
def admin(server):
    """Return a function that runs shopease-admin on the main server's configuration."""
    def run(*args, password=None, env=None, config=None) -> subprocess.CompletedProcess:
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                       "SHOPEASE_CONFIG": str(config or server.config_path)}
        environment.update(env or {})
        stdin = None if password is None else password + "\n"
        return subprocess.run([str(ADMIN), *args], input=stdin, capture_output=True,
                              text=True, timeout=60, env=environment)
    return run


def assert_status(result, expected: int) -> None:
    assert result.returncode == expected, \
        f"exit status {result.returncode}, expected {expected}\n" \
        f"stdout: {result.stdout}\nstderr: {result.stderr}"


def login_status(client, email: str, password: str) -> int:
    return client.request("POST", LOGIN, {"email": email, "password": password}).status


def create_user(admin, *flags, email=None, password=None):
    """Create a user with shopease-admin and return (email, password, result)."""
    email = email or support.new_email()
    password = password or support.new_password()
    result = admin("create-user", email, *flags, password=password)
    assert_status(result, OK)
    return email, password, result


def run_on_terminal(args: list[str], lines: list[bytes], env: dict) -> tuple[int, str, bytes]:
    """Run shopease-admin with a pseudo-terminal as stdin and stderr.

    Each line is written after the next "password" prompt shows. Returns the exit status,
    stdout, and everything the terminal showed.
    """
    master, slave = pty.openpty()
    process = subprocess.Popen([str(ADMIN), *args], stdin=slave, stderr=slave,
                               stdout=subprocess.PIPE, env=env)
    os.close(slave)
    terminal_output = b""

    def read_terminal(until: bytes | None) -> None:
        nonlocal terminal_output
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (until is None or until not in terminal_output):
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                if until is None:
                    return
                continue
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            terminal_output += data

    try:
        for index, line in enumerate(lines):
            prompt = b"New password: " if index == 0 else b"New password (again): "
            read_terminal(prompt)
            assert prompt in terminal_output, f"no prompt {prompt!r}; the terminal showed {terminal_output!r}"
            os.write(master, line)
        stdout, _ = process.communicate(timeout=30)
        read_terminal(None)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return process.returncode, stdout.decode(), terminal_output


def terminal_env(server) -> dict:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "SHOPEASE_CONFIG": str(server.config_path)}


def test_help_lists_commands(admin):
    result = admin("--help")
    assert_status(result, OK)
    for command in COMMANDS:
        assert command in result.stdout, f"--help does not list {command}:\n{result.stdout}"
    assert "Exit status" in result.stdout, f"--help has no exit statuses:\n{result.stdout}"


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help(admin, command):
    result = admin(command, "--help")
    assert_status(result, OK)
    assert result.stdout.startswith(f"usage: shopease-admin {command}"), \
        f"{command} --help printed:\n{result.stdout}"


USAGE_ERRORS = [
    ("no command", [], "usage: shopease-admin"),
    ("unknown command", ["frobnicate"], 'unknown command "frobnicate"'),
    ("missing email", ["deactivate"], "missing argument EMAIL"),
    ("extra argument", ["activate", "a@example.com", "b@example.com"],
     "unexpected argument b@example.com"),
    ("argument to check", ["check", "now"], "unexpected argument now"),
    ("unknown option", ["revoke-tokens", "--all", "a@example.com"], "unknown option --all"),
    ("staff on deactivate", ["deactivate", "--staff", "a@example.com"],
     "unknown option --staff"),
]


@pytest.mark.parametrize("args,message", [(args, message) for _, args, message in USAGE_ERRORS],
                         ids=[name for name, _, _ in USAGE_ERRORS])
def test_usage_error(admin, args, message):
    result = admin(*args)
    assert_status(result, USAGE)
    assert message in result.stderr, f"stderr lacks {message!r}:\n{result.stderr}"


def test_create_user_logs_in(admin, client):
    email, password, result = create_user(admin)
    assert result.stdout.startswith("created user "), f"stdout: {result.stdout}"
    assert email in result.stdout, f"stdout does not name {email}: {result.stdout}"
    assert "created" in result.stderr, f"no log line for the creation: {result.stderr}"
    assert password not in result.stderr + result.stdout, "the password was printed"

    pair = support.login(client, email, password)
    me = client.request("GET", ME, token=pair["access"]).json()
    assert me["email"] == email, f"/me shows {me['email']!r}, expected {email!r}"
    assert me["is_active"] is True, f"new user is_active is {me['is_active']!r}"
    assert me["is_staff"] is False, f"new user is_staff is {me['is_staff']!r}"
    assert me["is_superuser"] is False, f"new user is_superuser is {me['is_superuser']!r}"


@pytest.mark.parametrize("flags,staff,superuser", [
    (["--staff"], True, False),
    (["--superuser"], False, True),
    (["--staff", "--superuser"], True, True),
], ids=["staff", "superuser", "both"])
def test_create_user_flags(admin, client, flags, staff, superuser):
    email, password, _ = create_user(admin, *flags)
    me = client.request("GET", ME, token=support.login(client, email, password)["access"]).json()
    assert me["is_staff"] is staff, f"is_staff is {me['is_staff']!r}, expected {staff}"
    assert me["is_superuser"] is superuser, \
        f"is_superuser is {me['is_superuser']!r}, expected {superuser}"


def test_create_user_option_before_email(admin, db_query):
    email = support.new_email()
    result = admin("create-user", "--staff", email, password=support.new_password())
    assert_status(result, OK)
    assert support.user_row(db_query, email)["is_staff"] == "1", "--staff was not applied"


def test_create_user_domain_lowercased(admin, client):
    local = support.new_email().split("@")[0]
    email, password, result = create_user(admin, email=f"  {local.upper()}@Example.COM ")
    stored = f"{local.upper()}@example.com"
    assert stored in result.stdout, f"stdout does not show {stored!r}: {result.stdout}"
    assert login_status(client, stored.lower(), password) == 200, "login with any case failed"


def test_create_user_taken_email(admin, register):
    user = register()
    result = admin("create-user", user.email.upper(), password=support.new_password())
    assert_status(result, FAILED)
    assert "user with this email already exists." in result.stderr, result.stderr


def test_create_user_taken_asks_nothing(admin, register):
    """A taken address fails before any password is read, so empty stdin is fine."""
    user = register()
    result = admin("create-user", user.email)
    assert_status(result, FAILED)
    assert "already exists" in result.stderr, result.stderr


@pytest.mark.parametrize("email,message", [
    ("not-an-address", "Enter a valid email address."),
    ("a@@example.com", "Enter a valid email address."),
    ("   ", "This field may not be blank."),
    ("x" * 250 + "@example.com", "Ensure this field has no more than 254 characters."),
], ids=["no at", "two ats", "blank", "too long"])
def test_create_user_invalid_email(admin, email, message):
    result = admin("create-user", email, password=support.new_password())
    assert_status(result, FAILED)
    assert message in result.stderr, f"stderr lacks {message!r}:\n{result.stderr}"


@pytest.mark.parametrize("password,message", [
    ("short", "Ensure this field has at least 8 characters."),
    ("", "This field may not be blank."),
    ("   \t ", "This field may not be blank."),
    ("  1234567  ", "Ensure this field has at least 8 characters."),
    ("x" * 4097, "Ensure this field has no more than 4096 characters."),
], ids=["short", "empty", "whitespace", "short after trim", "too long"])
def test_create_user_invalid_password(admin, db_query, password, message):
    email = support.new_email()
    result = admin("create-user", email, password=password)
    assert_status(result, FAILED)
    assert message in result.stderr, f"stderr lacks {message!r}:\n{result.stderr}"
    assert support.user_row(db_query, email) is None, "a user was created anyway"


def test_create_user_password_trimmed(admin, client):
    email, _, _ = create_user(admin, password="  padded-password \t")
    assert login_status(client, email, "padded-password") == 200, \
        "login with the trimmed password failed"


def test_create_user_non_ascii_password(admin, client):
    email, password, _ = create_user(admin, password="pässwörd-ünïcode-✓")
    assert login_status(client, email, password) == 200, "login with a non-ASCII password failed"


def test_create_user_terminal(server, client):
    email = support.new_email()
    password = support.new_password()
    status, stdout, terminal_output = run_on_terminal(
        ["create-user", email], [password.encode() + b"\n"] * 2, terminal_env(server))
    assert status == OK, f"exit status {status}; the terminal showed {terminal_output!r}"
    assert password.encode() not in terminal_output, f"the password was echoed: {terminal_output!r}"
    assert email in stdout, f"stdout: {stdout}"
    assert login_status(client, email, password) == 200, "the new user cannot log in"


def test_create_user_terminal_mismatch(server, db_query):
    email = support.new_email()
    status, _, terminal_output = run_on_terminal(
        ["create-user", email], [b"first-password\n", b"second-password\n"],
        terminal_env(server))
    assert status == FAILED, f"exit status {status}; the terminal showed {terminal_output!r}"
    assert b"do not match" in terminal_output, f"no mismatch message: {terminal_output!r}"
    assert support.user_row(db_query, email) is None, "a user was created anyway"


def test_set_password(admin, client, register):
    user = register()
    new_password = support.new_password()
    result = admin("set-password", user.email.upper(), password=new_password)
    assert_status(result, OK)
    assert str(user.id) in result.stdout, f"stdout does not name user {user.id}: {result.stdout}"
    assert new_password not in result.stderr + result.stdout, "the password was printed"
    assert login_status(client, user.email, user.password) == 401, "the old password still works"
    assert login_status(client, user.email, new_password) == 200, "the new password fails"


def test_set_password_rules(admin, client, register):
    user = register()
    result = admin("set-password", user.email, password="short")
    assert_status(result, FAILED)
    assert "Ensure this field has at least 8 characters." in result.stderr, result.stderr
    assert login_status(client, user.email, user.password) == 200, "the password changed"


@pytest.mark.parametrize("command", ["set-password", "deactivate", "activate", "revoke-tokens"])
def test_unknown_user(admin, command):
    email = support.new_email()
    result = admin(command, email, password=support.new_password())
    assert_status(result, FAILED)
    assert f'no user has the email "{email}"' in result.stderr, result.stderr


def test_deactivate_and_activate(admin, client, register):
    user = register()
    result = admin("deactivate", user.email)
    assert_status(result, OK)
    assert result.stdout.startswith("deactivated user"), f"stdout: {result.stdout}"

    assert login_status(client, user.email, user.password) == 401, "inactive user logged in"
    assert_reply(client.request("GET", ME, token=user.access), 401, support.USER_INACTIVE)
    assert_reply(client.request("POST", REFRESH, {"refresh": user.refresh}), 401,
                 support.USER_INACTIVE)

    again = admin("deactivate", user.email)
    assert_status(again, OK)
    assert "already inactive" in again.stdout, f"stdout: {again.stdout}"

    result = admin("activate", user.email)
    assert_status(result, OK)
    assert result.stdout.startswith("activated user"), f"stdout: {result.stdout}"
    assert login_status(client, user.email, user.password) == 200, "activated user cannot log in"

    again = admin("activate", user.email)
    assert_status(again, OK)
    assert "already active" in again.stdout, f"stdout: {again.stdout}"


def test_revoke_tokens(admin, client, register, db_query):
    user = register()
    refresh_tokens = [user.refresh] + [support.login(client, user.email, user.password)["refresh"]
                                       for _ in range(2)]
    result = admin("revoke-tokens", user.email)
    assert_status(result, OK)
    assert result.stdout.startswith("revoked 3 refresh tokens"), f"stdout: {result.stdout}"

    for token in refresh_tokens:
        assert_reply(client.request("POST", REFRESH, {"refresh": token}), 401,
                     token_error("Token is blacklisted"))
        reason = support.blacklist_reason(db_query, jti_of(token))
        assert reason == "revoked", f"blacklist reason is {reason!r}, expected 'revoked'"

    again = admin("revoke-tokens", user.email)
    assert_status(again, OK)
    assert again.stdout.startswith("revoked 0 refresh tokens"), f"stdout: {again.stdout}"
    assert login_status(client, user.email, user.password) == 200, "login fails after revoking"


def expired_count(db_query, table: str) -> int:
    return int(db_query(f"SELECT COUNT(*) FROM {table} WHERE expires_at < UTC_TIMESTAMP()")[0][0])


def test_flush_expired_tokens(admin, register, db_query):
    user = register()
    expired = [f"{index:032x}" for index in range(0xe0, 0xe3)]
    for jti in expired:
        db_query("INSERT INTO outstanding_tokens (jti, user_id, created_at, expires_at) VALUES "
                 f"('{jti}', {user.id}, UTC_TIMESTAMP() - INTERVAL 2 DAY, "
                 "UTC_TIMESTAMP() - INTERVAL 1 DAY)")
    for jti in expired[:2]:
        db_query("INSERT INTO blacklisted_tokens (jti, user_id, reason, blacklisted_at, "
                 f"expires_at) VALUES ('{jti}', {user.id}, 'logout', "
                 "UTC_TIMESTAMP() - INTERVAL 2 DAY, UTC_TIMESTAMP() - INTERVAL 1 DAY)")
    outstanding = expired_count(db_query, "outstanding_tokens")
    blacklisted = expired_count(db_query, "blacklisted_tokens")

    result = admin("flush-expired-tokens")
    assert_status(result, OK)
    expected = (f"deleted {outstanding} expired outstanding tokens and {blacklisted} "
                "expired blacklisted tokens")
    assert result.stdout.strip() == expected, f"stdout: {result.stdout!r}, expected {expected!r}"
    assert expired_count(db_query, "outstanding_tokens") == 0, "expired outstanding rows remain"
    assert expired_count(db_query, "blacklisted_tokens") == 0, "expired blacklisted rows remain"
    assert support.outstanding_row(db_query, jti_of(user.refresh)) is not None, \
        "an unexpired outstanding token was deleted"

    again = admin("flush-expired-tokens")
    assert_status(again, OK)
    assert again.stdout.startswith("deleted 0 expired outstanding tokens and 0"), again.stdout


def test_check_ok(admin, server):
    result = admin("check")
    assert_status(result, OK)
    assert f"configuration: {server.config_path}: valid" in result.stdout, result.stdout
    assert "jwt secret: set" in result.stdout, result.stdout
    assert "reachable, schema version 2" in result.stdout, result.stdout


def write_config(path, server, **changes) -> str:
    settings = dict(line.split(" = ", 1) for line in server.config_path.read_text().splitlines())
    settings.update(changes)
    path.write_text("".join(f"{key} = {value}\n" for key, value in settings.items()
                            if value is not None))
    return str(path)


@pytest.mark.parametrize("changes,message", [
    ({"jwt_secret": None}, "jwt_secret is not set"),
    ({"jwt_secret": "too-short"}, "at least 32 are required"),
    ({"bcrypt_cost": "99"}, "bcrypt_cost: invalid value"),
    ({"no_such_key": "1"}, 'unknown key "no_such_key"'),
    ({"cors_origins": "https://shop.example/"}, 'invalid origin "https://shop.example/"'),
], ids=["no secret", "short secret", "invalid cost", "unknown key", "origin with path"])
@pytest.mark.parametrize("command", ["check", "deactivate"])
def test_configuration_error(admin, server, tmp_path, command, changes, message):
    config = write_config(tmp_path / "shopease.conf", server, **changes)
    args = [command] if command == "check" else [command, support.new_email()]
    result = admin(*args, config=config)
    assert_status(result, CONFIG)
    assert message in result.stderr, f"stderr lacks {message!r}:\n{result.stderr}"


def test_configuration_file_missing(admin, tmp_path):
    result = admin("check", config=str(tmp_path / "absent.conf"))
    assert_status(result, CONFIG)
    assert "No such file or directory" in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["check", "revoke-tokens", "flush-expired-tokens"])
def test_database_unreachable(admin, tmp_path, command):
    args = [command] if command != "revoke-tokens" else [command, support.new_email()]
    result = admin(*args, env={"SHOPEASE_DB_SOCKET": str(tmp_path / "none.sock")})
    assert_status(result, UNAVAILABLE)
    assert "database is unavailable" in result.stderr, result.stderr


def test_check_schema_version(admin, db_query):
    """A database of another schema version is exit status 4, with the version found."""
    other = DB_NAME + "_admin_schema"
    db_query(f"CREATE DATABASE IF NOT EXISTS {other}; "
             f"CREATE TABLE IF NOT EXISTS {other}.schema_version "
             "(version INT UNSIGNED NOT NULL PRIMARY KEY); "
             f"INSERT IGNORE INTO {other}.schema_version VALUES (99)")
    try:
        result = admin("check", env={"SHOPEASE_DB_NAME": other, "SHOPEASE_DB_USER": "root",
                                     "SHOPEASE_DB_PASSWORD": ""})
    finally:
        db_query(f"DROP DATABASE {other}")
    assert_status(result, UNAVAILABLE)
    assert "schema version 99 found, 2 expected" in result.stderr, result.stderr


def test_syslog_still_shows_errors(admin):
    """With log = syslog, errors still reach stderr for the operator."""
    email = support.new_email()
    result = admin("deactivate", email, env={"SHOPEASE_LOG": "syslog"})
    assert_status(result, FAILED)
    assert f'no user has the email "{email}"' in result.stderr, result.stderr
