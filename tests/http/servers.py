"""Start the web server under test from the deployment samples in the source tree.

SHOPEASE_TEST_SERVER picks the server and the way it runs the programs:

    lighttpd-fastcgi  lighttpd.conf.sample (mod_fastcgi), the default
    lighttpd-cgi      lighttpd-cgi.conf.sample (mod_cgi)
    apache-fcgid      apache.conf.sample (mod_fcgid)
    apache-cgi        htaccess.sample (mod_cgid, from an .htaccess file)
    nginx             nginx.conf.sample, the programs run by spawn-fcgi and multiwatch

Each launch writes a minimal main configuration into the server's own folder that listens
on 127.0.0.1 and includes the sample, with only the sample's paths replaced. A sample that
stops working therefore fails the tests. Run as root, Apache and nginx serve requests as
www-data, so every folder and file they use is made readable, or writable, by that user.
"""

import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path

KINDS = ("lighttpd-fastcgi", "lighttpd-cgi", "apache-fcgid", "apache-cgi", "nginx")
PROGRAMS = ("register", "login", "token_refresh", "logout", "me")
APACHE_MODULES = "/usr/lib/apache2/modules"
CHILD_USER = "www-data"
FASTCGI_PROCESSES = 2
SOCKET_TIMEOUT = 10.0


def selected_kind() -> str:
    """Return the server kind that SHOPEASE_TEST_SERVER names, lighttpd-fastcgi when unset."""
    kind = os.environ.get("SHOPEASE_TEST_SERVER", "") or "lighttpd-fastcgi"
    if kind not in KINDS:
        raise ValueError(f"SHOPEASE_TEST_SERVER={kind!r} is not one of: {', '.join(KINDS)}")
    return kind


def child_user() -> str | None:
    """Return the user that Apache's and nginx's children switch to, or None when not root."""
    if os.geteuid() != 0:
        return None
    pwd.getpwnam(CHILD_USER)
    return CHILD_USER


def replace_setting(text: str, pattern: str, value: str, sample: str) -> str:
    """Replace the value in the one line of `text` that matches `pattern` (group 1 is kept)."""
    result, count = re.subn(pattern, lambda match: match.group(1) + value, text,
                            count=1, flags=re.MULTILINE)
    if count != 1:
        raise RuntimeError(f"{sample} has no line matching {pattern!r}; update tests/http/servers.py")
    return result


def make_shared(path: Path, writable: bool = False) -> None:
    """Create the folder `path` readable (or writable) by the child user, not only by root."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o755)
    user = child_user()
    if writable and user is not None:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


class Launch:
    """The processes of one web server and the files that receive their log lines.

    processes[0] is the web server, which stop() terminates first. The others are the
    programs that spawn-fcgi started for nginx.
    """

    def __init__(self, processes: list[subprocess.Popen], log_files: list[Path]):
        self.processes = processes
        self.log_files = log_files

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def spawn(command: list[str], console: Path, env: dict | None = None) -> subprocess.Popen:
    with open(console, "ab") as output:
        return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                stderr=subprocess.STDOUT)


def base_env() -> dict:
    """Return the environment of a web server: PATH only, so that a program finds its
    configuration file only when the sample passes SHOPEASE_CONFIG on."""
    return {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")}


def launch(kind: str, root: Path, var: Path, port: int, config_path: Path, programs: Path,
           accounts: dict, extra_env: dict) -> Launch:
    """Write the configuration of `kind` into `var`, start it on `port` and return it.

    `programs` is the folder of the built programs (the sanitizer build has its own).
    `accounts` maps each program to the (user, password) of its database account, which
    replaces the sample's CHANGE-ME where the sample gives each program its own account;
    elsewhere the programs use the configuration file's account. `extra_env` reaches the
    programs where the server passes its environment on (lighttpd, spawn-fcgi).
    """
    make_shared(var)
    # The web server's child user reads it; the file holds only test credentials.
    config_path.chmod(0o644)
    starters = {
        "lighttpd-fastcgi": launch_lighttpd,
        "lighttpd-cgi": launch_lighttpd,
        "apache-fcgid": launch_apache,
        "apache-cgi": launch_apache,
        "nginx": launch_nginx,
    }
    return starters[kind](kind, root, var, port, config_path, programs, accounts, extra_env)


def set_account_passwords(text: str, accounts: dict, sample: str) -> str:
    """Replace the CHANGE-ME password after each program's account name in `text`."""
    for user, password in accounts.values():
        pattern = rf'("SHOPEASE_DB_USER" => "{user}",\s*"SHOPEASE_DB_PASSWORD" => )"CHANGE-ME"'
        text, count = re.subn(pattern, lambda match: match.group(1) + f'"{password}"', text)
        if count != 1:
            raise RuntimeError(f"{sample} gives {user} no CHANGE-ME password; "
                               "update tests/http/servers.py")
    return text


