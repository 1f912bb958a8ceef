"""Build and read HS256 JWTs in the claim layout of djangorestframework-simplejwt 5.2.

forge() signs any header and payload, so tests can make tokens that the suite must
reject (expired, wrong algorithm, missing claims) as well as valid ones that it never
issued. decode() reads an issued token and checks its signature with TEST_SECRET.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid

# The jwt_secret of every server the tests start: 48 ASCII characters.
TEST_SECRET = "shopease-http-test-secret-0123456789abcdefghijkl"
assert len(TEST_SECRET) == 48, "TEST_SECRET must stay 48 characters long"

HS256_HEADER = {"alg": "HS256", "typ": "JWT"}
ACCESS_LIFETIME = 3600
REFRESH_LIFETIME = 86400

_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact_json(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def forge(payload: dict, secret: str = TEST_SECRET, header: dict | None = None,
          sign_with: str = "HS256") -> str:
    """Return a JWT with this payload, signed with HMAC over `secret`.

    `header` defaults to {"alg": "HS256", "typ": "JWT"}. `sign_with` picks the HMAC hash
    (HS256, HS384 or HS512) independently of the header, or "none" for an empty signature.
    """
    if header is None:
        header = HS256_HEADER
    signing_input = b64url(compact_json(header)) + "." + b64url(compact_json(payload))
    if sign_with == "none":
        return signing_input + "."
    digest = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"),
                      _HASHES[sign_with]).digest()
    return signing_input + "." + b64url(digest)


def forge_raw(header: bytes, payload: bytes, secret: str = TEST_SECRET) -> str:
    """Return a JWT whose header and payload are these exact bytes, signed with HS256."""
    signing_input = b64url(header) + "." + b64url(payload)
    digest = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(digest)


def claims(kind: str, user_id, lifetime: int | None = None, iat: int | None = None,
           **overrides) -> dict:
    """Return the claims simplejwt writes for a token of type `kind` for `user_id`.

    `overrides` replace claims, token_type included. A value of None removes that claim.
    """
    if iat is None:
        iat = int(time.time())
    if lifetime is None:
        lifetime = ACCESS_LIFETIME if kind == "access" else REFRESH_LIFETIME
    payload = {
        "token_type": kind,
        "exp": iat + lifetime,
        "iat": iat,
        "jti": uuid.uuid4().hex,
        "user_id": user_id,
    }
    for name, value in overrides.items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    return payload


def forge_refresh(user_id, **overrides) -> str:
    return forge(claims("refresh", user_id, **overrides))


def forge_access(user_id, **overrides) -> str:
    return forge(claims("access", user_id, **overrides))


def decode(token: str, secret: str = TEST_SECRET) -> tuple[dict, dict]:
    """Return (header, payload) of a token, after checking its HS256 signature."""
    parts = token.split(".")
    assert len(parts) == 3, f"token {token!r} does not have three dot-separated parts"
    signing_input = (parts[0] + "." + parts[1]).encode("ascii")
    expected = hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()
    assert hmac.compare_digest(b64url_decode(parts[2]), expected), \
        f"signature of {token!r} does not verify with the test secret"
    header = json.loads(b64url_decode(parts[0]))
    payload = json.loads(b64url_decode(parts[1]))
    return header, payload


def check_issued(token: str, token_type: str, user_id: int | None = None,
                 lifetime: int | None = None, now: float | None = None) -> dict:
    """Assert that an issued token has the contract's header and claims, and return its claims.

    Checks: signature, header, token_type, integer exp and iat, exp - iat = lifetime, iat
    within 5 s of `now`, jti of 32 lowercase hex characters and an integer user_id.
    """
    if lifetime is None:
        lifetime = ACCESS_LIFETIME if token_type == "access" else REFRESH_LIFETIME
    if now is None:
        now = time.time()
    header, payload = decode(token)

    assert header == HS256_HEADER, f"header is {header}, expected {HS256_HEADER}"
    assert payload.get("token_type") == token_type, \
        f"token_type is {payload.get('token_type')!r}, expected {token_type!r}"

    exp, iat = payload.get("exp"), payload.get("iat")
    assert type(exp) is int, f"exp is {exp!r}, expected an integer"
    assert type(iat) is int, f"iat is {iat!r}, expected an integer"
    assert exp - iat == lifetime, f"exp - iat is {exp - iat}, expected the lifetime {lifetime}"
    assert abs(iat - now) <= 5, f"iat is {iat}, expected the time of issue {int(now)}"

    jti = payload.get("jti")
    assert isinstance(jti, str) and len(jti) == 32 and all(c in "0123456789abcdef" for c in jti), \
        f"jti is {jti!r}, expected 32 lowercase hex characters"

    uid = payload.get("user_id")
    assert type(uid) is int, f"user_id is {uid!r}, expected an integer"
    if user_id is not None:
        assert uid == user_id, f"user_id is {uid}, expected {user_id}"
    return payload
