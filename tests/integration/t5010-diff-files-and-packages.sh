#!/bin/bash
# beadm diff OLD NEW: the files added, removed and modified across every
# dataset of a deep BE, and the packages added, removed, upgraded and
# downgraded in its dpkg status, between a snapshot and its BE, two BEs, or
# a BE and the running one; reading only, and leaving nothing mounted.
. "$(dirname "$0")/lib.sh"

P=t5010a
R=$P/ROOT
fixture deep $P
ALT=/tmp/beadm-fixture/$P.root
# The running BE's files are read where they are mounted: no access time
# may be written there either, so that `written` below shows any write.
zfs set atime=off $P

# status FILE NAME:VERSION[:same:ARCH]...: a dpkg status file, with a
# removed package whose config files are left, which never counts.
status() {
	local f=$1 p n v ma arch
	shift
	{
		for p in "$@"; do
			IFS=: read -r n v ma arch <<<"${p//\~/:}"
			v=${v//+/:}
			printf 'Package: %s\nStatus: install ok installed\nPriority: optional\n' "$n"
			printf 'Architecture: %s\n' "${arch:-amd64}"
			[ "$ma" = same ] && printf 'Multi-Arch: same\n'
			printf 'Version: %s\nDescription: %s\n that is all\n\n' "$v" "$n"
		done
		printf 'Package: leftover\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 1\n'
	} >"$f"
}

mkdir -p $ALT/etc $ALT/bin $ALT/usr/share/doc $ALT/var/lib/dpkg
echo "127.0.0.1 localhost" >$ALT/etc/hosts
echo hello >$ALT/etc/motd
echo keep >$ALT/etc/keep
ln -s hosts $ALT/etc/link
printf '#!/bin/sh\n' >$ALT/bin/tool && chmod 755 $ALT/bin/tool
echo a >$ALT/usr/share/doc/a
echo log1 >$ALT/var/log/syslog
# '+' stands for ':' in versions, '~' for ':' between fields.
status $ALT/var/lib/dpkg/status base-files~12.4 bash~5.2.15-2 vim~2+9.0.1378-2 \
	oldpkg~1.0 libc6~2.36-9~same~amd64
"$BEADM" -r $R snapshot default before >/dev/null || { echo "Bail out! snapshot"; exit 100; }

# After the snapshot: in the BE's own dataset, in usr, and in var/log.
sleep 1.1	# a new modification time even on coarse clocks
echo "127.0.0.2 localhost" >$ALT/etc/hosts	# same size, new contents
chmod 600 $ALT/etc/keep
ln -sfn keep $ALT/etc/link
rm $ALT/etc/motd
echo new >$ALT/etc/new
echo odd >"$ALT/etc/odd"$'\n'"name"
echo aa >$ALT/usr/share/doc/a
echo b >$ALT/usr/share/doc/b
rm $ALT/var/log/syslog
status $ALT/var/lib/dpkg/status base-files~12.4 bash~5.2.21-2 vim~2+9.0.1000-1 \
	newpkg~0.1 libc6~2.36-9~same~amd64 libc6~2.36-9~same~i386

since_snapshot='file	M	/etc/hosts
file	M	/etc/keep
file	M	/etc/link
file	-	/etc/motd
file	+	/etc/new
file	+	/etc/odd\012name
file	M	/var/lib/dpkg/status
file	M	/usr/share/doc/a
file	+	/usr/share/doc/b
file	-	/var/log/syslog
pkg	upgraded	bash	5.2.15-2	5.2.21-2
pkg	added	libc6:i386		2.36-9
pkg	added	newpkg		0.1
pkg	removed	oldpkg	1.0	
pkg	downgraded	vim	2:9.0.1378-2	2:9.0.1000-1'

"$BEADM" -r $R create -e default be2 >/dev/null || { echo "Bail out! create be2"; exit 100; }
"$BEADM" -r $R create -e default@before be3 >/dev/null || { echo "Bail out! create be3"; exit 100; }
mp=$("$BEADM" -r $R mount be2) && rm "$mp/etc/new" && echo c >"$mp/usr/share/doc/c" &&
	"$BEADM" -r $R umount be2 || { echo "Bail out! change be2"; exit 100; }
mp=$("$BEADM" -r $R mount be3) && rm "$mp/var/lib/dpkg/status" &&
	"$BEADM" -r $R umount be3 || { echo "Bail out! change be3"; exit 100; }

# What must not change: datasets, mounts, and bytes written anywhere.
written() { zpool sync $P; zfs get -H -p -r -o name,value written $P; }
ntmp=$(tmpdirs)
remember_state $P
cp /proc/self/mounts "$T_TMP/mounts.before"
written >"$T_TMP/written.before"

expect_beadm 0 "diff -H BE@SNAP BE succeeds" -r $R diff -H default@before default
expect_eq "... listing exactly the files and packages that changed" \
	"$(cat "$T_TMP/stdout")" "$since_snapshot"
expect_beadm 0 "diff -H BE@SNAP BE2 (a clone, not mounted) succeeds" -r $R diff -H default@before be2
expect_eq "... listing what changed in it since" "$(cat "$T_TMP/stdout")" \
	"$(printf '%s\n' "$since_snapshot" | grep -v -e '/etc/new$' |
	sed 's|^file	+	/usr/share/doc/b$|&\nfile	+	/usr/share/doc/c|')"