def launch_lighttpd(kind: str, root: Path, var: Path, port: int, config_path: Path,
                    programs: Path, accounts: dict, extra_env: dict) -> Launch:
    sample_name = "lighttpd.conf.sample" if kind == "lighttpd-fastcgi" else "lighttpd-cgi.conf.sample"
    text = (root / sample_name).read_text()
    if kind == "lighttpd-fastcgi":
        text = set_account_passwords(text, accounts, sample_name)
    values = {"shopease_bin": programs, "shopease_run": var,
              "shopease_conf": config_path, "shopease_errors": root / "errors"}
    for name, value in values.items():
        if kind == "lighttpd-cgi" and name == "shopease_run":
            continue
        text = replace_setting(text, rf'^(var\.{name} = )".*"$', f'"{value}"', sample_name)
    (var / "shopease.lighttpd.conf").write_text(text)
    make_shared(var / "htdocs")

    # Debian's stock lighttpd.conf sets server.modules, server.http-parseopts and
    # mimetype.assign before it includes the sample, so the sample must extend them.
    main = var / "lighttpd.conf"
    main.write_text(
        'server.modules = ("mod_indexfile", "mod_access", "mod_alias", "mod_accesslog")\n'
        'server.http-parseopts = ("header-strict" => "enable")\n'
        'mimetype.assign = (".html" => "text/html", ".json" => "application/json")\n'
        'server.bind = "127.0.0.1"\n'
        f"server.port = {port}\n"
        f'server.document-root = "{var}/htdocs"\n'
        f'server.errorlog = "{var}/lighttpd.error.log"\n'
        f'accesslog.filename = "{var}/lighttpd.access.log"\n'
        f'server.pid-file = "{var}/lighttpd.pid"\n'
        'server.tag = "shopease"\n'
        f'include "{var}/shopease.lighttpd.conf"\n')
    console = var / "lighttpd.console.log"
    process = spawn(["lighttpd", "-D", "-f", str(main)], console, base_env() | extra_env)
    return Launch([process], [var / "lighttpd.error.log", console])


def apache_main(kind: str, var: Path, port: int) -> str:
    """Return a minimal httpd.conf: the modules `kind` needs, its paths all under `var`."""
    modules = ["mpm_event", "authz_core", "alias", "rewrite", "env"]
    modules.append("fcgid" if kind == "apache-fcgid" else "cgid")
    lines = [f'ServerRoot "{var}"', "ServerName 127.0.0.1", f"Listen 127.0.0.1:{port}",
             f'PidFile "{var}/run/apache.pid"', f'DefaultRuntimeDir "{var}/run"',
             f"Mutex file:{var}/run default", f'ErrorLog "{var}/apache.error.log"',
             "LogLevel warn", "StartServers 1", "ServerLimit 2", "ThreadsPerChild 16",
             "MaxRequestWorkers 32"]
    lines += [f"LoadModule {name}_module {APACHE_MODULES}/mod_{name}.so" for name in modules]
    user = child_user()
    if user is not None:
        lines += [f"User {user}", f"Group {user}"]
    if kind == "apache-fcgid":
        lines += [f'FcgidIPCDir "{var}/fcgid"',
                  f'FcgidProcessTableFile "{var}/run/fcgid_shm"']
    else:
        lines.append(f'ScriptSock "{var}/run/cgid.sock"')
    lines += [f'DocumentRoot "{var}/htdocs"',
              "<Directory />", "\tAllowOverride None", "\tRequire all denied", "</Directory>",
              f'<Directory "{var}/htdocs">', "\tRequire all granted", "</Directory>",
              '<Files ".ht*">', "\tRequire all denied", "</Files>"]
    return "\n".join(lines) + "\n"


