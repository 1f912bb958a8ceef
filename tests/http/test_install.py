"""make install and make uninstall with DESTDIR and PREFIX, into a temporary folder.

These tests need no server; they live here so that make check runs them with pytest.
"""

import shutil
import stat
import subprocess

import pytest

from conftest import PROGRAM_BIN, ROOT

PROGRAMS = ["register", "login", "token_refresh", "logout", "me"]


def make(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, \
        f"make {' '.join(args)} failed with exit status {result.returncode}:\n" \
        f"{result.stdout}{result.stderr}"
    return result


def expected_files(prefix: str) -> dict[str, int]:
    """Return each file install lays out, relative to DESTDIR, with its mode."""
    samples = sorted(path.name for path in ROOT.glob("*.sample"))
    samples += sorted(path.name for path in ROOT.glob("docs/*.sample"))
    files = {f"{prefix}/lib/shopease/cgi-bin/{name}": 0o755 for name in PROGRAMS}
    files[f"{prefix}/sbin/shopease-admin"] = 0o755
    for name in ["schema.sql", "grants.sql", "shopease.conf.sample", *samples]:
        files[f"{prefix}/share/shopease/{name}"] = 0o644
    for path in sorted(ROOT.glob("errors/*.html")):
        files[f"{prefix}/share/shopease/errors/{path.name}"] = 0o644
    files[f"{prefix}/share/man/man5/shopease.conf.5"] = 0o644
    files[f"{prefix}/share/man/man8/shopease-admin.8"] = 0o644
    return files


@pytest.mark.parametrize("prefix", [None, "/opt/shopease"], ids=["default prefix", "/opt"])
def test_install_and_uninstall(built, tmp_path, prefix):
    destdir = tmp_path / "root"
    options = [f"DESTDIR={destdir}"] + ([f"PREFIX={prefix}"] if prefix else [])
    files = expected_files(prefix or "/usr/local")

    make("install", *options)
    installed = {"/" + str(path.relative_to(destdir)): stat.S_IMODE(path.stat().st_mode)
                 for path in destdir.rglob("*") if path.is_file()}
    assert installed == files, f"installed files and modes differ from {files}: {installed}"
    base = destdir / (prefix or "/usr/local").lstrip("/")
    for name in PROGRAMS:
        # make install installs the build in use: SANITIZE=1 has its own folder.
        source = PROGRAM_BIN / name
        target = base / "lib/shopease/cgi-bin" / name
        assert target.read_bytes() == source.read_bytes(), f"{target} is not {source}"

    make("uninstall", *options)
    left = sorted(str(path.relative_to(destdir)) for path in destdir.rglob("*") if path.is_file())
    assert left == [], f"uninstall left files: {left}"
    for folder in ["lib/shopease", "share/shopease"]:
        path = base / folder
        assert not path.exists(), f"uninstall left the folder {path}"


def test_installed_admin_runs(built, tmp_path):
    destdir = tmp_path / "root"
    make("install", f"DESTDIR={destdir}")
    result = subprocess.run([str(destdir / "usr/local/sbin/shopease-admin"), "--help"],
                            capture_output=True, text=True, timeout=30)
    make("uninstall", f"DESTDIR={destdir}")
    assert result.returncode == 0, f"installed shopease-admin --help failed: {result.stderr}"
    assert "create-user" in result.stdout, result.stdout


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_man_pages_render():
    for page in ["man/shopease-admin.8", "man/shopease.conf.5"]:
        result = subprocess.run(["groff", "-mandoc", "-Tutf8", "-ww", "-z", str(ROOT / page)],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"groff failed on {page}: {result.stderr}"
        assert result.stderr == "", f"groff warnings on {page}: {result.stderr}"
