#!/bin/sh
# SPDX-License-Identifier: ISC
# Start or stop a private MariaDB server whose whole state lives in one folder:
# data in DIR/data, the Unix socket DIR/mysqld.sock, DIR/mysqld.pid, the log
# DIR/mysqld.log. It listens on no TCP port.
#
#   tools/db.sh start DIR     start it unless it runs; create the data first
#   tools/db.sh stop DIR      stop it and wait until it has exited
#   tools/db.sh status DIR    exit 0 when it accepts a query
#   tools/db.sh schema DIR DB USER PASSWORD
#                             create database DB and account USER, apply schema.sql
#   tools/db.sh grants DIR DB
#                             create one account per program (shopease_register,
#                             shopease_login, ...) and apply grants.sql to DB;
#                             each account's password is kept in
#                             DIR/accounts/<program>.password, made on first use
#
# DB_SERVER_OPTIONS, from the environment, adds options to mariadbd's command
# line at start (make bench sets the ones it measures with).
set -eu

cmd=${1:?usage: tools/db.sh start|stop|status|schema|grants DIR ...}
dir=${2:?usage: tools/db.sh start|stop|status|schema|grants DIR ...}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock=$dir/mysqld.sock

client() {
	mariadb --no-defaults --socket="$sock" --user=root "$@"
}

answers() {
	client -e 'SELECT 1' >/dev/null 2>&1
}

start() {
	answers && return 0
	if [ ! -d "$dir/data/mysql" ]; then
		mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
			--auth-root-authentication-method=socket >"$dir/install.log" 2>&1 || {
			echo "tools/db.sh: mariadb-install-db failed; see $dir/install.log" >&2
			exit 1
		}
	fi
	# A Unix socket path is limited to 107 bytes: report it rather than fail obscurely.
	if [ ${#sock} -gt 107 ]; then
		echo "tools/db.sh: socket path too long (${#sock} bytes): $sock" >&2
		exit 1
	fi
	mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" \
		--socket="$sock" --skip-networking --pid-file="$dir/mysqld.pid" \
		--log-error="$dir/mysqld.log" --innodb-buffer-pool-size=64M \
		--innodb-log-file-size=64M --max-connections=500 \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_uca1400_as_ci \
		${DB_SERVER_OPTIONS:-} >/dev/null 2>&1 &
	i=0
	until answers; do
		i=$((i + 1))
		if [ $i -gt 120 ]; then
			echo "tools/db.sh: MariaDB did not accept a query within 60 s; see $dir/mysqld.log" >&2
			exit 1
		fi
		sleep 0.5
	done
}

stop() {
	[ -f "$dir/mysqld.pid" ] || return 0
	pid=$(cat "$dir/mysqld.pid")
	kill "$pid" 2>/dev/null || { rm -f "$dir/mysqld.pid"; return 0; }
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 120 ]; then
			echo "tools/db.sh: MariaDB (pid $pid) did not stop within 60 s; killing it" >&2
			kill -9 "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.5
	done
	rm -f "$dir/mysqld.pid"
}

schema() {
	db=${1:?database name}
	user=${2:?account name}
	password=${3:?account password}
	client -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_as_ci;
		CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
		GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE ON \`$db\`.* TO '$user'@'localhost';"
	client "$db" <"$here/schema.sql"
}

random_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

grants() {
	db=${1:?database name}
	mkdir -p "$dir/accounts"
	chmod 0700 "$dir/accounts"
	for program in register login token_refresh logout me; do
		file=$dir/accounts/$program.password
		[ -s "$file" ] || (umask 077 && random_hex 16 >"$file")
		password=$(cat "$file")
		client -e "CREATE USER IF NOT EXISTS 'shopease_$program'@'localhost' IDENTIFIED BY '$password';
			ALTER USER 'shopease_$program'@'localhost' IDENTIFIED BY '$password';"
	done
	client "$db" <"$here/grants.sql"
}

case "$cmd" in
start) start ;;
stop) stop ;;
status) answers ;;
schema) shift 2; schema "$@" ;;
grants) shift 2; grants "$@" ;;
*) echo "usage: tools/db.sh start|stop|status|schema|grants DIR ..." >&2; exit 2 ;;
esac
