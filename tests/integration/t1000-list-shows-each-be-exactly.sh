#!/bin/bash
# beadm list: one exact line per BE (-H), Active flags N (running) and R
# (bootfs), sorting with -c/-C, datasets and origins (-a), snapshots (-s),
# -D space, and a JSON document that carries the same values.
# every-series: iterators and property sources (the zfs adapter)
. "$(dirname "$0")/lib.sh"

P=t1000a
R=$P/ROOT
fixture deep $P
ALT=$(zpool get -H -o value altroot $P)

# nicenum BYTES: sizes as beadm prints them.
nicenum() {
	awk -v n="$1" 'BEGIN { u = "BKMGTPE"; i = 1; v = n;
	    while (v >= 1024 && i < 7) { v /= 1024; i++ }
	    if (i == 1) printf "%dB", n; else if (v < 10) printf "%.2f%s", v, substr(u, i, 1);
	    else if (v < 100) printf "%.1f%s", v, substr(u, i, 1); else printf "%.0f%s", v, substr(u, i, 1) }'
}
bytes() { zfs get -Hp -o value "$2" "$1"; }
created() { date -d "@$(bytes "$1" creation)" '+%Y-%m-%d %H:%M'; }

sleep 1		# creation times differ, so sorting by them means something
clone_by_hand $R default be2
zfs set beadm:description="test BE" $R/be2
echo data >"$ALT/more"		# default grows: be2 stays smaller
zpool sync $P			# sizes settle before they are compared

export BEADM_TEST_ROOTFS=$R/default
expect_beadm 0 "list -H succeeds" -r $R list -H
want=$(printf '%s\t%s\t%s\t%s\t%s\n' \
    be2 - - "$(nicenum "$(bytes $R/be2 used)")" "$(created $R/be2)" \
    default NR "$ALT" "$(nicenum "$(bytes $R/default used)")" "$(created $R/default)")
expect_eq "list -H prints one exact tab-separated line per BE, sorted by name" \
    "$(cat "$T_TMP/stdout")" "$want"

run_beadm -r $R list
expect_eq "the table has a header naming the columns" \
    "$(head -1 "$T_TMP/stdout" | tr -s ' ')" "BE Active Mountpoint Space Created"
expect_eq "the table has one line per BE" "$(wc -l <"$T_TMP/stdout")" 3

unset BEADM_TEST_ROOTFS
run_beadm -r $R list -H
expect_eq "without a running BE, the bootfs BE is only R" \
    "$(awk -F'\t' '$1 == "default" { print $2 }' "$T_TMP/stdout")" R

names() { cut -f1 "$T_TMP/stdout" | tr '\n' ' '; }
run_beadm -r $R list -H -C name
expect_eq "-C name sorts descending" "$(names)" "default be2 "
run_beadm -r $R list -H -c created
expect_eq "-c created puts the older BE first" "$(names)" "default be2 "
run_beadm -r $R list -H -C creation
expect_eq "-C creation puts the newer BE first" "$(names)" "be2 default "
run_beadm -r $R list -H -c used
expect_eq "-c used puts the smaller BE first" "$(names)" "be2 default "
expect_beadm 2 "sorting by an unknown column is a usage error" -r $R list -c bogus
check "... which says what is wrong" grep -qx "beadm: list: cannot sort by 'bogus'; use name, active, mountpoint, space, used, created or origin" "$T_TMP/stderr"
check "... and shows the usage" grep -q "^usage: beadm list" "$T_TMP/stderr"
expect_beadm 2 "an extra argument is a usage error" -r $R list be2
expect_beadm 2 "-c and -C together are a usage error" -r $R list -c name -C used

# -a: every dataset of every BE, with its origin.
run_beadm -r $R list -H -a
for ds in $(zfs list -H -o name -r $R/be2); do
	origin=$(prop "$ds" origin)
	check "-a lists $ds with its origin $origin" \
	    grep -qP "^\Q$ds\E\t-\t-\t[^\t]+\t[^\t]+\t\Q$origin\E\$" "$T_TMP/stdout"
done
check "-a shows where a dataset of default is mounted" \
    grep -qP "^$R/default/usr\t-\t\Q$ALT\E/usr\t" "$T_TMP/stdout"
expect_eq "-a prints BE lines plus one per dataset" "$(wc -l <"$T_TMP/stdout")" \
    $(( 2 + $(zfs list -H -o name -r $R | grep -c "^$R/") ))

# -s: snapshots, as BE@SNAP; with -a under each dataset by full name.
run_beadm -r $R list -H -s
check "-s lists the BE's snapshot as BE@SNAP" grep -qP "^default\@for-be2\t-\t-\t" "$T_TMP/stdout"
check "-s without -a leaves out the datasets" test "$(grep -c "^$R/" "$T_TMP/stdout")" -eq 0
run_beadm -r $R list -H -a -s
check "-a -s lists the snapshots of child datasets" grep -qP "^$R/default/var/log\@for-be2\t" "$T_TMP/stdout"

