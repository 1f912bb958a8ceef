#!/bin/sh
# SPDX-License-Identifier: ISC
# Install the Debian 12 packages that building, running and testing need,
# when any is missing. Usage: tools/deps.sh build|run|check
set -eu

build="gcc make pkg-config libfcgi-dev libjwt-dev libjson-c-dev libcrypt-dev libmariadb-dev libssl-dev"
run="$build mariadb-server mariadb-client lighttpd curl"
# The HTTP tests run once through each web server the deployment samples cover;
# clang and its runtime build the fuzz targets.
check="$run python3 python3-pytest valgrind apache2 libapache2-mod-fcgid nginx spawn-fcgi multiwatch clang libclang-rt-14-dev"

case "${1:-build}" in
build) want=$build ;;
run) want=$run ;;
check) want=$check ;;
*) echo "usage: tools/deps.sh build|run|check" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "tools/deps.sh: no dpkg-query: this is not Debian; install the equivalents of: $want" >&2
	exit 1
fi

missing=""
for pkg in $want; do
	status=$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

echo "tools/deps.sh: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "tools/deps.sh: not root and no sudo: install these as root:$missing" >&2
	exit 1
fi
# The package lists may be empty on a fresh machine, so refresh them once.
$sudo apt-get update -q >/dev/null

# Debian starts apache2, nginx and lighttpd as system services on port 80
# when they are installed. The tests start their own servers and need none
# of these. Where port 80 is taken, a failed start can fail the install, so
# a policy-rc.d that denies every start (exit status 101) is in place while
# apt-get runs, unless the machine has one already.
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null
	$sudo chmod 0755 $policy
	trap '$sudo rm -f $policy' EXIT
fi
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing >/dev/null
