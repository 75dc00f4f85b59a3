# shm.bash - bash completion for shm and its shm-CMD links.
#
# Source it, or install it as bash-completion's completions/shm with a
# link completions/shm-CMD to it for each command, so that the lazy
# loader finds it by either name.  It needs nothing from the
# bash-completion package.

# What to complete comes from the binary itself, as git's completion
# asks git --git-completion-helper: "shm help --options" prints a line
# for each command, then its options and operands, tab-separated (see
# shm(1)).  It is asked once and kept in these, by binary: the commands;
# by "BINARY CMD": its options, "-x --long ...", and after how many
# operands options end (lock NAME COMMAND: those are COMMAND's); by
# "BINARY CMD OPTION", its kind and values ("value @file"); by "BINARY
# CMD N", the values of operand N, and by "BINARY CMD +", from which
# operand on those of the last hold for all.
declare -gA _shm_commands _shm_options _shm_option _shm_operand _shm_end

# Sets _shm_bin to the binary to ask: shm or the path the command line
# gives; for a link shm-CMD, the shm beside it.
_shm_binary() {
	_shm_bin=$1
	[[ ${_shm_bin##*/} == shm-* ]] && _shm_bin=${_shm_bin%shm-*}shm
	return 0
}

# Loads what binary $1 says of its commands, once.
_shm_load() {
	local bin=$1 key name tag a b kind value values help w
	[[ -n ${_shm_commands[$bin]+set} ]] && return 0
	_shm_commands[$bin]=
	while IFS=$'\t' read -r name tag a b kind value values help; do
		key="$bin $name"
		case $tag in
		command)
			_shm_commands[$bin]+=" $name"
			_shm_options[$key]=
			_shm_end[$key]=0 ;;
		operand)
			# "CMD operand N VALUES": N is a, the values b.
			_shm_operand["$key ${a%+}"]=$b
			[[ $a == *+ ]] && _shm_operand["$key +"]=${a%+}
			[[ $b == @program ]] && _shm_end[$key]=$((${a%+} - 1)) ;;
		option)
			for w in "$a" "$b"; do
				[[ $w == - ]] && continue
				_shm_options[$key]+=" $w"
				_shm_option["$key $w"]="$kind $values"
			done ;;
		esac
	done < <(command "$bin" help --options 2>/dev/null)
	return 0
}

