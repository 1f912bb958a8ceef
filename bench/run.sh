#!/bin/bash
# SPDX-License-Identifier: ISC
# make bench: the suite against the Django + simplejwt service it replaces,
# on this machine, in one run, against ONE MariaDB server that both share,
# so the database is not what differs. Both sides get the same signing key,
# the same bcrypt cost (the Django side is switched from PBKDF2 to its
# bcrypt_sha256 hasher, the format the suite writes), and the same wrk
# scripts, threads and connections. Results go to docs/benchmarks.md between
# its "results" markers, and the raw numbers to $BENCH_OUT/results.json.
#
# Settings, from the environment:
#   BENCH_DURATION     seconds per endpoint per side (10)
#   BENCH_CONNECTIONS  wrk connections (16); BENCH_THREADS wrk threads (2)
#   BENCH_BCRYPT_COST  bcrypt cost of both sides (10)
#   BENCH_FCGI_PROCS   FastCGI processes per endpoint of the suite (8)
#   BENCH_READ_PROCS   FastCGI processes of /me/, which only reads (3)
#   BENCH_WORKERS      gunicorn sync workers of the Django service (4)
#   BENCH_ONLY         space-separated endpoints to run (all: login register
#                      refresh logout me refresh_cgi)
#   BENCH_KEEP=1       keep the work folder (logs, database) under /tmp
#   BENCH_DOC          the page to write (docs/benchmarks.md; empty: none)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
reference=${REFERENCE_DIR:-$(cd "$root/.." && pwd)/shared/reference}
python=/usr/bin/python3

duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
cost=${BENCH_BCRYPT_COST:-10}
cheap_cost=4
fcgi_procs=${BENCH_FCGI_PROCS:-8}
read_procs=${BENCH_READ_PROCS:-3}
workers=${BENCH_WORKERS:-4}
only=${BENCH_ONLY:-login register refresh logout me refresh_cgi}
doc=${BENCH_DOC-$root/docs/benchmarks.md}
password=correct-horse-9
# The key run-reference.sh gives the Django service; the suite gets it too,
# so one token generator serves both sides.
secret=reference-only-secret-key-not-for-production-0123456789

if [ ! -f "$reference/django/manage.py" ]; then
	echo "bench: the Django service is not in $reference/django; set REFERENCE_DIR" >&2
	exit 1
fi

need=()
for pkg in wrk lighttpd mariadb-server mariadb-client gunicorn python3-django \
	python3-djangorestframework python3-djangorestframework-simplejwt \
	python3-mysqldb python3-bcrypt curl; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "bench: installing ${need[*]}"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/shopease-bench.XXXXXX)
chmod 0755 "$work"
out=${BENCH_OUT:-$work}
results=$out/results.json
: >"$results"
mkdir -p "$work/suite/htdocs" "$work/cgi/htdocs"
pids=()

stop_all() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	"$root/tools/db.sh" stop "$work/db" || true
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $work"
	else
		rm -rf "$work"
	fi
}
trap stop_all EXIT

