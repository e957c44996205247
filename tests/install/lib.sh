# tests/install/lib.sh - checks shared by tests/install/debootstrap (on the
# host) and tests/install/debootstrap-be.sh (in the test VM).  Sourced.

# installed STATUS PACKAGE: is PACKAGE installed per the dpkg status file?
installed() {
	awk -v p="$2" 'BEGIN { RS = "" } $0 ~ "(^|\n)Package: " p "\n" &&
		$0 ~ /\nStatus: install ok installed/ { found = 1 } END { exit !found }' "$1"
}
# The URIs this machine's apt sources list (both forms).
machine_uris() {
	{
		sed -n 's/^[[:space:]]*URIs:[[:space:]]*//Ip' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n'
		sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
	} | grep -v security | sed 's|/*$||' | sort -u
}
