# shm.fish - fish completion for shm and its shm-CMD links.
#
# fish loads completions by command name, so it is installed as
# vendor_completions.d/shm.fish with a link shm-CMD.fish to it for each
# command.  Whichever name loads it first defines them all.

# The commands, as in src/cmd/commands.h, with their summaries.
set -l __shm_commands \
    create 'make a new segment, empty or from a file' \
    write 'put bytes, text or values into a segment' \
    read 'copy bytes or values out of a segment' \
    seek "set or print a segment's cursor" \
    find 'print where bytes occur in a segment' \
    flush "write a segment's changes to its file" \
    resize 'grow or shrink a segment' \
    move 'copy bytes within a segment (memmove)' \
    dump 'show a segment in hex, as hexdump -C or xxd' \
    stat "show a segment's size, cursor and owner" \
    list 'list the POSIX shared-memory objects' \
    rm 'remove segments' \
    lock "run a command holding a segment's lock" \
    wait 'wait until a segment changes or a value holds' \
    who 'show the processes that map, open or lock one' \
    help 'show help for a command'

# The options that take the next word as their value, by command.
function __shm_value_options --argument-names cmd
    switch $cmd
        case create
            echo -m --mode --from
        case write
            echo -o --offset -s --string -x --hex -i --input --as --cursor
        case read
            echo -o --offset -n --length -O --output --as --columns --cursor \
                --timeout
        case seek
            echo --cursor
        case find
            echo -s --start -e --end --cursor
        case flush
            echo -o --offset -n --length
        case dump
            echo -o --offset -n --length -f --format
        case stat
            echo -f --field --cursor
        case lock
            echo -w --timeout
        case wait
            echo -o --offset -n --length -t --timeout --as --until
    end
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

if not set -q __shm_completions_loaded
    set -g __shm_completions_loaded 1

    complete -c shm -f
    complete -c shm -n __fish_use_subcommand -l help -d 'list the commands'
    complete -c shm -n __fish_use_subcommand -l version -d 'print the version'
    for i in (seq 1 2 (count $__shm_commands))
        complete -c shm -n __fish_use_subcommand -a $__shm_commands[$i] \
            -d $__shm_commands[(math $i + 1)]
        complete -c shm-$__shm_commands[$i] -f
        test $__shm_commands[$i] = help
        or __shm_complete $__shm_commands[$i] -l help -d 'show the usage'
    end
    # "help CMD" for any command but help: there is no help for help.
    for i in (seq 1 2 (count $__shm_commands))
        test $__shm_commands[$i] = help; and continue
        __shm_complete help -n '__shm_is_argument 1' \
            -a $__shm_commands[$i] -d $__shm_commands[(math $i + 1)]
    end

    # The segment each command takes first; stat and rm take several.
    for cmd in create write read seek find flush resize move dump lock wait who
        __shm_complete $cmd -n '__shm_is_argument 1' -a '(__shm_segments)'
    end
    for cmd in stat rm
        __shm_complete $cmd -a '(__shm_segments)'
    end
    __shm_complete seek -n '__shm_is_argument 2' -a end -d 'the end'

    __shm_complete create -s m -l mode -x -d 'permissions, in octal'
    __shm_complete create -s f -l force -d 'replace an existing segment'
    __shm_complete create -s e -l exist-ok -d 'keep an existing segment'
    __shm_complete create -l from -r -F -d 'copy a file in'
    __shm_complete create -l progress -d 'show the bytes copied so far'

    __shm_complete write -s o -l offset -x -d 'write here (negative: from the end)'
    __shm_complete write -s s -l string -x -d 'write a string'
    __shm_complete write -s x -l hex -x -d 'write the bytes hex digits spell'
    __shm_complete write -s i -l input -r -F -d 'write a file'
    __shm_complete write -s g -l grow -d 'extend the segment as needed'
    __shm_complete write -l as -x -d 'pack values as a struct format'
    __shm_complete write -l progress -d 'show the bytes copied so far'
    __shm_complete write -l append -d 'write at the end, as one piece'

    __shm_complete read -s o -l offset -x -d 'read from here (negative: from the end)'
    __shm_complete read -s n -l length -x -d 'read at most this many bytes'
    __shm_complete read -s l -l line -d 'stop after the next newline'
    __shm_complete read -s O -l output -r -F -d 'write to a file'
    __shm_complete read -l as -x -d 'unpack values as a struct format'
    __shm_complete read -l columns -x -d 'values a line, with --as'
    __shm_complete read -l progress -d 'show the bytes copied so far'
    for cmd in read write seek find stat
        __shm_complete $cmd -l cursor -x -d 'use a named cursor'
    end

    __shm_complete find -s x -l hex -d 'the pattern is hex'
    __shm_complete find -s r -l last -d 'the last match'
    __shm_complete find -s a -l all -d 'every match'
    __shm_complete find -s s -l start -x -d 'matches begin here or later'
    __shm_complete find -s e -l end -x -d 'matches end here or before'
    __shm_complete find -s c -l from-cursor -d 'start at the cursor'
    __shm_complete find -l seek -d 'move the cursor to the match'

    __shm_complete flush -s o -l offset -x -d 'start of the range'
    __shm_complete flush -s n -l length -x -d 'length of the range'
    __shm_complete flush -s a -l async -d 'return at once (MS_ASYNC)'

    __shm_complete resize -s s -l shrink -d 'allow a smaller size'

    __shm_complete dump -s o -l offset -x -d 'start here (negative: from the end)'
    __shm_complete dump -s n -l length -x -d 'show at most this many bytes'
    __shm_complete dump -s v -l no-squeeze -d 'show every line'
    __shm_complete dump -s f -l format -x -a 'hexdump xxd' -d 'the layout'
    __shm_complete dump -l color -f -a 'auto always never' -d 'colour bytes by kind'

    __shm_complete stat -s f -l field -x -d 'print only these fields' \
        -a '(__fish_append , name kind path size cursor owner group mode modified changed born)'
    __shm_complete stat -s j -l json -d 'print JSON'

    __shm_complete list -s a -l all -d 'hidden names and semaphores too'
    __shm_complete list -s l -l long -d 'add allocated bytes and users'
    __shm_complete list -l total -d 'end with the file system figures'
    __shm_complete list -l sysv -d 'list the SysV segments instead'
    __shm_complete list -s H -l header -d 'print the header line'
    __shm_complete list -s j -l json -d 'print JSON'

    __shm_complete rm -s f -l force -d 'say nothing of missing segments'

    __shm_complete read -s f -l follow -d 'go on copying what is added'
    __shm_complete read -l timeout -x -d 'with --follow, give up after this long'

    __shm_complete wait -s o -l offset -x -d 'the range or value starts here'
    __shm_complete wait -s n -l length -x -d 'the length of the range'
    __shm_complete wait -s t -l timeout -x -d 'give up after this many seconds'
    __shm_complete wait -l change -d 'until a byte of the range changes'
    __shm_complete wait -l as -x -d 'the value to test, as a struct format'
    __shm_complete wait -l until -x -d 'the test: OP VALUE'
    __shm_complete wait -l exists -d 'until NAME exists'
    __shm_complete wait -l gone -d 'until NAME is removed or replaced'

    __shm_complete who -s H -l header -d 'print the header line'
    __shm_complete who -s j -l json -d 'print JSON'

    __shm_complete lock -s s -l shared -d 'share the lock with other readers'
    __shm_complete lock -s w -l timeout -x -d 'wait at most this many seconds'
    __shm_complete lock -n '__shm_is_argument 2' -a '(__fish_complete_command)'
end
