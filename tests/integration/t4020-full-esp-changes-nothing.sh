#!/bin/bash
# When a new kernel does not fit on one ESP, create fails with exit status
# 10 and one clear message before writing anything: both ESPs stay
# byte-identical and the pool has no new BE (nor a snapshot for it).  With
# room made, the same create works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t4020a
R=$P/ROOT
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
esp_setup $P 2
fake_kernels $R/pve-1 6.1.0-1-pve 6.1.0-2-pve
expect_beadm 0 "init succeeds" -r $R init

# A new, larger kernel in the running BE (8 MiB, initrd 2 MiB), which a
# clone of it gets; ESP 2 is filled by a foreign file to 4 MiB free.
fake_kernels -s 8192 $R/pve-1 6.1.0-9-pve
avail=$(df -B1 --output=avail "${ESP_DIR[2]}" | tail -n 1)
check "ESP 2 can be filled to 4 MiB free" \
	dd if=/dev/zero of="${ESP_DIR[2]}/filler.bin" bs=1M count=$((avail / 1048576 - 4)) status=none
sync
echo "# ESP 2 free: $(df -B1 --output=avail "${ESP_DIR[2]}" | tail -n 1) bytes"
for n in 1 2; do esp_files $n >"$T_TMP/esp$n.before"; done
zpool sync $P
remember_state $P

expect_beadm 10 "create of a BE whose new kernel does not fit exits 10" -r $R create big
expect_eq "... with one line on stderr" "$(wc -l <"$T_TMP/stderr")" 1
case $(cat "$T_TMP/stderr") in
beadm:*space*) ok "... that says it is about space" ;;
*) not_ok "... that says it is about space"; evidence "$T_TMP/stderr" ;;
esac
echo "# stderr: $(cat "$T_TMP/stderr")"
expect_eq "... and nothing on stdout" "$(cat "$T_TMP/stdout")" ""
for n in 1 2; do
	esp_files $n >"$T_TMP/esp$n.after"
	check "ESP $n is byte-identical to before" diff "$T_TMP/esp$n.before" "$T_TMP/esp$n.after"
done
check_fails "the BE dataset does not exist" exists $R/big
expect_unchanged "the refused create"
check "ESP 1 is consistent (no journal, no temporary file)" esp_check 1
check "ESP 2 is consistent (no journal, no temporary file)" esp_check 2
expect_beadm 0 "beadm list still works" -r $R list
for n in 1 2; do
	esp_files $n >"$T_TMP/esp$n.after"
	check "ESP $n is still byte-identical after list (nothing to recover)" diff "$T_TMP/esp$n.before" "$T_TMP/esp$n.after"
done

# The same create with room on ESP 2.
rm -f "${ESP_DIR[2]}/filler.bin"
expect_beadm 0 "with the foreign file gone, create big succeeds" -r $R create big
expect_eq "big has entries for its newest two kernels" "$(esp_entry_files 1 'beadm-big@*' | paste -sd' ')" \
	"beadm-big@6.1.0-2-pve.conf beadm-big@6.1.0-9-pve.conf"
check "ESP 1 is consistent" esp_check 1
check "ESP 2 is consistent" esp_check 2
check "both ESPs hold the same beadm files" esp_same

done_testing