expect_beadm 0 "diff -H BE1 BE2 succeeds" -r $R diff -H default be2
expect_eq "... listing only what changed between them" "$(cat "$T_TMP/stdout")" \
	"$(printf 'file\t-\t/etc/new\nfile\t+\t/usr/share/doc/c')"
expect_beadm 0 "diff --files -H BE1 BE2 the other way round succeeds" -r $R diff --files -H be2 default
expect_eq "... with additions and removals swapped" "$(cat "$T_TMP/stdout")" \
	"$(printf 'file\t+\t/etc/new\nfile\t-\t/usr/share/doc/c')"
expect_beadm 0 "diff of a BE with itself succeeds" -r $R diff -H default default
expect_eq "... finding nothing" "$(cat "$T_TMP/stdout")" ""

expect_beadm 0 "diff --json BE@SNAP BE succeeds" -r $R diff --json default@before default
cp "$T_TMP/stdout" "$T_TMP/json"
check "... printing one JSON object with the same paths, counts per dataset and packages" \
	python3 - "$T_TMP/json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
files = [(f["change"], f["path"], f["dataset"]) for f in d["files"]]
want = [("modified", "/etc/hosts", "/"), ("modified", "/etc/keep", "/"),
        ("modified", "/etc/link", "/"), ("removed", "/etc/motd", "/"),
        ("added", "/etc/new", "/"), ("added", "/etc/odd\\012name", "/"),
        ("modified", "/var/lib/dpkg/status", "/"),
        ("modified", "/usr/share/doc/a", "/usr"), ("added", "/usr/share/doc/b", "/usr"),
        ("removed", "/var/log/syslog", "/var/log")]
assert files == want, files
assert d["file_counts"] == {"added": 3, "removed": 2, "modified": 5}, d["file_counts"]
assert d["file_counts_by_dataset"] == {
    "/": {"added": 2, "removed": 1, "modified": 4},
    "/usr": {"added": 1, "removed": 0, "modified": 1},
    "/var/log": {"added": 0, "removed": 1, "modified": 0}}, d["file_counts_by_dataset"]
pk = [(p["change"], p["name"], p["old_version"], p["new_version"]) for p in d["packages"]]
assert pk == [("upgraded", "bash", "5.2.15-2", "5.2.21-2"),
              ("added", "libc6:i386", None, "2.36-9"), ("added", "newpkg", None, "0.1"),
              ("removed", "oldpkg", "1.0", None),
              ("downgraded", "vim", "2:9.0.1378-2", "2:9.0.1000-1")], pk
assert d["package_counts"] == {"added": 2, "removed": 1, "upgraded": 1, "downgraded": 1}
assert d["old"] == "default@before" and d["new"] == "default"
PY

