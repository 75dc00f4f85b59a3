# shm.bash - bash completion for shm and its shm-CMD links.
#
# Source it, or install it as bash-completion's completions/shm with a
# link completions/shm-CMD to it for each command, so that the lazy
# loader finds it by either name.  It needs nothing from the
# bash-completion package.

# The commands, as in src/cmd/commands.h.
_shm_commands="create write read seek find flush resize move dump stat list rm lock
    wait who help"

# The options of a command, as its --help lists them.
_shm_options() {
	case $1 in
	create)	echo "-m --mode -f --force -e --exist-ok --from --progress" ;;
	write)	echo "-o --offset -s --string -x --hex -i --input -g --grow" \
		    "--append --as --progress --cursor" ;;
	read)	echo "-o --offset -n --length -l --line -O --output --as" \
		    "--columns --progress -f --follow --timeout --cursor" ;;
	seek)	echo "--cursor" ;;
	find)	echo "-x --hex -r --last -a --all -s --start -e --end" \
		    "-c --from-cursor --seek --cursor" ;;
	flush)	echo "-o --offset -n --length -a --async" ;;
	resize)	echo "-s --shrink" ;;
	dump)	echo "-o --offset -n --length -v --no-squeeze -f --format" \
		    "--color" ;;
	stat)	echo "-f --field -j --json --cursor" ;;
	list)	echo "-a --all -l --long -H --header -j --json --total --sysv" ;;
	rm)	echo "-f --force" ;;
	lock)	echo "-s --shared -w --timeout" ;;
	who)	echo "-H --header -j --json" ;;
	wait)	echo "-o --offset -n --length -t --timeout --change --as" \
		    "--until --exists --gone" ;;
	esac
}

# True if option $2 of command $1 takes the next word as its value.
# (dump's --color takes one only after an "=".)
_shm_takes_value() {
	case $1:$2 in
	create:-m | create:--mode | create:--from | \
	write:-[osxi] | write:--offset | write:--string | write:--hex | \
	write:--input | write:--as | \
	read:-[onO] | read:--offset | read:--length | read:--output | \
	read:--as | read:--columns | \
	find:-[se] | find:--start | find:--end | \
	flush:-[on] | flush:--offset | flush:--length | \
	dump:-[onf] | dump:--offset | dump:--length | dump:--format | \
	stat:-f | stat:--field | lock:-w | lock:--timeout | *:--cursor | \
	read:--timeout | wait:-[ont] | wait:--offset | wait:--length | \
	wait:--timeout | wait:--as | wait:--until)
		return 0 ;;
	esac
	return 1
}

