#!/bin/sh
# SPDX-License-Identifier: ISC
# Serve the suite on 127.0.0.1:$PORT (default 8080) in the foreground: a
# private MariaDB in var/db (unless SHOPEASE_DB_SOCKET or SHOPEASE_DB_HOST
# names a server), the schema applied, var/shopease.conf written, and
# lighttpd with mod_fastcgi. Ctrl-C stops everything it started.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
var=$root/var
port=${PORT:-8080}
conf=$var/shopease.conf
mkdir -p "$var/htdocs"
chmod 0755 "$var"

random_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

private_db=1
if [ -n "${SHOPEASE_DB_SOCKET:-}${SHOPEASE_DB_HOST:-}" ]; then
	private_db=0
fi

if [ $private_db -eq 1 ]; then
	"$root/tools/db.sh" start "$var/db"
	# The account's password stays the same across runs: keep it in a file.
	[ -f "$var/db/app-password" ] || random_hex 16 >"$var/db/app-password"
	"$root/tools/db.sh" schema "$var/db" shopease shopease "$(cat "$var/db/app-password")"
	"$root/tools/db.sh" grants "$var/db" shopease
fi

# Each program connects with its own account (grants.sql). With a server
# named through SHOPEASE_DB_SOCKET or SHOPEASE_DB_HOST, a program without
# SHOPEASE_<PROGRAM>_DB_USER uses SHOPEASE_DB_USER and SHOPEASE_DB_PASSWORD.
for program in REGISTER LOGIN TOKEN_REFRESH LOGOUT ME; do
	name=$(echo "$program" | tr 'A-Z' 'a-z')
	if [ $private_db -eq 1 ]; then
		user=shopease_$name
		password=$(cat "$var/db/accounts/$name.password")
	elif eval "[ -z \"\${SHOPEASE_${program}_DB_USER:-}\" ]" &&
	    [ -z "${SHOPEASE_DB_USER:-}" ]; then
		echo "tools/run.sh: set SHOPEASE_DB_USER and SHOPEASE_DB_PASSWORD, or" \
		    "SHOPEASE_${program}_DB_USER and SHOPEASE_${program}_DB_PASSWORD" >&2
		exit 1
	else
		user=${SHOPEASE_DB_USER:-}
		password=${SHOPEASE_DB_PASSWORD:-}
	fi
	eval ": \${SHOPEASE_${program}_DB_USER:=\$user}"
	eval ": \${SHOPEASE_${program}_DB_PASSWORD:=\$password}"
	export "SHOPEASE_${program}_DB_USER" "SHOPEASE_${program}_DB_PASSWORD"
done

secret=${SHOPEASE_JWT_SECRET:-$(random_hex 32)}
umask 077
{
	echo "# Written by tools/run.sh for development; not for production."
	if [ $private_db -eq 1 ]; then
		echo "db_socket = $var/db/mysqld.sock"
		echo "db_user = shopease"
		echo "db_password = $(cat "$var/db/app-password")"
		echo "db_name = shopease"
	fi
	echo "jwt_secret = $secret"
	echo "log = stderr"
} >"$conf"
umask 022

stop() {
	trap - INT TERM EXIT
	[ -n "${lighttpd_pid:-}" ] && kill "$lighttpd_pid" 2>/dev/null && wait "$lighttpd_pid" 2>/dev/null
	[ $private_db -eq 1 ] && "$root/tools/db.sh" stop "$var/db"
	exit 0
}
trap stop INT TERM EXIT

SHOPEASE_ROOT=$root SHOPEASE_BIN=${SHOPEASE_BIN:-$root/cgi-bin} SHOPEASE_VAR=$var \
	SHOPEASE_PORT=$port SHOPEASE_CONFIG=$conf lighttpd -D -f "$root/tools/lighttpd.conf" &
lighttpd_pid=$!
echo "Shopease auth suite on http://127.0.0.1:$port/api/auth/; the programs log below," \
	"lighttpd to $var/lighttpd.error.log; Ctrl-C stops it"
wait "$lighttpd_pid"
