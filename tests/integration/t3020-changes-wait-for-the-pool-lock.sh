#!/bin/bash
# One beadm at a time changes a pool: a second run waits for the lock
# (/run/beadm/POOL.lock), then gives up with exit 7 and says who holds it;
# when the holder goes away it proceeds.  Commands that only read do not
# take the lock.  (Checks avoid wall-clock limits: the test VM is slow.)
. "$(dirname "$0")/lib.sh"

P=t3020a
fixture zbm $P
export BEADM_TEST_ROOTFS=$P/ROOT/debian
zfs snapshot $P/ROOT/debian@s1
zfs clone -o canmount=noauto -o mountpoint=/ $P/ROOT/debian@s1 $P/ROOT/other
mkdir -p /run/beadm
LOCK=/run/beadm/$P.lock
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# hold [PID_TEXT]: hold the lock (util-linux flock) until killed; $HOLDER.
hold() {
	: >"$LOCK"
	( exec 9>>"$LOCK"; flock 9; [ $# -eq 0 ] || echo "$1" >"$LOCK"; : >"$T_TMP/held"; exec sleep 120 ) &
	HOLDER=$!
	while [ ! -e "$T_TMP/held" ]; do sleep 0.1; done
	rm -f "$T_TMP/held"
}
release() { kill "$HOLDER"; wait "$HOLDER" 2>/dev/null; }

hold
t0=$(ms)
BEADM_LOCK_WAIT_MS=1500 run_beadm -r $P/ROOT activate other
waited=$(( $(ms) - t0 ))
expect_eq "activate gives up on a held lock with exit 7" "$RC" 7
expect_eq "and says who holds it" "$(cat "$T_TMP/stderr")" \
	"beadm: another process holds $LOCK, the lock of pool '$P'; gave up after 1.5 s; try again when it has finished"
check "after waiting at least 1.5 s" test "$waited" -ge 1500
expect_eq "bootfs is unchanged" "$(pool_bootfs $P)" "$P/ROOT/debian"
expect_eq "the clone was not promoted" "$(prop $P/ROOT/other origin)" "$P/ROOT/debian@s1"

# Read-only commands finish while the lock is still held, however long
# they would be allowed to wait.
BEADM_LOCK_WAIT_MS=600000 run_beadm -r $P/ROOT check
expect_eq "check (read-only) runs while the lock is held" "$RC" 0
BEADM_LOCK_WAIT_MS=600000 run_beadm -r $P/ROOT list
expect_eq "list (read-only) runs while the lock is held" "$RC" 0
check "the holder still held the lock meanwhile" kill -0 "$HOLDER"

# A waiting run proceeds as soon as the holder is gone.
BEADM_LOCK_WAIT_MS=600000 "$BEADM" -r $P/ROOT activate other >"$T_TMP/stdout" 2>"$T_TMP/stderr" &
WAITER=$!
sleep 3
check "a second activate is still waiting" kill -0 "$WAITER"
expect_eq "and has changed nothing yet" "$(pool_bootfs $P)" "$P/ROOT/debian"
release
RC=0
wait "$WAITER" || RC=$?
expect_eq "with the holder gone it succeeds" "$RC: $(cat "$T_TMP/stdout")" "0: Activated BE 'other': it boots next."
expect_eq "bootfs names the BE" "$(pool_bootfs $P)" "$P/ROOT/other"

# The message names a beadm holder by its pid (beadm writes it in the file).
hold 4242
BEADM_LOCK_WAIT_MS=200 run_beadm -r $P/ROOT activate debian
expect_eq "a beadm holder is named by pid, exit 7" "$RC: $(cat "$T_TMP/stderr")" \
	"7: beadm: another beadm (pid 4242) is changing pool '$P'; gave up after 0.2 s; try again when it has finished"
release
expect_beadm 0 "with the holder gone, activate succeeds at once" -r $P/ROOT activate debian
check "and leaves no pid behind in the lock file" test ! -s "$LOCK"

# Another pool's lock does not hold this one up.
LOCK=/run/beadm/t3020-other.lock
hold
BEADM_LOCK_WAIT_MS=200 expect_beadm 0 "a lock on another pool does not matter" -r $P/ROOT activate other
release
rm -f "$LOCK"

done_testing