# Prints the option of word $2 whose value is the next word, if any:
# "--long", or in a cluster such as "-gi" the letter that ends it.
_shm_value_option() {
	local cmd=$1 w=$2 j
	if [[ $w == --* ]]; then
		_shm_takes_value "$cmd" "$w" && echo "$w"
		return 0
	fi
	for ((j = 1; j < ${#w}; j++)); do
		if _shm_takes_value "$cmd" "-${w:j:1}"; then
			((j == ${#w} - 1)) && echo "-${w:j:1}"
			return 0
		fi
	done
}

# What the Nth argument that is not an option is: a segment NAME, a
# command, a seek position, or something we cannot guess (a size...).
_shm_argument_kind() {
	case $1:$2 in
	create:1 | write:1 | read:1 | seek:1 | find:1 | flush:1 | \
	resize:1 | move:1 | dump:1 | stat:* | rm:* | lock:1 | wait:1 | who:1) echo name ;;
	seek:2) echo position ;;
	lock:2) echo program ;;
	lock:*) echo file ;;
	help:1) echo command ;;
	esac
}

# Adds those of the words in $1 that start with $2 to COMPREPLY.
_shm_add() {
	local w
	for w in $1; do
		[[ $w == "$2"* ]] && COMPREPLY+=("$w")
	done
	return 0
}

# Prints word $1 as the shell will read it, its quotes and backslashes
# taken out: after a first Tab has put "a\ b." on the line, the word
# must still match the files "a b.bin" and "a b.txt".  Nothing is
# expanded: a Tab must not run what the word names.
_shm_dequote() {
	local w=$1 out='' q='' c i
	for ((i = 0; i < ${#w}; i++)); do
		c=${w:i:1}
		if [[ $q != "'" && $c == "\\" ]]; then
			# In "...", a backslash escapes only $ ` " \.
			if [[ $q != '"' || ${w:i+1:1} == [\$\`\"\\] ]]; then
				i=$((i + 1))
				c=${w:i:1}
			fi
		elif [[ -z $q && ( $c == "'" || $c == '"' ) ]]; then
			q=$c
			continue
		elif [[ $c == "$q" ]]; then
			q=
			continue
		fi
		out+=$c
	done
	printf '%s\n' "$out"
}

# Adds what compgen prints, one name a line, to COMPREPLY.  Split on
# newlines only and not globbed, a name with a space, a tab or a "*"
# stays one word.
_shm_compgen() {
	mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen "$@")
}

# -o filenames: bash quotes the names it puts on the line and adds a "/"
# to a directory.
_shm_files() {
	compopt -o filenames 2>/dev/null || :
	_shm_compgen -f -- "$(_shm_dequote "$1")"
}

# A command in $PATH, or with a "/" a path to one.
_shm_programs() {
	compopt -o filenames 2>/dev/null || :
	_shm_compgen -c -- "$(_shm_dequote "$1")"
}

# The POSIX objects, as `shm list` shows them: the regular files in
# /dev/shm but semaphores and hidden ones.  A word with a "/" is a path.
_shm_segments() {
	local cur=$1 f n q
	if [[ $cur == */* ]]; then
		_shm_files "$cur"
		return 0
	fi
	# SysV segments, by id: sysvid:ID, from what the kernel lists.
	if [[ $cur == sysv* ]]; then
		_shm_add "$(awk 'NR > 1 { print "sysvid:" $2 }' \
		    /proc/sysvipc/shm 2>/dev/null)" "$cur"
		return 0
	fi
	for f in /dev/shm/"$(_shm_dequote "$cur")"*; do
		n=${f#/dev/shm/}
		[[ -f $f && ! -L $f && $n != .* && $n != sem.* ]] || continue
		COMPREPLY+=("$n")
		# Only -o filenames makes bash quote a name with a space, but it
		# would also add a "/" to a name that is a directory here: ask
		# for it only when a name needs quoting.
		printf -v q %q "$n"
		[[ $q == "$n" ]] || compopt -o filenames 2>/dev/null || :
	done
	return 0
}

# Completes the value $3 of option $2 of command $1.
_shm_value() {
	local cmd=$1 opt=$2 cur=$3 head=
	case $cmd:$opt in
	create:--from | write:-i | write:--input | read:-O | read:--output)
		_shm_files "$cur" ;;
	dump:-f | dump:--format)
		_shm_add "hexdump xxd" "$cur" ;;
	dump:--color)
		_shm_add "auto always never" "$cur" ;;
	stat:-f | stat:--field)
		# A list, "size,cursor": complete the field after the comma.
		[[ $cur == *,* ]] && head=${cur%,*},
		_shm_add "name kind path size cursor owner group mode modified
		    changed born" "${cur##*,}"
		COMPREPLY=("${COMPREPLY[@]/#/$head}")
		compopt -o nospace 2>/dev/null || : ;;
	esac
	return 0
}

_shm() {
	local words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	local cur=${COMP_WORDS[COMP_CWORD]} cmd first i n=0 w opt opts=yes
	COMPREPLY=()

	# shm-CMD is shm CMD.
	cmd=${words[0]##*/}
	if [[ $cmd == shm-* ]]; then
		cmd=${cmd#shm-}
		first=1
	elif ((cword == 1)); then
		if [[ $cur == -* ]]; then
			_shm_add "--help --version" "$cur"
		else
			_shm_add "$_shm_commands" "$cur"
		fi
		return 0
	else
		cmd=${words[1]}
		first=2
	fi

	# --opt=value in one word, when "=" is not in COMP_WORDBREAKS.
	if [[ $cur == --*=* ]]; then
		_shm_value "$cmd" "${cur%%=*}" "${cur#*=}"
		COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
		return 0
	fi

	# The words before the cursor: options, their values, and how many
	# arguments came before this one.
	for ((i = first; i < cword; i++)); do
		w=${words[i]}
		if [[ $opts == no || $w != -?* || $w == -[0-9.]* ]]; then
			n=$((n + 1))
		elif [[ $w == -- ]]; then
			opts=no
		elif [[ $w == --* && ${words[i + 1]} == = ]]; then
			# --opt=value, split at the "=" by COMP_WORDBREAKS.
			if ((i + 2 >= cword)); then
				[[ $cur == = ]] && cur=
				_shm_value "$cmd" "$w" "$cur"
				return 0
			fi
			i=$((i + 2))
		else
			opt=$(_shm_value_option "$cmd" "$w")
			[[ -z $opt ]] && continue
			if ((i + 1 == cword)); then
				_shm_value "$cmd" "$opt" "$cur"
				return 0
			fi
			i=$((i + 1))
		fi
	done

	# lock's COMMAND takes options of its own.
	[[ $cmd == lock ]] && ((n >= 1)) && opts=no
	if [[ $opts == yes && $cur == -* && $cur != -[0-9.]* ]]; then
		[[ $cmd == help ]] ||
		    _shm_add "$(_shm_options "$cmd") --help" "$cur"
		# Leave room for "=WHEN" after --color.
		if [[ ${COMPREPLY[*]} == --color ]]; then
			compopt -o nospace 2>/dev/null || :
		fi
		return 0
	fi
	case $(_shm_argument_kind "$cmd" $((n + 1))) in
	name)		_shm_segments "$cur" ;;
	position)	_shm_add "end" "$cur" ;;
	program)	_shm_programs "$cur" ;;
	file)		_shm_files "$cur" ;;
	# Every command but help: there is no help for help.
	command)	_shm_add "${_shm_commands/ help/}" "$cur" ;;
	esac
	return 0
}

complete -F _shm shm
for _shm_c in $_shm_commands; do
	complete -F _shm "shm-$_shm_c"
done
unset _shm_c
