#!/bin/bash
# A replication stream is binary: export will not write one to a terminal,
# import will not read one from a terminal.  On a terminal, standard error
# gets a progress line.  A reader that goes away is an error, not a crash.
. "$(dirname "$0")/lib.sh"

P=t3012a
fixture zbm $P
zfs list -H -t all -o name -r $P >"$T_TMP/before"

# script(1) gives the command a terminal on stdin, stdout and stderr.
RC=0
script -qec "$BEADM -r $P/ROOT export debian" /dev/null >"$T_TMP/tty.out" 2>&1 || RC=$?
expect_eq "export to a terminal exits 2" "$RC" 2
check "and says why" grep -q "^beadm: refusing to write a replication stream to a terminal; redirect standard output to a file or a pipe (beadm export BE > FILE)" "$T_TMP/tty.out"

RC=0
script -qec "$BEADM -r $P/ROOT import copy" /dev/null >"$T_TMP/tty.out" 2>&1 </dev/null || RC=$?
expect_eq "import from a terminal exits 2" "$RC" 2
check "and says why" grep -q "^beadm: refusing to read a replication stream from a terminal; redirect standard input from a file or a pipe (beadm import NEWBE < FILE)" "$T_TMP/tty.out"
zfs list -H -t all -o name -r $P >"$T_TMP/after"
check "the refusals changed nothing" diff "$T_TMP/before" "$T_TMP/after"

RC=0
script -qec "$BEADM -r $P/ROOT export debian >$T_TMP/stream" /dev/null >"$T_TMP/tty.out" 2>&1 || RC=$?
expect_eq "export to a file with a terminal on stderr exits 0" "$RC" 0
check "and ends with a progress line: bytes, rate, elapsed" grep -Eq "exported 'debian': [0-9.]+[BKMG], [0-9.]+[BKMG]/s, [0-9]+ s" "$T_TMP/tty.out"
check "the stream went to the file" test -s "$T_TMP/stream"
RC=0
script -qec "$BEADM -r $P/ROOT import copy <$T_TMP/stream" /dev/null >"$T_TMP/tty.out" 2>&1 || RC=$?
expect_eq "import from a file with a terminal on stderr exits 0" "$RC" 0
check "and ends with a progress line" grep -Eq "imported 'copy': [0-9.]+[BKMG], [0-9.]+[BKMG]/s, [0-9]+ s" "$T_TMP/tty.out"

# The reader stops early: exit 1 with the reason, no snapshot left behind.
dd if=/dev/urandom of="$(zpool get -H -o value altroot $P)/big" bs=1M count=4 status=none
zfs list -H -t all -o name -r $P >"$T_TMP/before"
"$BEADM" -r $P/ROOT export debian 2>"$T_TMP/stderr" | head -c 1000 >/dev/null
RC=${PIPESTATUS[0]}
expect_eq "export to a reader that stops early exits 1" "$RC" 1
check "and says the stream could not be written" grep -Eqx "beadm: cannot write the stream of BE 'debian' after [0-9]+ bytes: Broken pipe" "$T_TMP/stderr"
zfs list -H -t all -o name -r $P >"$T_TMP/after"
check "and leaves no snapshot behind" diff "$T_TMP/before" "$T_TMP/after"

done_testing