def launch_apache(kind: str, root: Path, var: Path, port: int, config_path: Path,
                  programs: Path, accounts: dict, extra_env: dict) -> Launch:
    make_shared(var / "run")
    make_shared(var / "htdocs")
    main = apache_main(kind, var, port)

    if kind == "apache-fcgid":
        make_shared(var / "fcgid", writable=True)
        text = (root / "apache.conf.sample").read_text()
        values = {"SHOPEASE_BIN": programs, "SHOPEASE_CONF": config_path,
                  "SHOPEASE_ERRORS": root / "errors"}
        for name, value in values.items():
            text = replace_setting(text, rf"^(Define {name} ).*$", str(value), "apache.conf.sample")
        (var / "shopease.apache.conf").write_text(text)
        main += f'Include "{var}/shopease.apache.conf"\n'
    else:
        folder = var / "htdocs" / "api" / "auth"
        make_shared(folder)
        text = (root / "htaccess.sample").read_text()
        text = replace_setting(text, r"^(SetEnv SHOPEASE_CONFIG ).*$", str(config_path),
                               "htaccess.sample")
        (folder / ".htaccess").write_text(text)
        shutil.copytree(root / "errors", folder / "errors")
        make_shared(folder / "bin")
        for program in PROGRAMS:
            shutil.copy2(programs / program, folder / "bin" / program)
        main += (f'<Directory "{var}/htdocs/api/auth">\n'
                 "\tAllowOverride FileInfo AuthConfig Options=ExecCGI\n"
                 "</Directory>\n")

    config = var / "apache.conf"
    config.write_text(main)
    console = var / "apache.console.log"
    process = spawn(["/usr/sbin/apache2", "-DFOREGROUND", "-f", str(config)], console, base_env())
    return Launch([process], [var / "apache.error.log", console])


def launch_nginx(kind: str, root: Path, var: Path, port: int, config_path: Path,
                 programs: Path, accounts: dict, extra_env: dict) -> Launch:
    run = var / "run"
    make_shared(run, writable=True)
    make_shared(var / "nginx", writable=True)
    console = var / "fastcgi.console.log"
    user = child_user()
    processes = []
    for program in PROGRAMS:
        command = ["spawn-fcgi", "-n", "-s", str(run / f"{program}.sock"), "-M", "0660"]
        if user is not None:
            command += ["-u", user, "-U", user]
        command += ["--", "/usr/bin/multiwatch", "-f", str(FASTCGI_PROCESSES), "--",
                    str(programs / program)]
        # nginx.conf.sample shows this command, with SHOPEASE_CONFIG in the environment.
        processes.append(spawn(command, console, base_env() | extra_env
                               | {"SHOPEASE_CONFIG": str(config_path)}))

    text = (root / "nginx.conf.sample").read_text()
    if "/run/shopease/" not in text:
        raise RuntimeError("nginx.conf.sample names no socket in /run/shopease/; "
                           "update tests/http/servers.py")
    (var / "nginx" / "shopease.conf").write_text(text.replace("/run/shopease/", f"{run}/"))
    for name in ("fastcgi_params", "mime.types"):
        shutil.copy(Path("/etc/nginx") / name, var / "nginx" / name)
    temp = var / "nginx"
    config = var / "nginx" / "nginx.conf"
    config.write_text(
        (f"user {user};\n" if user is not None else "")
        + "worker_processes 1;\n"
        + "daemon off;\n"
        + f'pid "{var}/nginx.pid";\n'
        + f'error_log "{var}/nginx.error.log" warn;\n'
        + "events { worker_connections 256; }\n"
        + "http {\n"
        + "\tinclude mime.types;\n"
        + "\tdefault_type application/octet-stream;\n"
        + f'\taccess_log "{var}/nginx.access.log";\n'
        + "".join(f'\t{name}_temp_path "{temp}/{name}";\n'
                  for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + "\tserver {\n"
        + f"\t\tlisten 127.0.0.1:{port};\n"
        + "\t\tinclude shopease.conf;\n"
        + "\t}\n"
        + "}\n")
    nginx = spawn(["nginx", "-p", str(var / "nginx"), "-c", str(config)], var / "nginx.console.log",
                  base_env())
    # The caller waits for nginx's port only: wait for the programs' sockets too, or a
    # first request can find no program listening and get nginx's 502 as a 503.
    sockets = [run / f"{program}.sock" for program in PROGRAMS]
    deadline = time.monotonic() + SOCKET_TIMEOUT
    while not all(path.exists() for path in sockets):
        if time.monotonic() > deadline:
            missing = [str(path) for path in sockets if not path.exists()]
            raise RuntimeError(f"spawn-fcgi made no socket within {SOCKET_TIMEOUT} s: {missing}")
        time.sleep(0.05)
    return Launch([nginx] + processes,
                  [var / "nginx.error.log", var / "nginx.console.log", console])