# --json: parses, and carries the values zfs reports.
expect_beadm 0 "list --json -a -s -D succeeds" -r $R list --json -a -s -D
check "--json output is valid JSON" python3 -m json.tool "$T_TMP/stdout"
origins=0
for ds in $(zfs list -H -o name -r $R/be2); do
	origins=$((origins + $(bytes "$(prop "$ds" origin)" referenced)))
done
cat >"$T_TMP/want.json" <<-JSON
	{"format_version": 1, "beroot": "$R", "pool": "$P",
	 "be2": {"dataset": "$R/be2", "active": false, "next_boot": true, "next_boot_once": false,
	         "mountpoint": null, "used": $(bytes $R/be2 used), "space": $(( $(bytes $R/be2 used) + origins )),
	         "created": $(bytes $R/be2 creation), "origin": "$R/default@for-be2",
	         "description": "test BE", "ndatasets": 4, "nsnapshots": 0},
	 "default": {"dataset": "$R/default", "active": false, "next_boot": false, "next_boot_once": false,
	         "mountpoint": "$ALT", "used": $(bytes $R/default used), "space": $(bytes $R/default used),
	         "created": $(bytes $R/default creation), "origin": null,
	         "description": null, "ndatasets": 4, "nsnapshots": 4}}
JSON
zpool set bootfs=$R/be2 $P
run_beadm -r $R list --json -a -s -D
python3 - "$T_TMP/stdout" "$T_TMP/want.json" >"$T_TMP/json.out" 2>&1 <<-'PY'
	import json, sys
	got = json.load(open(sys.argv[1])); want = json.load(open(sys.argv[2]))
	bad = []
	for k in ("format_version", "beroot", "pool"):
	    if got[k] != want[k]: bad.append((k, got[k], want[k]))
	bes = {b["name"]: b for b in got["boot_environments"]}
	if sorted(bes) != ["be2", "default"]: bad.append(("names", sorted(bes)))
	for name in ("be2", "default"):
	    for k, v in want[name].items():
	        g = len(bes[name][k[1:]]) if k in ("ndatasets", "nsnapshots") else bes[name][k]
	        if g != v: bad.append((name, k, g, v))
	ds = {d["name"]: d for d in bes["be2"]["datasets"]}
	if ds["$R/be2/var".replace("$R", got["beroot"])]["canmount"] != "off": bad.append("var canmount")
	print(bad); sys.exit(1 if bad else 0)
	PY
check "--json carries name, flags, mountpoint, sizes, creation, origin, description" test $? -eq 0
[ "$(cat "$T_TMP/json.out")" = "[]" ] || cat "$T_TMP/json.out" | sed 's/^/#   /'
expect_beadm 2 "--json with -H is a usage error" -r $R list --json -H

# --- text beadm did not make cannot forge a line, a field or JSON -----------
# be2 mounted where the path has tabs and a newline that would read as a BE
# line, and a description that is not UTF-8 and holds a backslash and an
# escape sequence.
ODD=$'/tmp/t1000-odd\tdir\nfake\tNR'
mkdir -p "$ODD"
expect_beadm 0 "mount be2 at a path with tabs and a newline" -r $R mount be2 "$ODD"
zfs set beadm:description=$'caf\xe9 \\ \e[2J \xc3\xa9t\xc3\xa9' $R/be2
expect_beadm 0 "list -H with such text succeeds" -r $R list -H
expect_eq "... every line has its 5 fields" "$(awk -F'\t' 'NF != 5' "$T_TMP/stdout")" ""
expect_eq "... be2 has one line, its mount point escaped" \
	"$(grep "^be2"$'\t' "$T_TMP/stdout" | cut -f3)" '/tmp/t1000-odd\011dir\012fake\011NR'
expect_eq "... and no line is a forged BE" "$(grep -c $'^fake\t' "$T_TMP/stdout")" 0
run_beadm -r $R list
expect_eq "the table has no forged line either" "$(grep -c '^fake' "$T_TMP/stdout")" 0
run_beadm -r $R list --json
check "--json with such text is valid JSON" python3 -m json.tool "$T_TMP/stdout"
expect_eq "... the description escaped, its valid UTF-8 as it is" \
	"$(python3 -c 'import json,sys; print([b["description"] for b in json.load(open(sys.argv[1]))["boot_environments"] if b["name"] == "be2"][0])' "$T_TMP/stdout")" \
	'caf\351 \134 \033[2J été'
expect_beadm 0 "umount be2" -r $R umount be2
rm -rf "$ODD"
zfs set beadm:description="test BE" $R/be2

done_testing