expect_beadm 0 "diff (human) BE@SNAP BE succeeds" -r $R diff default@before default
check "... ending with the counts of files" grep -qx '  files        3 added, 2 removed, 5 modified' "$T_TMP/stdout"
check "... and of packages" grep -qx '  packages     2 added, 1 removed, 1 upgraded, 1 downgraded' "$T_TMP/stdout"
check "... showing versions old -> new" grep -q 'upgraded   bash 5.2.15-2 -> 5.2.21-2$' "$T_TMP/stdout"

expect_beadm 0 "diff --packages with no dpkg status on one side succeeds" -r $R diff -H --packages be3 default
expect_eq "... printing no package lines" "$(cat "$T_TMP/stdout")" ""
expect_eq "... and saying why" "$(cat "$T_TMP/stderr")" \
	"beadm: no /var/lib/dpkg/status in be3; packages not compared"
expect_beadm 0 "diff --json --packages with no dpkg status succeeds" -r $R diff --json --packages be3 default
check "... with packages null" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["packages"] is None and d["dpkg_status"] == {"old": False, "new": True} and "files" not in d' "$T_TMP/stdout"

export BEADM_TEST_ROOTFS=$R/default
expect_beadm 0 "diff BE with one argument compares with the running BE" -r $R diff -H --files be2
expect_eq "... as new side" "$(cat "$T_TMP/stdout")" "$(printf 'file\t+\t/etc/new\nfile\t-\t/usr/share/doc/c')"
unset BEADM_TEST_ROOTFS
expect_beadm 4 "diff BE with one argument and no running BE is refused" -r $R diff be2

expect_beadm 3 "a bad BE name is refused" -r $R diff "foo bar" default
expect_beadm 3 "a bad new side name is refused" -r $R diff default "a/b"
expect_beadm 3 "a bad snapshot name is refused" -r $R diff "default@a b" default
expect_beadm 3 "names are checked before existence" -r $R diff nosuch "foo bar"
expect_beadm 4 "a missing BE is refused" -r $R diff nosuch default
expect_beadm 4 "a missing snapshot is refused" -r $R diff default@nosuch default
expect_eq "... saying which" "$(cat "$T_TMP/stderr")" \
	"beadm: snapshot 'default@nosuch' does not exist (no snapshot $R/default@nosuch); see 'beadm list -s'"
expect_beadm 2 "no argument is a usage error" -r $R diff
expect_beadm 2 "three arguments are a usage error" -r $R diff default be2 be3
expect_beadm 2 "--files with --packages is a usage error" -r $R diff --files --packages default be2
expect_beadm 2 "-H with --json is a usage error" -r $R diff -H --json default be2

check "nothing is left mounted" cmp /proc/self/mounts "$T_TMP/mounts.before"
expect_eq "no /tmp/beadm.* directory is left" "$(tmpdirs)" "$ntmp"
expect_unchanged "diff"
written >"$T_TMP/written.after"
check "nothing was written to any dataset" diff "$T_TMP/written.before" "$T_TMP/written.after"

# Interrupted mid-walk (stopped as soon as its private mounts appear, so
# that the signal cannot come after the walk), diff still unmounts.
mp=$("$BEADM" -r $R mount be3) && mkdir "$mp/many" &&
	(cd "$mp/many" && seq 1 30000 | xargs touch) &&
	"$BEADM" -r $R umount be3 || { echo "Bail out! fill be3"; exit 100; }
cp /proc/self/mounts "$T_TMP/mounts.before"
"$BEADM" -r $R diff -H --files default@before be3 >/dev/null 2>"$T_TMP/stderr" &
pid=$!
for i in $(seq 200); do
	grep -q " /tmp/beadm\.[^ ]*/[0-9]* zfs " /proc/self/mounts && break
	sleep 0.05
done
kill -STOP $pid; kill -TERM $pid; kill -CONT $pid
RC=0; wait $pid || RC=$?
expect_eq "an interrupted diff fails" "$RC" 1
check "... saying it was interrupted" grep -q "^beadm: interrupted while comparing " "$T_TMP/stderr"
check "... and leaves nothing mounted" cmp /proc/self/mounts "$T_TMP/mounts.before"
expect_eq "... and no /tmp/beadm.* directory" "$(tmpdirs)" "$ntmp"

done_testing
