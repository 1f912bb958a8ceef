"""What the web server configuration adds to the programs: unknown paths and the systemd units.

The server under test is the one SHOPEASE_TEST_SERVER names (servers.py), started from its
deployment sample. The rest of the suite covers the programs' own replies through it.
"""

import shutil
import subprocess

import pytest

import servers
from conftest import ROOT, SERVER_KIND
from support import assert_json_type, assert_reply

NOT_FOUND = {"detail": "Not found."}
UNKNOWN_PATHS = [
    "/api/auth/",
    "/api/auth/unknown/",
    "/api/auth/registerx",
    "/api/auth/register/extra",
    "/api/auth/token/",
    "/api/auth/token/refresh/extra",
    "/api/auth/bin/me",
    "/api/auth/errors/404.html",
]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_path_not_found(client, path, method):
    response = client.request(method, path, {"email": "a@example.com"} if method == "POST" else None)
    assert_reply(response, 404, NOT_FOUND)
    assert_json_type(response)


def test_unknown_path_head(client):
    response = client.request("HEAD", "/api/auth/unknown/")
    assert response.status == 404, f"HEAD of an unknown path gave {response.status}"
    assert response.body == b"", f"HEAD reply has a body: {response.body[:200]!r}"


@pytest.mark.skipif(SERVER_KIND != "lighttpd-fastcgi",
                    reason="the units do not depend on the web server; checked once")
def test_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units in systemd/ are not checked")
    for name in ("shopease@.socket", "shopease@.service"):
        text = (ROOT / "systemd" / name).read_text()
        (tmp_path / name).write_text(text.replace("/usr/local/lib/shopease/cgi-bin",
                                                  str(ROOT / "cgi-bin")))

    units = [str(tmp_path / f"shopease@{program}.{kind}")
             for program in servers.PROGRAMS for kind in ("socket", "service")]
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, \
        f"systemd-analyze verify exited with {result.returncode}:\n{result.stdout}{result.stderr}"
    assert str(tmp_path) not in result.stdout + result.stderr, \
        f"systemd-analyze verify warned about the units:\n{result.stdout}{result.stderr}"


def test_systemd_service_runs_programs():
    text = (ROOT / "systemd" / "shopease@.service").read_text()
    exec_lines = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    assert len(exec_lines) == 1, f"expected one ExecStart line, found {exec_lines}"
    program = exec_lines[0].split()[-1]
    assert program == "/usr/local/lib/shopease/cgi-bin/%i", \
        f"ExecStart runs {program!r}, not the installed program of the instance"
    for name in servers.PROGRAMS:
        assert (ROOT / "cgi-bin" / name).exists(), f"no program cgi-bin/{name} for shopease@{name}"
