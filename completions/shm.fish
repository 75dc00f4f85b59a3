# shm.fish - fish completion for shm and its shm-CMD links.
#
# fish loads completions by command name, so it is installed as
# vendor_completions.d/shm.fish with a link shm-CMD.fish to it for each
# command.  Whichever name loads it first defines them all.

# What to complete comes from the binary, as git's completion asks git
# --git-completion-helper: "shm help --options" prints a line for each
# command, then its options and operands, tab-separated (see shm(1)).
# It is asked once, when this file loads.
set -l __shm_bin (command -s shm)
set -q __shm_bin[1]; or set __shm_bin shm

# The options that take the next word as their value, by command: set
# below, in __shm_values_CMD.
function __shm_value_options --argument-names cmd
    set -l v __shm_values_$cmd
    set -q $v; and echo $$v
end

# The command being completed: CMD of "shm CMD" or of "shm-CMD".
function __shm_command
    set -l tokens (commandline -opc)
    set -l name (string replace -r '^.*/' '' -- $tokens[1])
    if string match -q 'shm-*' -- $name
        string replace 'shm-' '' -- $name
    else if set -q tokens[2]
        echo $tokens[2]
    end
end

# The arguments of the command before the cursor, without the options
# and their values.
function __shm_arguments
    set -l tokens (commandline -opc)
    set -l cmd (__shm_command)
    set -e tokens[1]
    string match -q 'shm-*' -- (string replace -r '^.*/' '' -- (commandline -opc)[1])
    or set -e tokens[1]
    set -l values (string split ' ' -- (__shm_value_options $cmd))
    set -l skip 0
    set -l options 1
    for t in $tokens
        if test $skip = 1
            set skip 0
        else if test $options = 1; and test "$t" = --
            set options 0
        else if test $options = 1; and string match -qr -- '^-[^0-9.]' $t
            contains -- $t $values; and set skip 1
        else
            echo $t
        end
    end
end

# True if the word being completed is argument number $argv[1].
function __shm_is_argument --argument-names n
    test (count (__shm_arguments)) -eq (math $n - 1)
end

# The POSIX objects, as `shm list` shows them: the regular files in
# /dev/shm but semaphores and hidden ones.  A word with a "/" is a path.
function __shm_segments
    set -l word (commandline -ct)
    if string match -q -- '*/*' $word
        __fish_complete_path $word
        return
    end
    # SysV segments by id, from what the kernel lists.
    if test -r /proc/sysvipc/shm
        awk 'NR > 1 { printf "sysvid:%s\tSysV segment\n", $2 }' /proc/sysvipc/shm
    end
    for f in /dev/shm/*
        set -l name (string replace /dev/shm/ '' -- $f)
        # A tab would end the name and begin its description, and a
        # newline end the line: offer such a name nowhere rather than
        # offer the wrong one.
        string match -qr '[\t\n]' -- $name; and continue
        if test -f $f; and not test -L $f
            and not string match -q 'sem.*' -- $name
            printf '%s\tsegment\n' $name
        end
    end
end

# Defines a completion for "shm CMD" and for "shm-CMD".
function __shm_complete --argument-names cmd
    complete -c shm -n "test (__shm_command) = $cmd" $argv[2..-1]
    complete -c shm-$cmd $argv[2..-1]
end

# The arguments of complete that offer values of a kind, one a line:
# @segment..., words, or "-" for what cannot be guessed.
function __shm_values --argument-names values
    switch $values
        case @segment
            printf '%s\n' -a '(__shm_segments)'
        case @file
            printf '%s\n' -r -F
        case @program
            printf '%s\n' -a '(__fish_complete_command)'
        case - '@*'
        case '*'
            printf '%s\n' -a $values
    end
end

# Defines the completion of a command, option or operand: a line of
# "shm help --options", split.
function __shm_define
    set -l cmd $argv[1]
    switch $argv[2]
        case command
            complete -c shm -n __fish_use_subcommand -a $cmd -d $argv[3]
            complete -c shm-$cmd -f
            # There is no help for help.
            test $cmd = help; and return
            __shm_complete $cmd -l help -d 'show the usage'
            __shm_complete help -n '__shm_is_argument 1' -a $cmd -d $argv[3]
        case operand
            set -l n (string replace + '' -- $argv[3])
            set -l test -eq
            string match -q '*+' -- $argv[3]; and set test -ge
            set -l how (__shm_values $argv[4])
            set -q how[1]; or return
            __shm_complete $cmd -n "test (count (__shm_arguments)) $test "(math $n - 1) $how
        case option
            set -l f $argv[3..-1]
            set -l spec
            test $f[1] != -; and set -a spec -s (string sub -s 2 -- $f[1])
            test $f[2] != -; and set -a spec -l (string sub -s 3 -- $f[2])
            if contains -- $f[3] value list
                test $f[1] != -; and set -ga __shm_values_$cmd $f[1]
                test $f[2] != -; and set -ga __shm_values_$cmd $f[2]
                test $f[5] = @file; or set -a spec -x
            end
            if test $f[3] = list
                set -a spec -a "(__fish_append , $f[5])"
            else
                set -a spec (__shm_values $f[5])
            end
            __shm_complete $cmd $spec -d $f[6]
    end
end

if not set -q __shm_completions_loaded
    set -g __shm_completions_loaded 1

    complete -c shm -f
    complete -c shm -n __fish_use_subcommand -l help -d 'list the commands'
    complete -c shm -n __fish_use_subcommand -l version -d 'print the version'
    for line in (command $__shm_bin help --options 2>/dev/null)
        __shm_define (string split \t -- $line)
    end
end
