# bash completion for beadm(8)                              -*- shell-script -*-
#
# Completes global options, commands, each command's options, BE names (the
# first field of `beadm list -H`) and BE@SNAP snapshot names (the first field
# of `beadm list -H -s` where it has an '@'), asking the BE root given with
# -r earlier on the line.
# Nothing completes to file names but the PATH and --initrd of `beadm kernel
# add`; only the mount point of `beadm mount`
# completes to directories.  Self-contained: works with or without the
# bash-completion package.

# The words of the line, with the pieces that COMP_WORDBREAKS split off
# (':' in snapshot names, '=' in -o PROP=VALUE) joined back: sets the
# caller's words, cword and cur.
__beadm_words()
{
	local i w glue=0
	words=()
	cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((${#words[@]} > 0)) && [[ $w =~ ^[:=@]+$ ]]; then
			words[${#words[@]}-1]+=$w
			glue=1
		elif ((glue)) && [[ -n $w ]]; then
			words[${#words[@]}-1]+=$w
			glue=0
		else
			words+=("$w")
			glue=0
		fi
		((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
	done
	cur=${words[cword]-}
}

# Offer the candidates on standard input that start with cur.  Bash replaces
# only the part of cur after its last word-break character (from '@' on, as
# '@' is also one of readline's special prefixes), so strip what comes before.
__beadm_reply()
{
	local c ch i pre=""
	for ((i = ${#cur} - 1; i >= 0; i--)); do
		ch=${cur:i:1}
		if [[ $ch == [:=@] && ${COMP_WORDBREAKS-} == *"$ch"* ]]; then
			pre=${cur:0:i}
			[[ $ch == @ ]] || pre+=$ch
			break
		fi
	done
	COMPREPLY=()
	while IFS= read -r c; do
		[[ -n $c && $c == "$cur"* ]] && COMPREPLY+=("${c#"$pre"}")
	done
}

# beadm as typed on the line, with the -r BEROOT given there.
__beadm_run()
{
	local bin=${words[0]}
	[[ $bin == */* && -x $bin ]] || bin=beadm
	"$bin" ${beroot:+-r "$beroot"} "$@" 2>/dev/null </dev/null
}

# The names of the BEs; with "mounted", only those mounted now, other than
# the running one.
__beadm_bes()
{
	local line name active mp
	__beadm_run list -H | while IFS= read -r line; do
		name=${line%%$'\t'*}
		[[ -n $name ]] || continue
		line=${line#*$'\t'}
		active=${line%%$'\t'*}
		line=${line#*$'\t'}
		mp=${line%%$'\t'*}
		if [[ $1 == mounted ]]; then
			[[ -z $mp || $mp == - || $active == *N* ]] && continue
		fi
		printf '%s\n' "$name"
	done
}

# BE@SNAP for the snapshots of each BE: without -a, `beadm list -H -s`
# follows each BE line with one line per snapshot of the BE's top dataset,
# whose first field is BE@SNAP.
__beadm_snapshots()
{
	local line name
	__beadm_run list -H -s | while IFS= read -r line; do
		name=${line%%$'\t'*}
		[[ $name == *@* ]] && printf '%s\n' "$name"
	done
}

# A BE, or with '@' typed, one of its snapshots.
__beadm_be_or_snap()
{
	if [[ $cur == *@* ]]; then
		__beadm_reply < <(__beadm_snapshots)
	else
		__beadm_reply < <(__beadm_bes)
	fi
}

_beadm()
{
	local words cword cur beroot="" cmd="" cmdi=0 i w
	local commands="activate apt-hook bless check chroot consolidate create destroy diff export help import
	    init install kernel list mount refresh rename rollback snapshot umount unmount
	    version vm"

	__beadm_words

	# Global options come before the command.
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		-r)
			((i + 1 < cword)) && beroot=${words[i + 1]}
			((i++))
			;;
		-r?*) beroot=${w#-r} ;;
		-*) ;;
		*)
			cmd=$w
			cmdi=$i
			break
			;;
		esac
	done

	local prev=${words[cword - 1]-}
	if [[ -z $cmd ]]; then
		if [[ $prev == -r ]]; then
			# A BE root: any file system, when zfs(8) can tell.
			command -v zfs >/dev/null 2>&1 && __beadm_reply < <(
			    zfs list -H -o name -t filesystem 2>/dev/null)
			return 0
		fi
		if [[ $cur == -* ]]; then
			__beadm_reply < <(printf '%s\n' -r -h --help -V --version)
		else
			__beadm_reply < <(printf '%s\n' $commands)
		fi
		return 0
	fi

	# Options of the command, and how many operands come before cur.
	local opts="" argopts="" nargs=0 dashdash=0
	case $cmd in
	activate) opts="-t -T --try --tries" argopts="--tries" ;;
	apt-hook) opts="--after" ;;
	create) opts="-e -d -o --empty" argopts="-e -d -o" ;;
	install)
		opts="--copy-config --keep-failed -d --root-dir"
		argopts="-d --root-dir"
		;;
	destroy) opts="-F -y -o" ;;
	diff) opts="-H --json --files --packages" ;;
	list) opts="-a -D -H -s -c -C --json" argopts="-c -C" ;;
	umount | unmount) opts="-f" ;;
	consolidate) opts="-y" ;;
	kernel) opts="-H --json --initrd --version" argopts="--initrd --version" ;;
	vm)
		opts="--check --timeout --mem --cpus --net --keep --accel --kernel --root-dir --share"
		argopts="--timeout --mem --cpus --accel --kernel --root-dir --share"
		;;
	esac
	for ((i = cmdi + 1; i < cword; i++)); do
		w=${words[i]}
		if ((dashdash)) || [[ $w != -* || $w == - ]]; then
			((nargs++))
		elif [[ $w == -- ]]; then
			dashdash=1
		elif [[ " $argopts " == *" $w "* ]]; then
			((i++))		# the option's argument
		fi
	done

	# After its BE, chroot's words belong to the command it runs.
	[[ $cmd == chroot ]] && ((nargs > 0)) && return 0

	# The argument of an option.
	if ((!dashdash)) && [[ " $argopts " == *" $prev "* ]]; then
		case $cmd$prev in
		create-e) __beadm_be_or_snap ;;
		activate--tries) __beadm_reply < <(printf '%s\n' 1 2 3 4 5 6 7 8 9) ;;
		vm--accel) __beadm_reply < <(printf '%s\n' auto kvm tcg) ;;
		vm--share) __beadm_reply < <(printf '%s\n' auto virtiofs 9p) ;;
		vm--root-dir | install--root-dir)
			compopt -o filenames 2>/dev/null
			__beadm_reply < <(compgen -d -- "$cur")
			;;
		kernel--initrd)
			compopt -o filenames 2>/dev/null
			__beadm_reply < <(compgen -f -- "$cur")
			;;
		list-c | list-C)
			__beadm_reply < <(printf '%s\n' name active \
			    mountpoint space used created origin)
			;;
		esac
		return 0
	fi
	if ((!dashdash)) && [[ $cmd == activate && $cur == --tries=* ]]; then
		__beadm_reply < <(printf -- '--tries=%s\n' 1 2 3 4 5 6 7 8 9)
		return 0
	fi
	if ((!dashdash)) && [[ $cur == -* ]]; then
		__beadm_reply < <(printf '%s\n' $opts --help)
		return 0
	fi

	case $cmd in
	activate | export | init | refresh | snapshot | rename)
		((nargs == 0)) && __beadm_reply < <(__beadm_bes)
		;;
	chroot)
		((nargs == 0)) && __beadm_reply < <(__beadm_bes)
		;;
	destroy)
		((nargs == 0)) && __beadm_be_or_snap
		;;
	consolidate)
		# A BE first, then datasets of the pool, when zfs(8) can tell.
		((nargs == 0)) && [[ $cur != */* ]] && __beadm_reply < <(__beadm_bes)
		command -v zfs >/dev/null 2>&1 && [[ $cur == */* || nargs -gt 0 ]] &&
		    __beadm_reply < <(zfs list -H -o name -t filesystem 2>/dev/null)
		;;
	diff)
		((nargs < 2)) && __beadm_be_or_snap
		;;
	rollback)
		if ((nargs == 0)); then
			if [[ $cur == *@* ]]; then
				__beadm_reply < <(__beadm_snapshots)
			else
				__beadm_reply < <(__beadm_bes | sed 's/$/@/')
				compopt -o nospace 2>/dev/null
			fi
		fi
		;;
	install)
		# NEWBE is new: nothing to offer; then a tarball or debootstrap:.
		if ((nargs == 1)); then
			compopt -o filenames 2>/dev/null
			__beadm_reply < <(compgen -f -- "$cur"; compgen -W \
			    debootstrap: -- "$cur")
		fi
		;;
	mount)
		if ((nargs == 0)); then
			__beadm_reply < <(__beadm_bes)
		elif ((nargs == 1)); then
			compopt -o filenames 2>/dev/null
			__beadm_reply < <(compgen -d -- "$cur")
		fi
		;;
	umount | unmount)
		((nargs == 0)) && __beadm_reply < <(__beadm_bes mounted)
		;;
	vm)
		[[ " ${words[*]} " == *" --root-dir "* ]] ||
			((nargs > 0)) || __beadm_reply < <(__beadm_bes)
		;;
	kernel)
		# kernel SUB BE [VERSION | PATH]: versions from `kernel list -H`,
		# files for add once a '/' is typed.
		local sub=${words[cmdi + 1]-} be=""
		((nargs >= 2)) && for ((i = cmdi + 2; i < cword; i++)); do
			[[ ${words[i]} == -* ]] || { be=${words[i]}; break; }
		done
		if ((nargs == 0)); then
			__beadm_reply < <(printf '%s\n' list add remove pin unpin)
		elif ((nargs == 1)); then
			__beadm_reply < <(__beadm_bes)
		elif ((nargs == 2)) && [[ $sub == add && $cur == */* ]]; then
			compopt -o filenames 2>/dev/null
			__beadm_reply < <(compgen -f -- "$cur")
		elif ((nargs == 2)) && [[ $sub == add || $sub == remove || $sub == pin ]]; then
			__beadm_reply < <(__beadm_run kernel list -H "$be" | cut -f1)
		fi
		;;
	help)
		((nargs == 0)) && __beadm_reply < <(printf '%s\n' $commands)
		;;
	esac
	return 0
}
complete -F _beadm beadm
