"""schema.sql: applying it again upgrades an older database and keeps its rows."""

import subprocess

from conftest import ROOT

UPGRADE_DB = "shopease_upgrade"


def apply_schema(database) -> None:
    with open(ROOT / "schema.sql", "rb") as schema:
        result = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={database.socket}", "--user=root",
             UPGRADE_DB], stdin=schema, capture_output=True, timeout=60)
    assert result.returncode == 0, f"schema.sql failed: {result.stderr.decode(errors='replace')}"


def test_schema_upgrades_version_1(database, db_query):
    db_query(f"DROP DATABASE IF EXISTS {UPGRADE_DB}")
    db_query(f"CREATE DATABASE {UPGRADE_DB} CHARACTER SET utf8mb4 "
             "COLLATE utf8mb4_uca1400_as_ci")
    try:
        apply_schema(database)
        # Version 1 had no stored procedure and no version 2 row.
        db_query(f"DROP PROCEDURE {UPGRADE_DB}.rotate_refresh_token")
        db_query(f"DELETE FROM {UPGRADE_DB}.schema_version WHERE version = 2")
        db_query(f"INSERT INTO {UPGRADE_DB}.users (email, password, date_joined) "
                 "VALUES ('kept@example.com', 'x', UTC_TIMESTAMP())")

        apply_schema(database)

        version = db_query(f"SELECT MAX(version) FROM {UPGRADE_DB}.schema_version")
        assert version == [("2",)], f"schema version after the upgrade: {version}"
        routines = db_query("SELECT ROUTINE_NAME FROM information_schema.ROUTINES "
                            f"WHERE ROUTINE_SCHEMA = '{UPGRADE_DB}'")
        assert routines == [("rotate_refresh_token",)], f"procedures: {routines}"
        emails = db_query(f"SELECT email FROM {UPGRADE_DB}.users")
        assert emails == [("kept@example.com",)], f"users after the upgrade: {emails}"
    finally:
        db_query(f"DROP DATABASE IF EXISTS {UPGRADE_DB}")
