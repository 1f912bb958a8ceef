#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Write N refresh tokens for one user, and the SQL that records them as outstanding.

    tokens.py SECRET USER_ID N TOKEN_FILE SQL_FILE suite|django

The tokens are HS256 with simplejwt's claims, signed with SECRET, so both
services accept them. Each one is recorded as outstanding, as if the service
had issued it at login, so a refresh does the same database work as for a
token the service issued itself. "suite" writes rows for the suite's
outstanding_tokens table, "django" for simplejwt's
token_blacklist_outstandingtoken.
"""
import base64
import hashlib
import hmac
import json
import secrets
import sys
import time

BATCH = 1000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    secret, user_id, count = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3])
    token_path, sql_path, schema = sys.argv[4], sys.argv[5], sys.argv[6]
    if schema not in ("suite", "django"):
        sys.exit(f"tokens.py: schema must be suite or django, not {schema!r}")

    header = b64url(b'{"alg":"HS256","typ":"JWT"}')
    now = int(time.time())
    exp = now + 86400
    created = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))
    expires = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(exp))
    rows = []
    with open(token_path, "w") as tokens:
        for _ in range(count):
            jti = secrets.token_hex(16)
            claims = {"token_type": "refresh", "exp": exp, "iat": now, "jti": jti,
                      "user_id": user_id}
            signing_input = header + "." + b64url(json.dumps(claims, separators=(",", ":")).encode())
            signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
            token = signing_input + "." + b64url(signature)
            tokens.write(token + "\n")
            if schema == "suite":
                rows.append(f"('{jti}',{user_id},'{created}','{expires}')")
            else:
                rows.append(f"('{jti}','{token}',{user_id},'{created}','{expires}')")

    if schema == "suite":
        insert = "INSERT INTO outstanding_tokens (jti, user_id, created_at, expires_at) VALUES "
    else:
        insert = ("INSERT INTO token_blacklist_outstandingtoken "
                  "(jti, token, user_id, created_at, expires_at) VALUES ")
    with open(sql_path, "w") as sql:
        for start in range(0, len(rows), BATCH):
            sql.write(insert + ",".join(rows[start:start + BATCH]) + ";\n")


if __name__ == "__main__":
    main()