# Sets _shm_kind and _shm_values to those of option $3 of command $2.
_shm_kind_of() {
	local it=${_shm_option["$1 $2 $3"]}
	_shm_kind=${it%% *}
	_shm_values=${it#* }
}

# The values of operand number $3 of command $2 into _shm_values.
_shm_operand_of() {
	local key="$1 $2" from
	_shm_values=${_shm_operand["$key $3"]}
	from=${_shm_operand["$key +"]}
	[[ -z $_shm_values && -n $from ]] && (($3 >= from)) &&
	    _shm_values=${_shm_operand["$key $from"]}
	return 0
}

# Sets _shm_opt to the option of word $3 whose value is the next word,
# if any: "--long", or in a cluster such as "-gi" the letter that ends
# it.  (dump's --color, of kind maybe, takes one only after an "=".)
_shm_value_option() {
	local w=$3 j
	_shm_opt=
	if [[ $w == --* ]]; then
		_shm_kind_of "$1" "$2" "$w"
		[[ $_shm_kind == value || $_shm_kind == list ]] && _shm_opt=$w
		return 0
	fi
	for ((j = 1; j < ${#w}; j++)); do
		_shm_kind_of "$1" "$2" "-${w:j:1}"
		if [[ $_shm_kind == value || $_shm_kind == list ]]; then
			((j == ${#w} - 1)) && _shm_opt=-${w:j:1}
			return 0
		fi
	done
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

# Completes a word $3 that is one of values $2 (@segment, @file,
# @program, @command, words; "-": cannot be guessed) for binary $1.
_shm_complete_values() {
	local bin=$1 cur=$3 c
	case $2 in
	@segment)	_shm_segments "$cur" ;;
	@file)		_shm_files "$cur" ;;
	@program)	_shm_programs "$cur" ;;
	@command)
		_shm_load "$bin"
		# Every command but help: there is no help for help.
		for c in ${_shm_commands[$bin]}; do
			[[ $c != help && $c == "$cur"* ]] && COMPREPLY+=("$c")
		done ;;
	- | '')		;;
	*)		_shm_add "$2" "$cur" ;;
	esac
	return 0
}

# Completes the value $4 of option $3 of command $2.
_shm_value() {
	local bin=$1 cur=$4 head=
	_shm_kind_of "$1" "$2" "$3"
	if [[ $_shm_kind == list ]]; then
		# A list, "size,cursor": complete the value after the comma.
		[[ $cur == *,* ]] && head=${cur%,*},
		_shm_complete_values "$bin" "$_shm_values" "${cur##*,}"
		COMPREPLY=("${COMPREPLY[@]/#/$head}")
		compopt -o nospace 2>/dev/null || :
		return 0
	fi
	_shm_complete_values "$bin" "$_shm_values" "$cur"
}

_shm() {
	local words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	local cur=${COMP_WORDS[COMP_CWORD]} cmd first i n=0 w opts=yes end
	local _shm_bin _shm_kind _shm_values _shm_opt
	COMPREPLY=()
	_shm_binary "${words[0]}"
	_shm_load "$_shm_bin"

	# shm-CMD is shm CMD.
	cmd=${words[0]##*/}
	if [[ $cmd == shm-* ]]; then
		cmd=${cmd#shm-}
		first=1
	elif ((cword == 1)); then
		if [[ $cur == -* ]]; then
			_shm_add "--help --version" "$cur"
		else
			_shm_add "${_shm_commands[$_shm_bin]}" "$cur"
		fi
		return 0
	else
		cmd=${words[1]}
		first=2
	fi
	end=${_shm_end["$_shm_bin $cmd"]:-0}

	# --opt=value in one word, when "=" is not in COMP_WORDBREAKS.
	if [[ $cur == --*=* ]]; then
		_shm_value "$_shm_bin" "$cmd" "${cur%%=*}" "${cur#*=}"
		COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
		return 0
	fi

	# The words before the cursor: options, their values, and how many
	# arguments came before this one.
	for ((i = first; i < cword; i++)); do
		w=${words[i]}
		((end > 0 && n >= end)) && opts=no
		if [[ $opts == no || $w != -?* || $w == -[0-9.]* ]]; then
			n=$((n + 1))
		elif [[ $w == -- ]]; then
			opts=no
		elif [[ $w == --* && ${words[i + 1]} == = ]]; then
			# --opt=value, split at the "=" by COMP_WORDBREAKS.
			if ((i + 2 >= cword)); then
				[[ $cur == = ]] && cur=
				_shm_value "$_shm_bin" "$cmd" "$w" "$cur"
				return 0
			fi
			i=$((i + 2))
		else
			_shm_value_option "$_shm_bin" "$cmd" "$w"
			[[ -z $_shm_opt ]] && continue
			if ((i + 1 == cword)); then
				_shm_value "$_shm_bin" "$cmd" "$_shm_opt" "$cur"
				return 0
			fi
			i=$((i + 1))
		fi
	done

	((end > 0 && n >= end)) && opts=no
	if [[ $opts == yes && $cur == -* && $cur != -[0-9.]* ]]; then
		# There is no help for help.
		[[ $cmd == help ]] || _shm_add \
		    "${_shm_options["$_shm_bin $cmd"]} --help" "$cur"
		# Leave room for "=VALUE" after an option of kind maybe.
		_shm_kind_of "$_shm_bin" "$cmd" "${COMPREPLY[0]}"
		if ((${#COMPREPLY[@]} == 1)) && [[ $_shm_kind == maybe ]]; then
			compopt -o nospace 2>/dev/null || :
		fi
		return 0
	fi
	_shm_operand_of "$_shm_bin" "$cmd" $((n + 1))
	_shm_complete_values "$_shm_bin" "$_shm_values" "$cur"
}

complete -F _shm shm
_shm_load shm
for _shm_c in ${_shm_commands[shm]}; do
	complete -F _shm "shm-$_shm_c"
done
unset _shm_c
