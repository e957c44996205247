#!/bin/bash
# beadm create refuses bad requests with one clear error and its own exit
# status, and leaves the pool exactly as it was: no clone, no snapshot.
. "$(dirname "$0")/lib.sh"

P=t2010a
fixture deep $P
R=$P/ROOT

remember_state $P
stderr_is() { expect_eq "$1" "$(cat "$T_TMP/stderr")" "$2"; }

expect_beadm 3 "a name with a space is rejected (bectl regression)" -r $R create "foo bar"
stderr_is "... saying why" "beadm: invalid boot environment name 'foo bar': the name contains a space"
expect_unchanged "create 'foo bar'"
expect_beadm 3 "a name with a slash is rejected" -r $R create a/b
expect_beadm 3 "a name starting with '-' after -- is rejected" -r $R create -- -x
expect_unchanged "bad names"

expect_beadm 5 "an existing BE name is refused" -r $R create default
stderr_is "... saying so" "beadm: boot environment 'default' exists already (dataset $R/default); choose another name or destroy it first"
expect_unchanged "create over an existing BE (no snapshot left behind)"

expect_beadm 2 "an invalid -o value is refused before anything is made" -r $R create -o compression=bogus x
grep -q "compression" "$T_TMP/stderr" && ok "... naming the property" || not_ok "... naming the property"
expect_beadm 2 "-o without '=' is refused" -r $R create -o compression x
expect_beadm 2 "-o of a read-only property is refused" -r $R create -o used=5 x
expect_beadm 2 "-o canmount=on is refused: zfs mount -a would mount the BE" -r $R create -o canmount=on x
expect_unchanged "bad -o"

expect_beadm 4 "-e naming no BE fails" -r $R create -e nosuch x
stderr_is "... naming it" "beadm: boot environment 'nosuch' does not exist (no dataset $R/nosuch)"
expect_beadm 4 "-e naming no snapshot fails" -r $R create -e default@nosuch x
expect_beadm 3 "-e with a bad snapshot name fails" -r $R create -e "default@a b" x
expect_unchanged "bad sources"

# A clone that ZFS rejects after the snapshot was taken: the snapshot goes too.
expect_beadm 10 "a create that fails at the clone reports it (refquota below the data)" -r $R create -o refquota=1K x
grep -q "nothing was changed" "$T_TMP/stderr" && ok "... and says nothing was changed" || { not_ok "... and says nothing was changed"; evidence "$T_TMP/stderr"; }
expect_unchanged "a create that failed half-way (no snapshot, no clone left)"

expect_beadm 2 "no argument is a usage error" -r $R create
expect_beadm 2 "two arguments are a usage error" -r $R create a b
expect_beadm 2 "options with BE@SNAP are a usage error" -r $R create -d x default@s
expect_beadm 2 "an unknown option is a usage error" -r $R create -Z x
expect_unchanged "usage errors"

# With no running BE and no bootfs, there is nothing to clone implicitly.
zpool set bootfs= $P
remember_state $P
expect_beadm 4 "without -e, no running BE and no bootfs: refused" -r $R create x
grep -q -- "-e BE" "$T_TMP/stderr" && ok "... telling the user to use -e" || { not_ok "... telling the user to use -e"; evidence "$T_TMP/stderr"; }
expect_unchanged "create with no source"

done_testing
