"""Least privilege: each program's database account (grants.sql) can run its own statements only.

The HTTP tests already run every program under its own account, so every endpoint test
shows the rights suffice. These tests show that statements outside them are denied.
"""

import subprocess

import pytest

from conftest import DB_NAME

DENIED = [
    ("login", "DELETE FROM users"),
    ("login", "UPDATE users SET is_superuser = TRUE"),
    ("login", "INSERT INTO blacklisted_tokens (jti, user_id, reason, blacklisted_at, "
              "expires_at) VALUES ('x', 1, 'logout', NOW(), NOW())"),
    ("login", "SELECT jti FROM blacklisted_tokens"),
    ("register", "UPDATE users SET is_staff = TRUE"),
    ("register", "DELETE FROM outstanding_tokens"),
    ("register", "SELECT jti FROM outstanding_tokens"),
    ("token_refresh", "UPDATE users SET is_active = TRUE"),
    ("token_refresh", "DELETE FROM blacklisted_tokens"),
    ("token_refresh", "INSERT INTO users (email, password, date_joined) "
                      "VALUES ('x@example.com', 'x', NOW())"),
    ("logout", "UPDATE blacklisted_tokens SET reason = 'revoked'"),
    ("logout", "CALL rotate_refresh_token('x', 1, NOW(), NOW(), 'y', NOW())"),
    ("login", "CALL rotate_refresh_token('x', 1, NOW(), NOW(), 'y', NOW())"),
    ("logout", "DELETE FROM blacklisted_tokens"),
    ("logout", "INSERT INTO outstanding_tokens (jti, user_id, created_at, expires_at) "
               "VALUES ('x', 1, NOW(), NOW())"),
    ("me", "INSERT INTO users (email, password, date_joined) "
           "VALUES ('x@example.com', 'x', NOW())"),
    ("me", "SELECT jti FROM outstanding_tokens"),
    ("me", "UPDATE users SET last_login = NOW()"),
    ("me", "DROP TABLE users"),
    ("me", "CREATE TABLE extra (id INT)"),
]


def run_as(database, program: str, sql: str) -> subprocess.CompletedProcess:
    user, password = database.account(program)
    return subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={database.socket}", f"--user={user}",
         f"--password={password}", DB_NAME, "-N", "-B", "-e", sql],
        capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("program, sql", DENIED, ids=[f"{p}: {s[:30]}" for p, s in DENIED])
def test_statement_denied(database, program, sql):
    result = run_as(database, program, sql)
    assert result.returncode != 0, f"{program} ran {sql!r}: {result.stdout!r}"
    assert "denied" in result.stderr, \
        f"{program} running {sql!r} failed without an access error: {result.stderr!r}"


@pytest.mark.parametrize("program", ["register", "login", "token_refresh", "logout", "me"])
def test_schema_version_readable(database, program):
    result = run_as(database, program, "SELECT MAX(version) FROM schema_version")
    assert result.returncode == 0, f"{program} cannot read schema_version: {result.stderr!r}"
    assert result.stdout.strip() == "2", f"{program} read version {result.stdout!r}"


def test_login_updates_only_its_columns(database):
    allowed = run_as(database, "login", "UPDATE users SET last_login = last_login WHERE id = 0")
    assert allowed.returncode == 0, f"login cannot set last_login: {allowed.stderr!r}"
    # An imported hash is stored again as bcrypt_sha256 after a login proves it.
    allowed = run_as(database, "login", "UPDATE users SET password = password WHERE id = 0")
    assert allowed.returncode == 0, f"login cannot upgrade a password hash: {allowed.stderr!r}"
    denied = run_as(database, "login", "UPDATE users SET is_active = TRUE WHERE id = 0")
    assert denied.returncode != 0, "login may activate a user"
    denied = run_as(database, "login", "UPDATE users SET is_staff = TRUE WHERE id = 0")
    assert denied.returncode != 0, "login may make a user staff"
    assert "denied" in denied.stderr, f"unexpected error: {denied.stderr!r}"
