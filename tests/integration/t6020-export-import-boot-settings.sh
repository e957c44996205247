#!/bin/bash
# A BE's own boot settings travel with export/import: on a second pool with
# ESPs of its own, the imported BE, once activated, boots its pinned kernel
# by default, with its description in the entry title and its own command
# line.  Settings of the exporting BE root (kernel-keep there) stay behind,
# and so does everything of the machine (ESP UUIDs, hostid).
# every-series: send and receive, received properties
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

A=t6020a B=t6020b
K1=6.1.0-1-pve K2=6.1.0-2-pve K3=6.1.0-10-pve
fixture proxmox $A
fixture proxmox $B

# Pool A: no ESPs (only bootfs); the BE's settings are what matters.
fake_kernels $A/ROOT/pve-1 $K1 $K2 $K3
zfs set beadm:description="web server" $A/ROOT/pve-1
zfs set beadm:cmdline="root=ZFS=x boot=zfs imported=yes be=__BE_NAME" $A/ROOT/pve-1
zfs set beadm:kernel-keep=1 $A/ROOT
expect_beadm 0 "pin $K1 (not the newest) on pool A" -r $A/ROOT kernel pin pve-1 $K1
expect_eq "the pin is a property of the BE" "$(prop $A/ROOT/pve-1 beadm:kernel-pin)" $K1
expect_beadm 0 "export pve-1 from pool A" -r $A/ROOT export pve-1
mv "$T_TMP/stdout" "$T_TMP/stream"

# Pool B: its own two ESPs and its own BE, booted by beadm.
esp_setup $B 2
fake_kernels $B/ROOT/pve-1 6.1.0-5-pve
expect_beadm 0 "init B's pve-1" -r $B/ROOT init pve-1
cp /etc/kernel/proxmox-boot-uuids "$T_TMP/uuids.before"
[ -e /etc/hostid ] && cp /etc/hostid "$T_TMP/hostid.before"

RC=0
"$BEADM" -r $B/ROOT import moved <"$T_TMP/stream" >"$T_TMP/stdout" 2>"$T_TMP/stderr" || RC=$?
expect_eq "import on pool B succeeds" "$RC" 0
for p in description kernel-pin cmdline; do
	expect_eq "beadm:$p arrived as a received property" "$(prop_source $B/ROOT/moved beadm:$p)" received
done
expect_eq "the root's kernel-keep did not travel" "$(prop_source $B/ROOT/moved beadm:kernel-keep)" -
run_beadm -r $B/ROOT kernel list -H moved
expect_eq "kernel list reads the received settings" "$(tr '\t\n' ' ;' <"$T_TMP/stdout")" \
	"$K3 yes - package;$K2 yes - package;$K1 yes pinned package;"
expect_eq "import alone writes no entries" "$(esp_entries 1)/$(esp_entries 2)" "pve-1/pve-1"

expect_beadm 0 "activate moved on pool B" -r $B/ROOT activate moved
for n in 1 2; do
	check "ESP $n is consistent and bootable" esp_check $n
	expect_eq "ESP $n has entries for both BEs" "$(esp_entries $n)" "moved pve-1"
	expect_eq "ESP $n boots moved" "$(esp_default $n)" "beadm-moved@*"
	expect_eq "ESP $n: entries for B's default two and the pinned one" \
		"$(esp_entry_files $n 'beadm-moved@*' | LC_ALL=C sort | tr '\n' ' ')" \
		"beadm-moved@$K1.conf beadm-moved@$K3.conf beadm-moved@$K2.conf "
	expect_eq "ESP $n: the pinned kernel's entry comes first (sort key)" \
		"$(entry_field $n "beadm-moved@$K1.conf" sort-key)/$(entry_field $n "beadm-moved@$K3.conf" sort-key)" \
		"beadm-moved/beadm-moved~older"
	expect_eq "ESP $n: the title shows the description" \
		"$(entry_field $n "beadm-moved@$K1.conf" title)" "moved: web server"
	expect_eq "ESP $n: the BE's own command line is applied" \
		"$(entry_field $n "beadm-moved@$K1.conf" options)" "root=ZFS=$B/ROOT/moved boot=zfs imported=yes be=moved"
done
check "both ESPs hold the same beadm files" esp_same
expect_eq "pool B's bootfs is moved" "$(pool_bootfs $B)" "$B/ROOT/moved"
check "the ESP UUID list is B's own, untouched" cmp -s "$T_TMP/uuids.before" /etc/kernel/proxmox-boot-uuids
if [ -e "$T_TMP/hostid.before" ]; then
	check "the hostid is B's own, untouched" cmp -s "$T_TMP/hostid.before" /etc/hostid
fi

# The received values can be changed like local ones.
expect_beadm 0 "unpin moved" -r $B/ROOT kernel unpin moved
expect_eq "unpin: the newest two have entries, sharing one sort key" \
	"$(esp_entry_files 1 'beadm-moved@*' | LC_ALL=C sort | tr '\n' ' ')$(entry_field 1 "beadm-moved@$K3.conf" sort-key)/$(entry_field 1 "beadm-moved@$K2.conf" sort-key)" \
	"beadm-moved@$K3.conf beadm-moved@$K2.conf beadm-moved/beadm-moved"
run_beadm -r $B/ROOT kernel list -H moved
expect_eq "unpin: the newest boots by default" "$(tr '\t\n' ' ;' <"$T_TMP/stdout")" \
	"$K3 yes newest package;$K2 yes - package;$K1 no - package;"
check "unpin: ESP 1 is consistent" esp_check 1
check "unpin: both ESPs hold the same beadm files" esp_same

done_testing