free_port() {
	"$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

sql() {
	mariadb --no-defaults --socket="$work/db/mysqld.sock" --user=root -N -B "$@"
}

wait_http() {
	local i
	for i in $(seq 1 60); do
		curl -s -o /dev/null "http://127.0.0.1:$1/api/auth/login/" && return 0
		sleep 0.5
	done
	echo "bench: nothing answers on 127.0.0.1:$1" >&2
	exit 1
}

# The database both sides use: tools/db.sh's server, with its settings
# (innodb_flush_log_at_trx_commit stays at its default of 1: every commit
# is flushed to disk).
"$root/tools/db.sh" start "$work/db"
db_password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
"$root/tools/db.sh" schema "$work/db" shopease_bench shopease "$db_password"
sql -e "CREATE DATABASE shopease_ref CHARACTER SET utf8mb4;
	CREATE USER 'ref'@'localhost' IDENTIFIED BY 'refpw';
	GRANT ALL ON shopease_ref.* TO 'ref'@'localhost';"

# The Django service: its own code and settings, with bench_settings.py on
# top for the hasher, under gunicorn with sync workers as it is deployed.
export REF_DB_SOCKET=$work/db/mysqld.sock
export REFERENCE_SECRET=$secret
export BENCH_BCRYPT_COST=$cost
export DJANGO_SETTINGS_MODULE=bench_settings
export PYTHONPATH=$bench/django:$reference/django
(cd "$reference/django" && "$python" manage.py migrate -v 0)
django_port=$(free_port)
/usr/bin/gunicorn --chdir "$reference/django" -w "$workers" \
	-b "127.0.0.1:$django_port" --error-logfile "$work/gunicorn.log" \
	shopease.wsgi:application &
django_pid=$!
pids+=("$django_pid")

# The suite, FastCGI and plain CGI, each behind its own lighttpd, and a
# third lighttpd whose programs hash at bcrypt cost 4 (about a millisecond),
# which measures what login and register spend beyond the hash.
suite_port=$(free_port)
cgi_port=$(free_port)
cheap_port=$(free_port)
mkdir -p "$work/cheap/htdocs"
umask 077
cat >"$work/shopease.conf" <<EOF
db_socket = $work/db/mysqld.sock
db_user = shopease
db_password = $db_password
db_name = shopease_bench
jwt_secret = $secret
bcrypt_cost = $cost
log = stderr
EOF
sed "s/^bcrypt_cost = .*/bcrypt_cost = $cheap_cost/" "$work/shopease.conf" >"$work/cheap.conf"
umask 022
chmod 0644 "$work/shopease.conf" "$work/cheap.conf"
"$bench/lighttpd-conf.sh" fastcgi "$root" "$work/cheap" "$cheap_port" 2 \
	>"$work/cheap/lighttpd.conf"
SHOPEASE_CONFIG=$work/cheap.conf lighttpd -D -f "$work/cheap/lighttpd.conf" \
	>"$work/cheap/stderr.log" 2>&1 &
pids+=("$!")
export SHOPEASE_CONFIG=$work/shopease.conf
"$bench/lighttpd-conf.sh" fastcgi "$root" "$work/suite" "$suite_port" "$fcgi_procs" \
	"$read_procs" >"$work/suite/lighttpd.conf"
"$bench/lighttpd-conf.sh" cgi "$root" "$work/cgi" "$cgi_port" 0 >"$work/cgi/lighttpd.conf"
# mod_cgi passes the programs' standard error on as lighttpd's: keep it in a file.
lighttpd -D -f "$work/suite/lighttpd.conf" >"$work/suite/stderr.log" 2>&1 &
suite_pid=$!
pids+=("$suite_pid")
lighttpd -D -f "$work/cgi/lighttpd.conf" >"$work/cgi/stderr.log" 2>&1 &
cgi_pid=$!
pids+=("$cgi_pid")

wait_http "$django_port"
wait_http "$suite_port"
wait_http "$cgi_port"
wait_http "$cheap_port"

# One user on each side, registered through the API, with an access token.
declare -A user_id access
for side in suite django; do
	port=$suite_port
	[ "$side" = django ] && port=$django_port
	reply=$(curl -s -X POST "http://127.0.0.1:$port/api/auth/register/" \
		-H 'Content-Type: application/json' \
		-d "{\"email\":\"bench-$side@example.com\",\"password\":\"$password\"}")
	access[$side]=$(printf '%s' "$reply" | "$python" -c 'import json, sys; print(json.load(sys.stdin)["access"])')
	user_id[$side]=$(printf '%s' "${access[$side]}" | "$python" -c '
import base64, json, sys
payload = sys.stdin.read().split(".")[1]
print(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["user_id"])')
done

# The user of the cost 4 runs, and one hash and one verification at cost 4
# (single core, median of 101).
curl -s -o /dev/null -X POST "http://127.0.0.1:$cheap_port/api/auth/register/" \
	-H 'Content-Type: application/json' \
	-d "{\"email\":\"bench-cheap@example.com\",\"password\":\"$password\"}"
cheap_times=$("$bench/hashtime" "$cheap_cost" 101)
printf '{"cheap_hash":{"cost":%d,"hash_ms":%s,"verify_ms":%s}}\n' "$cheap_cost" \
	"$(echo "$cheap_times" | awk '{ print $2 }')" "$(echo "$cheap_times" | awk '{ print $4 }')" \
	>>"$results"

# Refresh tokens to spend, recorded as outstanding as if issued at login.
make_tokens() {
	local side=$1 name=$2 per_second=$3 database=shopease_bench schema=suite
	if [ "$side" = django ]; then
		database=shopease_ref
		schema=django
	fi
	"$python" "$bench/tokens.py" "$secret" "${user_id[$side]}" \
		$((per_second * (duration + 2))) "$work/$name.tokens" "$work/$name.sql" "$schema"
	sql "$database" <"$work/$name.sql"
}

# CPU time in clock ticks (user + system) of a process and its threads.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# CPU time of a process, of its children that still run, and of those that
# have exited and been waited for. A FastCGI process that ends during a run
# still counts, where a sum over live processes alone fell between runs.
tree_ticks() {
	local total pid
	total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat")
	for pid in $(pgrep -P "$1" || true); do
		total=$((total + $(cpu_ticks "$pid")))
	done
	echo "$total"
}

# MariaDB's counters, and the CPU time in clock ticks that MariaDB, each
# side's web server with its programs, and the plain CGI lighttpd have used.
counters() {
	{
		sql -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions',
			'Com_stmt_execute', 'Com_commit', 'Com_begin', 'Com_insert',
			'Com_select', 'Com_update', 'Com_rollback', 'Innodb_data_fsyncs')"
		echo "mariadbd_cpu_ticks $(cpu_ticks "$(cat "$work/db/mysqld.pid")")"
		echo "suite_cpu_ticks $(tree_ticks "$suite_pid")"
		echo "lighttpd_cpu_ticks $(cpu_ticks "$suite_pid")"
		echo "django_cpu_ticks $(tree_ticks "$django_pid")"
		echo "cgi_cpu_ticks $(tree_ticks "$cgi_pid")"
	} | "$python" -c 'import json, sys; print(json.dumps({k: int(v) for k, v in (l.split() for l in sys.stdin)}))'
}

# run_wrk SIDE ENDPOINT PORT SCRIPT [CONNECTIONS [SECONDS]]: one wrk run,
# one line in results.json with the MariaDB counters it moved.
run_wrk() {
	local side=$1 endpoint=$2 port=$3 script=$4 conns=${5:-$connections}
	local seconds=${6:-$duration} before after line wrk_threads=$threads
	[ "$conns" -lt "$wrk_threads" ] && wrk_threads=$conns
	before=$(counters)
	line=$(BENCH_LIB=$bench BENCH_THREADS=$wrk_threads wrk -t"$wrk_threads" -c"$conns" \
		-d"${seconds}s" --timeout 10s -s "$bench/$script" "http://127.0.0.1:$port" | tail -n 1)
	after=$(counters)
	printf '{"side":"%s","endpoint":"%s","connections":%d,"result":%s,"before":%s,"after":%s}\n' \
		"$side" "$endpoint" "$conns" "$line" "$before" "$after" >>"$results"
	echo "bench: $side $endpoint -c$conns: $line"
	sleep 1
}

# All tokens are loaded before the first run, so no run shares the server
# with a bulk load. The counts are well above what each side can serve.
for endpoint in $only; do
	case $endpoint in
	refresh | logout)
		make_tokens suite "$endpoint-suite" 20000
		make_tokens django "$endpoint-django" 2000
		;;
	refresh_cgi)
		make_tokens suite refresh-cgi 4000
		;;
	esac
