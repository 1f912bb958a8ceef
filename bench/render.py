#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Write one benchmark run (results.json from bench/run.sh) into a Markdown page.

    render.py RESULTS_JSON PAGE

The run's section replaces the text between the page's RESULTS_BEGIN and
RESULTS_END markers; the rest of the page is kept. A page without the
markers gets them, with the section, at its end.
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

RESULTS_BEGIN = "<!-- results begin: written by bench/render.py -->"
RESULTS_END = "<!-- results end -->"
RATIO_TARGETS = {"refresh": 10.0, "logout": 10.0, "me": 10.0}


def first_line(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except OSError as error:
        return f"not found ({error.strerror})"
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def package_version(name):
    return first_line(["dpkg-query", "-W", "-f", "${Version}", name])


def machine():
    with open("/proc/cpuinfo") as cpuinfo:
        models = re.findall(r"^model name\s*:\s*(.*)$", cpuinfo.read(), re.M)
    with open("/proc/meminfo") as meminfo:
        total_kib = int(re.search(r"^MemTotal:\s*(\d+)", meminfo.read(), re.M).group(1))
    return {
        "cores": os.cpu_count(),
        "cpu": models[0] if models else "unknown",
        "memory": f"{total_kib / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
    }


def load(path):
    runs, extra = [], {}
    with open(path) as results:
        for line in results:
            record = json.loads(line)
            if "side" in record:
                runs.append(record)
            elif "hash" in record:
                extra.setdefault("hashes", []).append(record["hash"])
            else:
                extra.update(record)
    return runs, extra


def find(runs, side, endpoint, connections=None):
    for run in runs:
        if run["side"] == side and run["endpoint"] == endpoint and \
                (connections is None or run["connections"] == connections):
            return run
    return None


def statements_per_request(run):
    """MariaDB statements (Questions) and commits per request during the run."""
    requests = run["result"]["requests"] or 1
    delta = {key: run["after"][key] - run["before"][key] for key in run["before"]}
    return delta["Questions"] / requests, delta["Com_commit"] / requests


def ratio(numerator, denominator):
    return numerator / denominator if denominator else float("inf")


def throughput_table(runs, connections):
    lines = [
        "| endpoint | suite req/s | Django req/s | ratio | suite p50 / p99 ms | "
        "Django p50 / p99 ms | p99 ratio (Django / suite) | non-2xx suite / Django | "
        "statements per request suite / Django |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for endpoint in ("login", "register", "refresh", "logout", "me"):
        suite = find(runs, "suite", endpoint, connections)
        django = find(runs, "django", endpoint, connections)
        if suite is None or django is None:
            continue
        s, d = suite["result"], django["result"]
        s_statements, _ = statements_per_request(suite)
        d_statements, _ = statements_per_request(django)
        lines.append(
            f"| {endpoint} | {s['rps']:.0f} | {d['rps']:.0f} | {ratio(s['rps'], d['rps']):.1f}x | "
            f"{s['p50_ms']:.1f} / {s['p99_ms']:.1f} | {d['p50_ms']:.1f} / {d['p99_ms']:.1f} | "
            f"{ratio(d['p99_ms'], s['p99_ms']):.1f}x | {s['non_2xx'] + s['socket_errors']} / "
            f"{d['non_2xx'] + d['socket_errors']} | {s_statements:.2f} / {d_statements:.2f} |")
    cgi = find(runs, "cgi", "refresh")
    django = find(runs, "django", "refresh", connections)
    if cgi is not None and django is not None:
        c, d = cgi["result"], django["result"]
        c_statements, _ = statements_per_request(cgi)
        d_statements, _ = statements_per_request(django)
        lines.append(
            f"| refresh, suite as plain CGI | {c['rps']:.0f} | {d['rps']:.0f} | "
            f"{ratio(c['rps'], d['rps']):.1f}x | {c['p50_ms']:.1f} / {c['p99_ms']:.1f} | "
            f"{d['p50_ms']:.1f} / {d['p99_ms']:.1f} | {ratio(d['p99_ms'], c['p99_ms']):.1f}x | "
            f"{c['non_2xx'] + c['socket_errors']} / {d['non_2xx'] + d['socket_errors']} | "
            f"{c_statements:.2f} / {d_statements:.2f} |")
    return lines


def hash_section(runs, extra, cores, connections):
    """Login and register against what one bcrypt operation allows on this machine."""
    hashes = extra.get("hashes", [])
    cheap = extra.get("cheap_hash")
    if not hashes or cheap is None:
        return [], []
    lines = [
        "Throughput: each endpoint's hash time is one bcrypt_sha256 operation at cost "
        f"{hashes[0]['cost']} (verify for login, hash for register). `bench/hashtime` "
        f"measures it on all {cores} cores at once, right before the suite's runs of "
        "that endpoint and right after them: the median of 9 on each core, then the "
        "mean of before and after. The most the cores can serve is cores / hash time.",
        "",
        "Time beyond one hash: the hash time drifts by several percent between "
        "measurements a minute apart here, which is more than the 2 ms allowed for "
        "the rest. So a third lighttpd, whose programs hash at cost "
        f"{cheap['cost']}, measures it: its p50 at one connection minus one operation "
        f"at cost {cheap['cost']} ({cheap['verify_ms']:.2f} ms to verify, "
        f"{cheap['hash_ms']:.2f} ms to hash, median of 101). Everything but the hash "
        "is the same code at either cost.",
        "",
        "| endpoint | hash ms before / after | bound req/s | suite req/s | share of bound | "
        f"p50 ms at 1 connection | p50 ms at cost {cheap['cost']} | beyond one hash ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    verdicts = []
    for endpoint, key in (("login", "verify_ms"), ("register", "hash_ms")):
        busy = find(runs, "suite", endpoint, connections)
        single = find(runs, "suite", endpoint, 1)
        low = find(runs, "cheap", endpoint, 1)
        times = {h["when"]: h["ms"] for h in hashes if h["endpoint"] == endpoint}
        if busy is None or single is None or low is None or len(times) != 2:
            continue
        hash_ms = (times["before"] + times["after"]) / 2
        bound = cores * 1000.0 / hash_ms
        share = busy["result"]["rps"] / bound
        beyond = low["result"]["p50_ms"] - cheap[key]
        lines.append(
            f"| {endpoint} | {times['before']:.1f} / {times['after']:.1f} | {bound:.1f} | "
            f"{busy['result']['rps']:.1f} | {share * 100:.1f}% | "
            f"{single['result']['p50_ms']:.1f} | {low['result']['p50_ms']:.2f} | "
            f"{beyond:.2f} |")
        verdicts.append((f"{endpoint}: throughput at least 95% of cores / hash time",
                         share >= 0.95, f"{share * 100:.1f}%"))
        verdicts.append((f"{endpoint}: time beyond one hash under 2 ms",
                         beyond < 2.0, f"{beyond:.2f} ms"))
    return lines, verdicts


def verdict_lines(runs, extra, connections, hash_verdicts):
    verdicts = []
    for endpoint, target in RATIO_TARGETS.items():
        suite = find(runs, "suite", endpoint, connections)
        django = find(runs, "django", endpoint, connections)
        if suite is None or django is None:
            continue
        value = ratio(suite["result"]["rps"], django["result"]["rps"])
        verdicts.append((f"{endpoint}: at least {target:.0f}x the requests/s",
                         value >= target, f"{value:.1f}x"))
        if endpoint == "refresh":
            p99 = ratio(django["result"]["p99_ms"], suite["result"]["p99_ms"])
            verdicts.append(("refresh: p99 at most a tenth", p99 >= 10.0, f"{p99:.1f}x lower"))
    cgi = find(runs, "cgi", "refresh")
    django = find(runs, "django", "refresh", connections)
    if cgi is not None and django is not None:
        value = ratio(cgi["result"]["rps"], django["result"]["rps"])
        verdicts.append(("plain CGI refresh: at least 2x the requests/s", value >= 2.0,
                         f"{value:.1f}x"))
    memory = extra.get("memory")
    if memory is not None:
        share = ratio(memory["suite_kib"], memory["django_kib"])
        verdicts.append(("memory (PSS): suite under a fifth of Django's", share < 0.2,
                         f"{share * 100:.1f}%"))
    verdicts.extend(hash_verdicts)
    lines = ["| target | met | measured |", "| --- | --- | ---: |"]
    for name, met, value in verdicts:
        lines.append(f"| {name} | {'yes' if met else 'NO'} | {value} |")
    return lines


def cpu_per_request(run, key):
    """CPU time in microseconds per request that the counter `key` moved during the run."""
    ticks = run["after"].get(key, 0) - run["before"].get(key, 0)
    return ticks * 1e6 / os.sysconf("SC_CLK_TCK") / (run["result"]["requests"] or 1)


def cpu_section(runs, cores, connections):
    """Tabulate where the CPU time of one request goes, and what a tenfold ratio allows."""
    lines = [
        "CPU time per request, from `/proc/PID/stat` before and after each run: the "
        "suite's lighttpd and FastCGI programs, the Django service's gunicorn master and "
        "workers, and MariaDB during each side's run. wrk, on the same cores, is not "
        "counted. The last column is the CPU time per request that 10x the Django "
        f"service's throughput leaves on {cores} cores for everything: web server, "
        "programs, MariaDB and wrk.",
        "",
        "| endpoint | suite µs | of which lighttpd µs | MariaDB µs (suite) | Django µs | "
        "MariaDB µs (Django) | µs per request at 10x |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for endpoint in ("refresh", "logout", "me"):
        suite = find(runs, "suite", endpoint, connections)
        django = find(runs, "django", endpoint, connections)
        if suite is None or django is None or "suite_cpu_ticks" not in suite["before"]:
            continue
        budget = cores * 1e6 / (10 * django["result"]["rps"])
        lines.append(
            f"| {endpoint} | {cpu_per_request(suite, 'suite_cpu_ticks'):.0f} | "
            f"{cpu_per_request(suite, 'lighttpd_cpu_ticks'):.0f} | "
            f"{cpu_per_request(suite, 'mariadbd_cpu_ticks'):.0f} | "
            f"{cpu_per_request(django, 'django_cpu_ticks'):.0f} | "
            f"{cpu_per_request(django, 'mariadbd_cpu_ticks'):.0f} | {budget:.0f} |")
    cgi = find(runs, "cgi", "refresh")
    if cgi is not None and "cgi_cpu_ticks" in cgi["before"]:
        lines.append(
            f"| refresh, plain CGI | {cpu_per_request(cgi, 'cgi_cpu_ticks'):.0f} | | "
            f"{cpu_per_request(cgi, 'mariadbd_cpu_ticks'):.0f} | | | |")
    return lines


def section(runs, extra):
    info = machine()
    settings = extra.get("settings", {})
    connections = settings.get("connections")
    memory = extra.get("memory", {})
    finished = settings.get(
        "finished", f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M}")
    lines = [
        RESULTS_BEGIN,
        f"## Last run: {finished} UTC",
        "",
        f"- Machine: {info['cores']} cores, {info['cpu']}, {info['memory']} memory, "
        f"Linux {info['kernel']}.",
        f"- Versions: lighttpd {package_version('lighttpd')}, MariaDB "
        f"{package_version('mariadb-server')}, wrk {package_version('wrk')}, gunicorn "
        f"{package_version('gunicorn')}, Django {package_version('python3-django')}, DRF "
        f"{package_version('python3-djangorestframework')}, simplejwt "
        f"{package_version('python3-djangorestframework-simplejwt')}, Python "
        f"{platform.python_version()}, {first_line(['cc', '--version'])}.",
        f"- Command: `make bench` (wrk -t{settings.get('threads')} -c{connections} "
        f"-d{settings.get('duration_s')}s per endpoint per side; the suite with "
        f"{settings.get('fcgi_procs')} FastCGI processes per endpoint and "
        f"{settings.get('read_procs', settings.get('fcgi_procs'))} for /me/, Django with "
        f"{settings.get('workers')} gunicorn sync workers).",
        "",
        "### Throughput and latency",
        "",
    ]
    lines += throughput_table(runs, connections)
    lines += [
        "",
        "Statements per request are MariaDB's `Questions` counter over the run divided "
        "by the requests; they include each side's transaction statements.",
        "",
        "### CPU time per request",
        "",
    ]
    lines += cpu_section(runs, info["cores"], connections)
    lines += [
        "",
        "### Password hashing",
        "",
    ]
    hash_lines, hash_verdicts = hash_section(runs, extra, info["cores"], connections)
    lines += hash_lines
    lines += [
        "",
        "### Memory",
        "",
        f"Proportional set size after the runs: the suite's lighttpd and its "
        f"{memory.get('suite_processes', 0) - 1} FastCGI processes "
        f"{memory.get('suite_kib', 0) / 1024:.1f} MiB, the Django service's gunicorn "
        f"master and workers ({memory.get('django_processes', 0)} processes) "
        f"{memory.get('django_kib', 0) / 1024:.1f} MiB; the shared MariaDB "
        f"{memory.get('mariadb_kib', 0) / 1024:.1f} MiB.",
        "",
        "### Targets",
        "",
    ]
    lines += verdict_lines(runs, extra, connections, hash_verdicts)
    lines.append(RESULTS_END)
    return "\n".join(lines) + "\n"


def main():
    runs, extra = load(sys.argv[1])
    page = sys.argv[2]
    text = section(runs, extra)
    try:
        with open(page) as existing:
            old = existing.read()
    except FileNotFoundError:
        old = "# Benchmarks\n\n"
    if RESULTS_BEGIN in old and RESULTS_END in old:
        head, rest = old.split(RESULTS_BEGIN, 1)
        tail = rest.split(RESULTS_END, 1)[1].lstrip("\n")
        new = head + text + ("\n" + tail if tail else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    os.makedirs(os.path.dirname(os.path.abspath(page)), exist_ok=True)
    with open(page, "w") as out:
        out.write(new)


if __name__ == "__main__":
    main()
