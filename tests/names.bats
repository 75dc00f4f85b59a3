#!/usr/bin/env bats
# What a NAME means, and every way one can be wrong.

load helpers

@test "an empty name is an error for every command" {
	for c in "read" "write -s x" "seek" "stat" "rm" "create"; do
		capture shm $c '' 1
		[ "$c" = create ] || capture shm $c ''
		assert_equal "$status" 2
		assert_equal "$stderr" "shm: ${c%% *}: '': empty segment name"
	done
}

@test "/ alone, . and .. are not segment names" {
	for n in / . .. /. /..; do
		capture shm read "$n"
		assert_fails 2 "shm: read: $n: not a valid segment name"
	done
}

@test "a name longer than NAME_MAX is refused" {
	local long
	long=$(printf 'x%.0s' $(seq 256))
	capture shm create "$long" 1
	assert_fails 2 "shm: create: $long: segment name longer than 255 bytes"
}

@test "a directory is not a segment" {
	mkdir d
	capture shm read ./d
	assert_fails 2 "shm: read: ./d: is a directory, not a segment"
	capture shm write ./d -s x
	assert_fails 2 "shm: write: ./d: is a directory, not a segment"
}

@test "a FIFO is refused at once, without blocking" {
	mkfifo fifo
	capture timeout 5 "$SHM" read ./fifo
	assert_fails 2 "shm: read: ./fifo: is a FIFO, not a segment"
	capture timeout 5 "$SHM" write ./fifo -s x
	assert_fails 2 "shm: write: ./fifo: is a FIFO, not a segment"
}

@test "/dev/null is not a segment" {
	capture shm read /dev/null
	assert_fails 2 "shm: read: /dev/null: is a character device, not a segment"
}

@test "a missing file path is an error" {
	capture shm read ./nonexistent
	assert_fails 2 "shm: read: ./nonexistent: no such segment"
}

@test "a name with a slash after its first character is a file" {
	mkdir sub
	printf hi > sub/f
	assert_equal "$(shm read sub/f)" hi
}

@test "/dev/shm/NAME is the object NAME, as a file" {
	shm create "${P}a" 2
	shm write "/dev/shm/${P}a" -s ok
	assert_equal "$(shm read "${P}a" -o 0)" ok
}