done
sleep 5

# Warm up: every worker of both sides opens its database connection.
BENCH_LIB=$bench BENCH_ACCESS=${access[suite]} wrk -t2 -c16 -d2s -s "$bench/me.lua" \
	"http://127.0.0.1:$suite_port" >/dev/null
BENCH_LIB=$bench BENCH_ACCESS=${access[django]} wrk -t2 -c16 -d2s -s "$bench/me.lua" \
	"http://127.0.0.1:$django_port" >/dev/null

# hash_time FIELD: the median time of one bcrypt operation (FIELD hash_ms or
# verify_ms) with every core hashing at once, as under a full load of logins.
hash_time() {
	local field=$1 i
	for i in $(seq 1 "$(nproc)"); do
		"$bench/hashtime" "$cost" 9 &
	done | awk -v field="$field" '{ for (i = 1; i < NF; i++) if ($i == field) print $(i + 1) }' |
		sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# record_hash ENDPOINT FIELD WHEN: one line in results.json.
record_hash() {
	printf '{"hash":{"endpoint":"%s","cost":%d,"when":"%s","ms":%s}}\n' \
		"$1" "$cost" "$3" "$(hash_time "$2")" >>"$results"
}

export BENCH_PASSWORD=$password
for endpoint in $only; do
	for side in suite django; do
		port=$suite_port
		[ "$side" = django ] && port=$django_port
		case $endpoint in
		login)
			[ "$side" = suite ] && record_hash login verify_ms before
			BENCH_EMAIL=bench-$side@example.com run_wrk "$side" login "$port" login.lua
			if [ "$side" = suite ]; then
				BENCH_EMAIL=bench-$side@example.com \
					run_wrk "$side" login "$port" login.lua 1 5
				record_hash login verify_ms after
				BENCH_EMAIL=bench-cheap@example.com \
					run_wrk cheap login "$cheap_port" login.lua 1 5
			fi
			;;
		register)
			[ "$side" = suite ] && record_hash register hash_ms before
			run_wrk "$side" register "$port" register.lua
			if [ "$side" = suite ]; then
				run_wrk "$side" register "$port" register.lua 1 5
				record_hash register hash_ms after
				run_wrk cheap register "$cheap_port" register.lua 1 5
			fi
			;;
		refresh | logout)
			path=/api/auth/token/refresh/
			access_header=
			if [ "$endpoint" = logout ]; then
				path=/api/auth/logout/
				access_header=${access[$side]}
			fi
			BENCH_TOKENS=$work/$endpoint-$side.tokens BENCH_PATH=$path \
				BENCH_ACCESS=$access_header run_wrk "$side" "$endpoint" "$port" spend.lua
			;;
		refresh_cgi)
			[ "$side" = django ] && continue
			BENCH_TOKENS=$work/refresh-cgi.tokens BENCH_PATH=/api/auth/token/refresh/ \
				BENCH_ACCESS= run_wrk cgi refresh "$cgi_port" spend.lua
			;;
		me)
			BENCH_ACCESS=${access[$side]} run_wrk "$side" me "$port" me.lua
			;;
		esac
	done
