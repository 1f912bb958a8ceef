#!/bin/sh
# SPDX-License-Identifier: ISC
# Write the benchmark's lighttpd configuration to standard output.
#
#   lighttpd-conf.sh fastcgi|cgi ROOT STATE PORT PROCS [READ_PROCS]
#
# fastcgi: every endpoint as in tools/lighttpd.conf, with PROCS FastCGI
# processes each, except me, the one endpoint that only reads, which gets
# READ_PROCS (PROCS if not given). lighttpd ends FastCGI processes that
# stay idle longer than idle-timeout (with its default, a run ended with 24
# of its 35), so an hour keeps every one and memory is measured at these
# counts.
# cgi: every endpoint through mod_cgi, a new process per request. No access
# log on either: the Django service under gunicorn writes none by default.
set -eu

mode=$1 root=$2 state=$3 port=$4 procs=$5 read_procs=${6:-$5}

cat <<CONF
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$state/htdocs"
server.errorlog = "$state/lighttpd.error.log"
server.pid-file = "$state/lighttpd.pid"
server.max-request-size = 16384
server.http-parseopts = ("method-get-body" => "enable")
server.max-connections = 1024
server.tag = "shopease"
CONF

if [ "$mode" = cgi ]; then
	cat <<CONF
server.modules = ("mod_alias", "mod_setenv", "mod_cgi")
setenv.add-environment = ("SHOPEASE_CONFIG" => env.SHOPEASE_CONFIG)
CONF
fi
if [ "$mode" = fastcgi ]; then
	echo 'server.modules = ("mod_fastcgi")'
fi

for pair in register:register login:login token/refresh:token_refresh \
	logout:logout me:me; do
	path=${pair%%:*} program=${pair#*:}
	count=$procs
	[ "$program" = me ] && count=$read_procs
	if [ "$mode" = cgi ]; then
		cat <<CONF
\$HTTP["url"] =~ "^/api/auth/$path/?\$" {
	alias.url = ("/api/auth/$path/" => "$root/cgi-bin/$program",
	    "/api/auth/$path" => "$root/cgi-bin/$program")
	cgi.assign = ("" => "")
}
CONF
	else
		cat <<CONF
\$HTTP["url"] =~ "^/api/auth/$path/?\$" {
	fastcgi.server = ("/" => ((
		"socket" => "$state/$program.sock",
		"bin-path" => "$root/cgi-bin/$program",
		"bin-copy-environment" => ("SHOPEASE_CONFIG", "PATH"),
		"check-local" => "disable",
		"max-procs" => $count,
		"idle-timeout" => 3600,
	)))
}
CONF
	fi
done
