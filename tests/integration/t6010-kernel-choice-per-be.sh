#!/bin/bash
# beadm kernel chooses which of a BE's kernels get boot entries on every
# ESP: the newest beadm:kernel-keep (default 2), plus added ones, less
# removed ones, the pinned one always and by default.  Kernels copied in by
# beadm live in the BE's /boot and are deleted with it; the BE's own
# (package) kernels are never deleted.  The store keeps one copy per kernel
# and frees it with the last entry naming it.  Refusals change nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t6010a
R=$P/ROOT
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
esp_setup $P 2
K1=6.1.0-1-pve K2=6.1.0-2-pve K3=6.1.0-10-pve X=7.0.0-1-ext
fake_kernels $R/pve-1 $K1 $K2 $K3

# kernels_of BE N: the kernel versions of BE's entries on ESP N, one line.
kernels_of() {
	local f v=()
	shopt -s nullglob
	for f in "${ESP_DIR[$2]}"/loader/entries/beadm-"$1"@*.conf; do
		f=${f##*/beadm-"$1"@}
		v+=("${f%.conf}")
	done
	shopt -u nullglob
	_sorted_line "${v[@]}"
}
# entries BE "KVER..." STEP: BE's entries on both ESPs, and ESPs sound.
entries() {
	local be=$1 want=$2 step=$3 n
	want=$(_sorted_line $want)
	for n in 1 2; do
		expect_eq "$step: ESP $n has entries of $be for exactly: $want" "$(kernels_of "$be" $n)" "$want"
		check "$step: ESP $n is consistent (no store file without an entry)" esp_check $n
	done
	check "$step: both ESPs hold the same beadm files" esp_same
}
stores() {	# STEP COUNT: store files on each ESP
	expect_eq "$1: $2 store files on each ESP" "$(esp_store_count 1)/$(esp_store_count 2)" "$2/$2"
}
stored() {	# STEP yes|no KVER: is KVER's kernel (and initrd) stored on both?
	local h n got=""
	for n in 1 2; do
		for h in "$(kernel_hash "$3" vmlinuz)" "$(kernel_hash "$3" initrd.img)"; do
			if [ -f "${ESP_DIR[n]}/beadm/store/$h" ]; then got="$got yes"; else got="$got no"; fi
		done
	done
	expect_eq "$1: kernel $3 stored on both ESPs: $2" "$got" " $2 $2 $2 $2"
}
listed() {	# STEP WANT: beadm kernel list -H BE, fields joined by spaces
	run_beadm -r $R kernel list -H "${3:-pve-1}"
	expect_eq "$1: kernel list" "$(tr '\t\n' ' ;' <"$T_TMP/stdout")" "$2"
}
# refused STATUS WHAT ARGS...: beadm fails so, and neither pool nor ESPs change.
refused() {
	local st=$1 what=$2
	shift 2
	remember_state $P
	esp_beadm_files 1 >"$T_TMP/esp1.before"
	esp_beadm_files 2 >"$T_TMP/esp2.before"
	_be_dir $R/pve-1 && ls -l "$BE_DIR/boot" >"$T_TMP/boot.before"
	expect_beadm "$st" "$what is refused" -r $R "$@"
	check "$what: the message says why" test -s "$T_TMP/stderr"
	expect_unchanged "$what"
	esp_beadm_files 1 >"$T_TMP/esp1.after"
	esp_beadm_files 2 >"$T_TMP/esp2.after"
	check "$what: beadm's files on the ESPs are unchanged" \
		cmp -s "$T_TMP/esp1.before" "$T_TMP/esp1.after"
	check "$what: ... on both" cmp -s "$T_TMP/esp2.before" "$T_TMP/esp2.after"
	ls -l "$BE_DIR/boot" >"$T_TMP/boot.after"
	check "$what: the BE's /boot is unchanged" cmp -s "$T_TMP/boot.before" "$T_TMP/boot.after"
}

expect_beadm 0 "init pve-1 succeeds" -r $R init pve-1
listed "three kernels" "$K3 yes newest package;$K2 yes - package;$K1 no - package;"
entries pve-1 "$K3 $K2" "by default the newest two"
stores "the newest two" 4
run_beadm -r $R kernel list --json pve-1
expect_eq "kernel list --json" "$(cat "$T_TMP/stdout")" \
	"{\"format_version\":1,\"be\":\"pve-1\",\"kernel_keep\":2,\"kernels\":[{\"version\":\"$K3\",\"entries\":true,\"default\":true,\"pinned\":false,\"from\":\"package\"},{\"version\":\"$K2\",\"entries\":true,\"default\":false,\"pinned\":false,\"from\":\"package\"},{\"version\":\"$K1\",\"entries\":false,\"default\":false,\"pinned\":false,\"from\":\"package\"}]}"

# --- kernel-keep -------------------------------------------------------------
zfs set beadm:kernel-keep=1 $R
expect_beadm 0 "refresh with kernel-keep=1 on the root succeeds" -r $R refresh pve-1
entries pve-1 "$K3" "kernel-keep=1"
stores "kernel-keep=1" 2
zfs set beadm:kernel-keep=3 $R/pve-1
expect_beadm 0 "refresh with the BE's own kernel-keep=3 succeeds" -r $R refresh pve-1
entries pve-1 "$K3 $K2 $K1" "the BE's kernel-keep=3 overrides the root's 1"
stores "kernel-keep=3" 6
zfs inherit beadm:kernel-keep $R/pve-1
zfs set beadm:kernel-keep=0 $R
refused 2 "refresh with kernel-keep=0" refresh pve-1
check "kernel-keep=0: the message names the setting" grep -q 'beadm:kernel-keep=0' "$T_TMP/stderr"
zfs set beadm:kernel-keep=17 $R
refused 2 "refresh with kernel-keep=17" refresh pve-1
zfs inherit beadm:kernel-keep $R
expect_beadm 0 "refresh with kernel-keep unset succeeds" -r $R refresh pve-1
entries pve-1 "$K3 $K2" "kernel-keep unset again"

# --- add a version that is there -----------------------------------------------
expect_beadm 0 "kernel add pve-1 $K1 succeeds" -r $R kernel add pve-1 $K1
entries pve-1 "$K3 $K2 $K1" "add $K1"
stores "add $K1" 6
stored "add $K1" yes $K1
expect_eq "add $K1: recorded on the BE" "$(prop $R/pve-1 beadm:kernel-add)" "$K1"
listed "add $K1" "$K3 yes newest package;$K2 yes - package;$K1 yes - package;"

# --- add a kernel from outside the BE ------------------------------------------
mkdir -p "$T_TMP/ext"
head -c 1048576 /dev/urandom >"$T_TMP/ext/vmlinuz-$X"
head -c 262144 /dev/urandom >"$T_TMP/ext/initrd.img-$X"
cp "$T_TMP/ext/vmlinuz-$X" "$T_TMP/fake-kernels/vmlinuz-$X"
cp "$T_TMP/ext/initrd.img-$X" "$T_TMP/fake-kernels/initrd.img-$X"
expect_beadm 0 "kernel add pve-1 PATH succeeds" -r $R kernel add pve-1 "$T_TMP/ext/vmlinuz-$X"
_be_dir $R/pve-1
check "add PATH: the kernel is in the BE's /boot" cmp "$T_TMP/ext/vmlinuz-$X" "$BE_DIR/boot/vmlinuz-$X"
check "add PATH: so is its initrd" cmp "$T_TMP/ext/initrd.img-$X" "$BE_DIR/boot/initrd.img-$X"
check "add PATH: no temporary file is left" test -z "$(ls "$BE_DIR/boot" | grep beadm-tmp)"
_be_release
expect_eq "add PATH: recorded as written by beadm" "$(prop $R/pve-1 beadm:kernel-added)" "$X"
# The newest two are now $X and $K3; $K1 stays added; $K2 loses its entries.
entries pve-1 "$X $K3 $K1" "add PATH"
stored "add PATH" yes $X
stored "add PATH: $K2 has no entry left" no $K2
stores "add PATH" 6
listed "add PATH" "$X yes newest beadm;$K3 yes - package;$K2 no - package;$K1 yes - package;"

# Files beadm did not write are never replaced.
mkdir -p "$T_TMP/other"
head -c 4096 /dev/urandom >"$T_TMP/other/vmlinuz-$K2"
head -c 4096 /dev/urandom >"$T_TMP/other/initrd.img-$K2"
refused 5 "add PATH over a package kernel" kernel add pve-1 "$T_TMP/other/vmlinuz-$K2"
refused 4 "add PATH without its initrd" kernel add pve-1 "$T_TMP/ext/vmlinuz-$X" --initrd "$T_TMP/ext/nothing"
refused 2 "add PATH named otherwise without --version" kernel add pve-1 "$T_TMP/other/initrd.img-$K2"

# --- a second BE sharing the added kernel ---------------------------------------
expect_beadm 0 "create be2 from pve-1 succeeds" -r $R create -e pve-1 be2
entries be2 "$X $K3 $K1" "be2 shares pve-1's kernels"
stores "be2" 6

expect_beadm 0 "kernel remove pve-1 $X (beadm's) succeeds" -r $R kernel remove pve-1 $X
check "remove $X: the message says the files are gone" grep -q 'files and boot entries are gone' "$T_TMP/stdout"
_be_dir $R/pve-1
check "remove $X: its files are gone from pve-1's /boot" test ! -e "$BE_DIR/boot/vmlinuz-$X" -a ! -e "$BE_DIR/boot/initrd.img-$X"
_be_release
entries pve-1 "$K3 $K2 $K1" "remove $X from pve-1"
stored "remove $X from pve-1: be2 still uses it" yes $X
expect_eq "remove $X: no longer recorded" "$(prop $R/pve-1 beadm:kernel-added)" ""
expect_beadm 0 "kernel remove be2 $X succeeds" -r $R kernel remove be2 $X
entries be2 "$K3 $K2 $K1" "remove $X from be2"
stored "remove $X from be2: freed on both ESPs" no $X
stores "remove $X from both" 6
expect_beadm 0 "destroy be2 succeeds" -r $R destroy -F be2

# --- remove a package kernel --------------------------------------------------
expect_beadm 0 "kernel remove pve-1 $K3 (a package's) succeeds" -r $R kernel remove pve-1 $K3
check "remove $K3: the message says the files stay" grep -q 'belong to the boot environment' "$T_TMP/stdout"
_be_dir $R/pve-1
check "remove $K3: its files stay in the BE" test -f "$BE_DIR/boot/vmlinuz-$K3" -a -f "$BE_DIR/boot/initrd.img-$K3"
_be_release
entries pve-1 "$K2 $K1" "remove $K3"
stored "remove $K3" no $K3
expect_eq "remove $K3: omitted on the BE" "$(prop $R/pve-1 beadm:kernel-omit)" "$K3"
listed "remove $K3" "$K3 no - package;$K2 yes newest package;$K1 yes - package;"

# --- pin ------------------------------------------------------------------------
expect_beadm 0 "kernel pin pve-1 $K1 succeeds" -r $R kernel pin pve-1 $K1
entries pve-1 "$K2 $K1" "pin $K1"
for n in 1 2; do
	expect_eq "pin: ESP $n's loader.conf still boots pve-1" "$(esp_default $n)" "beadm-pve-1@*"
	expect_eq "pin: ESP $n's $K1 entry sorts first for pve-1" \
		"$(entry_field $n "beadm-pve-1@$K1.conf" sort-key) $(entry_field $n "beadm-pve-1@$K2.conf" sort-key)" \
		"beadm-pve-1 beadm-pve-1~older"
done
listed "pin" "$K3 no - package;$K2 yes - package;$K1 yes pinned package;"
expect_eq "pin: recorded on the BE" "$(prop $R/pve-1 beadm:kernel-pin)" "$K1"
refused 9 "remove the pinned kernel" kernel remove pve-1 $K1
expect_beadm 0 "kernel unpin pve-1 succeeds" -r $R kernel unpin pve-1
for n in 1 2; do
	expect_eq "unpin: ESP $n's entries share one sort key again" \
		"$(entry_field $n "beadm-pve-1@$K1.conf" sort-key) $(entry_field $n "beadm-pve-1@$K2.conf" sort-key)" \
		"beadm-pve-1 beadm-pve-1"
done
listed "unpin" "$K3 no - package;$K2 yes newest package;$K1 yes - package;"

# --- the last kernel of the running, active BE ---------------------------------
expect_beadm 0 "kernel remove pve-1 $K2 succeeds" -r $R kernel remove pve-1 $K2
entries pve-1 "$K1" "remove $K2"
refused 9 "remove the last kernel with entries of the active BE" kernel remove pve-1 $K1
check "last kernel: the message says so" grep -q 'last kernel' "$T_TMP/stderr"
entries pve-1 "$K1" "after the refusal"

# --- bad names and versions -----------------------------------------------------
refused 2 "add a version with '@'" kernel add pve-1 'bad@1'
refused 2 "add a version '..'" kernel add pve-1 '..'
refused 4 "add a version not in the BE" kernel add pve-1 9.9.9
refused 4 "pin a version not in the BE" kernel pin pve-1 9.9.9
refused 4 "remove a version not in the BE" kernel remove pve-1 9.9.9
refused 3 "a bad BE name" kernel add 'no such' $K1
refused 4 "a BE that does not exist" kernel pin nosuch $K1
refused 2 "an unknown subcommand" kernel frob pve-1
refused 2 "pin without a version" kernel pin pve-1

expect_beadm 0 "kernel add pve-1 $K2 gives it entries again" -r $R kernel add pve-1 $K2
entries pve-1 "$K2 $K1" "add $K2 back"
expect_eq "add $K2 back: no longer omitted" "$(prop $R/pve-1 beadm:kernel-omit)" "$K3"

done_testing