done

# Memory: proportional set size of every process of each side, after the runs.
pss_kib() {
	local pid total=0 kib
	for pid in "$@"; do
		kib=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
		total=$((total + ${kib:-0}))
	done
	echo "$total"
}
suite_procs=("$suite_pid" $(pgrep -P "$suite_pid" || true))
django_procs=("$django_pid" $(pgrep -P "$django_pid" || true))
mysqld_pid=$(cat "$work/db/mysqld.pid")
printf '{"memory":{"suite_kib":%d,"suite_processes":%d,"django_kib":%d,"django_processes":%d,"mariadb_kib":%d}}\n' \
	"$(pss_kib "${suite_procs[@]}")" "${#suite_procs[@]}" \
	"$(pss_kib "${django_procs[@]}")" "${#django_procs[@]}" \
	"$(pss_kib "$mysqld_pid")" >>"$results"

printf '{"settings":{"duration_s":%d,"connections":%d,"threads":%d,"fcgi_procs":%d,"read_procs":%d,"workers":%d,"finished":"%s"}}\n' \
	"$duration" "$connections" "$threads" "$fcgi_procs" "$read_procs" "$workers" \
	"$(date -u '+%Y-%m-%d %H:%M')" >>"$results"

if [ -n "$doc" ]; then
	"$python" "$bench/render.py" "$results" "$doc"
	echo "bench: wrote $doc"
fi
