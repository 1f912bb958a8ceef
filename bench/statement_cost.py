#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Print MariaDB's CPU time per statement, at one connection.

    statement_cost.py SOCKET PID_FILE DATABASE [ROUNDS]

Runs each statement ROUNDS times (3000 by default) as root over SOCKET and
divides the growth of the server's utime + stime (/proc/PID/stat) by ROUNDS.
The database must have the suite's schema; make bench-statements sets one up.
The last two rows turn innodb_flush_log_at_trx_commit to 2 for their run only,
to show what the flush at commit costs.
"""

import os
import sys
import time
import uuid

import MySQLdb

TABLE_VARIANTS = {
    "no foreign key": (
        "CREATE TABLE cost_no_fk (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "jti CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, "
        "user_id BIGINT UNSIGNED NOT NULL, created_at DATETIME NOT NULL, "
        "expires_at DATETIME NOT NULL, UNIQUE KEY (jti), KEY (user_id, expires_at), "
        "KEY (expires_at)) ENGINE=InnoDB", "cost_no_fk"),
    "jti as primary key, no foreign key": (
        "CREATE TABLE cost_jti_key (jti CHAR(32) CHARACTER SET ascii COLLATE ascii_bin "
        "NOT NULL PRIMARY KEY, user_id BIGINT UNSIGNED NOT NULL, created_at DATETIME NOT NULL, "
        "expires_at DATETIME NOT NULL, KEY (user_id, expires_at), KEY (expires_at)) "
        "ENGINE=InnoDB", "cost_jti_key"),
}


def server_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def measure(pid: int, rounds: int, name: str, run) -> None:
    start, wall = server_ticks(pid), time.perf_counter()
    for _ in range(rounds):
        run()
    ticks = server_ticks(pid) - start
    micros = ticks * 1e6 / os.sysconf("SC_CLK_TCK") / rounds
    elapsed = (time.perf_counter() - wall) * 1e6 / rounds
    print(f"{name:45} {micros:6.0f} µs server CPU  {elapsed:6.0f} µs wall")


def main() -> int:
    if len(sys.argv) not in (4, 5):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    socket_path, pid_file, database = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) == 5 else 3000
    with open(pid_file) as pid_text:
        pid = int(pid_text.read())
    connection = MySQLdb.connect(unix_socket=socket_path, user="root", db=database)
    connection.autocommit(True)
    cursor = connection.cursor()
    cursor.execute("INSERT INTO users (email, password, date_joined) "
                   "VALUES (%s, 'x', UTC_TIMESTAMP())", (f"cost-{uuid.uuid4().hex}@example.com",))
    user_id = cursor.lastrowid

    def insert(table: str):
        return lambda: cursor.execute(
            f"INSERT INTO {table} (jti, user_id, created_at, expires_at) "
            "VALUES (%s, %s, '2026-12-04', '2027-01-01')", (uuid.uuid4().hex, user_id))

    def rotate():
        cursor.execute("CALL rotate_refresh_token(%s, %s, '2027-01-01', '2026-12-04', %s, "
                       "'2027-01-02')", (uuid.uuid4().hex, user_id, uuid.uuid4().hex))

    measure(pid, rounds, "SELECT 1", lambda: cursor.execute("SELECT 1"))
    measure(pid, rounds, "user by primary key", lambda: cursor.execute(
        "SELECT id, email, password, is_active FROM users WHERE id = %s", (user_id,)))
    measure(pid, rounds, "INSERT outstanding_tokens", insert("outstanding_tokens"))
    for name, (ddl, table) in TABLE_VARIANTS.items():
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(ddl)
        measure(pid, rounds, f"INSERT, {name}", insert(table))
        cursor.execute(f"DROP TABLE {table}")
    measure(pid, rounds, "CALL rotate_refresh_token", rotate)

    cursor.execute("SELECT @@GLOBAL.innodb_flush_log_at_trx_commit")
    original = cursor.fetchone()[0]
    cursor.execute("SET GLOBAL innodb_flush_log_at_trx_commit = 2")
    try:
        measure(pid, rounds, "INSERT outstanding_tokens, no flush", insert("outstanding_tokens"))
        measure(pid, rounds, "CALL rotate_refresh_token, no flush", rotate)
    finally:
        cursor.execute(f"SET GLOBAL innodb_flush_log_at_trx_commit = {int(original)}")
    cursor.execute("DELETE FROM users WHERE id = %s", (user_id,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
