"""Checks over every response and log line of the session, run after the other test files.

Server.request() records each response that breaks a rule holding for all endpoints:
WWW-Authenticate on exactly the 401s, a JSON body with Content-Type application/json,
no 5xx other than 503. These tests fail when any earlier request recorded a violation.
"""

import re

import support
import tokens


def test_www_authenticate_only_on_401(server):
    server.request("POST", support.LOGOUT, {"refresh": "x"})
    server.request("POST", support.REGISTER, {})
    server.request("GET", support.REGISTER)
    server.request("POST", support.REFRESH, {"refresh": "x"})
    problems = [line for line in server.violations if "WWW-Authenticate" in line]
    assert not problems, f"{len(problems)} responses broke the WWW-Authenticate rule, " \
                         f"the first ones: {problems[:15]}"


def test_bodies_are_json(server):
    problems = [line for line in server.violations if "WWW-Authenticate" not in line]
    assert not problems, f"{len(problems)} responses had a non-JSON body, a wrong " \
                         f"Content-Type or a server error, the first ones: {problems[:15]}"


def password_in_log(password: str, runs: set[str], log: str) -> bool:
    """Return whether `password` appears in `log`, whose alphanumeric runs are `runs`.

    A password with a run of 12 or more letters and digits is looked up by its longest
    run, which stands alone in the log when the password does, unless a letter or digit
    touches it there; any other password is searched for in the whole log, because a
    shorter run may be a word the log contains anyway, such as "password".
    """
    longest = max(re.findall(r"[A-Za-z0-9]+", password), key=len, default="")
    if len(longest) >= 12:
        return longest in runs
    return password in log


def test_log_has_no_secrets(server, database):
    support.register_user(server)
    log = server.log_text()
    assert tokens.TEST_SECRET not in log, "the JWT secret appears in the log"
    assert database.password not in log, "the database password appears in the log"

    # The soak leaves tens of thousands of tokens and passwords and a log of megabytes:
    # compare sets of the log's runs of characters instead of searching it once each.
    # A token's signature is a run of 43 base64url characters, so it is found whether
    # the log contains the whole token or only its signature.
    signatures = set(re.findall(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])", log))
    leaked_tokens = [token for token in server.seen_tokens
                     if token.rsplit(".", 1)[-1] in signatures]
    assert not leaked_tokens, f"{len(leaked_tokens)} issued tokens appear in the log, " \
                              f"for example {leaked_tokens[0][:40]}..."
    runs = set(re.findall(r"[A-Za-z0-9]+", log))
    leaked_passwords = [password for password in server.seen_passwords
                        if password_in_log(password, runs, log)]
    assert not leaked_passwords, f"{len(leaked_passwords)} passwords appear in the log, " \
                                 f"for example {leaked_passwords[0][:20]!r}"
