# shm - shared memory from the shell.  See README.md.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share
DESTDIR	?=

CC	?= cc
CFLAGS	?= -O2 -g
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wvla $(if $(WERROR),-Werror)
STD	 = -std=c11 -D_POSIX_C_SOURCE=200809L
LDLIBS	?= -lrt -pthread
# Undefined behaviour traps (SIGILL) rather than calling libubsan, whose
# 6 MB of tables LeakSanitizer scans at every exit: some 1,700 page
# faults, a third of an ASan shm's cost and of make test-asan's time
# here.  UBSAN_TRAP= builds with libubsan, for its message.
UBSAN_TRAP ?= -fsanitize-undefined-trap-on-error
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all $(UBSAN_TRAP)

# src/ is in tiers, each a folder that may use only those before it:
# util, fmt, seg (the mapping layer), lib, cmd; tests/lint.sh checks.
SRCS	 = $(wildcard src/*.c src/*/*.c)
# The commands, from cmd/commands.h: the one list of them; and help.
COMMANDS = $(shell sed -n 's/^	X.\([a-z]*\),.*/\1/p' src/cmd/commands.h) help

BATS	?= bats
# Test files run four at a time where GNU parallel is installed (bats
# --jobs needs it): every test keeps to its own names and state
# directory, so they may.  BATSFLAGS= runs them one at a time.
BATSFLAGS ?= $(if $(shell command -v parallel 2>/dev/null),--jobs 4)
# The tests of the binary's behaviour, the slowest first: bats --jobs
# starts them in this order, so that the last to start are short ones,
# and no long one runs alone at the end.
SLOW_TESTS = safety wait typed find lines follow lockcompose create \
	resize kinds diff allornothing
# The tests of what is written about it (man pages, completions, the
# README's examples, install): the same whatever the build, so they run
# once (make test-docs), not once a build.
DOC_TESTS = man completion readme install
TESTS	?= $(SLOW_TESTS:%=tests/%.bats) \
	$(filter-out $(SLOW_TESTS:%=tests/%.bats) $(DOC_TESTS:%=tests/%.bats), \
	$(wildcard tests/*.bats))

all: shm

# One rule for the objects of every build: build/VARIANT/DIR/FILE.o
# from src/DIR/FILE.c, each with the header dependencies the compiler
# wrote (-MMD) beside it.  VARIANT_CC and VARIANT_FLAGS say how.
# C unwinds no stack (no exceptions, no pthread_exit or cancel): the
# tables for it were an eighth of the stripped binary.  Busybox and
# toybox leave them out too; -g still gives a debugger its frames.
NO_UNWIND = -fno-asynchronous-unwind-tables -fno-unwind-tables
obj_CC		 = $(CC)
obj_FLAGS	 = $(CFLAGS) $(NO_UNWIND)
# The same sources with AddressSanitizer and UBSan, for the same tests.
asan_CC		 = $(CC)
asan_FLAGS	 = -O1 -g $(SANITIZE)
# Against musl, linked statically: a second libc keeps the code to
# POSIX, and the one file runs on any Linux of the arch.  CFLAGS is not
# passed, as for ASan, so a glibc-only flag cannot leak in.
MUSL_CC		?= musl-gcc
musl_CC		 = $(MUSL_CC)
musl_FLAGS	 = -O2 -g $(NO_UNWIND)
# POSIX ways only (src/util/port.h): what a port would run, built and
# run by the suite here.  Tests of what only Linux's ways do skip with
# a reason (helpers.bash: skip_if_portable).
portable_CC	 = $(CC)
portable_FLAGS	 = -DSHM_PORTABLE -O2 -g $(NO_UNWIND)
VARIANTS	 = obj asan musl portable

define variant_rules
$(1)_OBJS = $$(SRCS:src/%.c=build/$(1)/%.o)
build/$(1)/%.o: src/%.c
	@mkdir -p $$(@D)
	$$($(1)_CC) $$(STD) -Isrc $$(CPPFLAGS) $$($(1)_FLAGS) $$(WARN) -MMD -MP -c -o $$@ $$<
-include $$($(1)_OBJS:.o=.d)
endef
$(foreach v,$(VARIANTS),$(eval $(call variant_rules,$(v))))

shm: $(obj_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(obj_OBJS) $(LDLIBS)

build/asan/shm: $(asan_OBJS)
	$(CC) $(SANITIZE) -g $(LDFLAGS) -o $@ $(asan_OBJS) $(LDLIBS)

build/musl/shm: $(musl_OBJS)
	$(MUSL_CC) -static $(LDFLAGS) -o $@ $(musl_OBJS) $(LDLIBS)

build/portable/shm: $(portable_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(portable_OBJS) $(LDLIBS)

asan: build/asan/shm
musl: build/musl/shm
portable: build/portable/shm

# A real example from a fresh clone: make demo.  It ends saying how to
# run the README's examples, which call the binary shm.
demo: shm
	@set -e; n=shm-demo-$$$$; export SHM_STATE_DIR=$$(mktemp -d); \
	echo '$$ shm create '$$n' 64'; ./shm create $$n 64; \
	echo '$$ shm write '$$n' -s "hello, "'; ./shm write $$n -s 'hello, '; \
	echo '$$ echo world | shm write '$$n; echo world | ./shm write $$n; \
	echo '$$ shm seek '$$n; ./shm seek $$n; \
	echo '$$ shm read '$$n' -o 0 -n 13'; ./shm read $$n -o 0 -n 13; \
	echo '$$ shm find '$$n' world'; ./shm find $$n world; \
	echo '$$ shm rm '$$n; ./shm rm $$n; rm -rf "$$SHM_STATE_DIR"; \
	echo; echo 'shm is ./shm here; for the examples in README.md, as written:'; \
	echo '    export PATH="$$PWD:$$PATH"'

test: shm
	SHM="$(CURDIR)/shm" $(BATS) $(BATSFLAGS) $(TESTS)

test-docs: shm
	SHM="$(CURDIR)/shm" $(BATS) $(BATSFLAGS) $(DOC_TESTS:%=tests/%.bats)

# All that CI runs against ./shm.
check: test test-docs

test-asan: build/asan/shm
	SHM="$(CURDIR)/build/asan/shm" \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1 \
	$(BATS) $(BATSFLAGS) $(TESTS)

# Tests that preload a shim skip here: nothing is preloaded into a
# static binary (helpers.bash: skip_if_static).
test-musl: build/musl/shm
	SHM="$(CURDIR)/build/musl/shm" $(BATS) $(BATSFLAGS) $(TESTS)

test-portable: build/portable/shm
	SHM="$(CURDIR)/build/portable/shm" $(BATS) $(BATSFLAGS) $(TESTS)

# libFuzzer harnesses (clang), each run for FUZZ_SECONDS; what they
# find new goes to build/fuzz/corpus-NAME, seeds are in tests/fuzz.
FUZZ_CC	?= clang
FUZZ_SECONDS ?= 30
FUZZERS	 = number hex resolve hexdump structfmt
FUZZ_LIB = $(filter-out src/main.c src/cmd/%.c,$(SRCS))

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(STD) -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -Isrc -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz: $(FUZZERS:%=build/fuzz/fuzz_%)
	@for f in $(FUZZERS); do \
		mkdir -p build/fuzz/corpus-$$f; \
		dict=; [ -f tests/fuzz/$$f.dict ] && dict=-dict=tests/fuzz/$$f.dict; \
		build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) $$dict \
		    -print_final_stats=1 -close_fd_mask=3 build/fuzz/corpus-$$f \
		    tests/fuzz/corpus/$$f > build/fuzz/$$f.log 2>&1 || \
		    { tail -30 build/fuzz/$$f.log; exit 1; }; \
		echo "fuzz $$f: $$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    build/fuzz/$$f.log) runs in $(FUZZ_SECONDS) s, no crash"; \
	done

# The layering and size the README claims: tests/lint.sh.
lint: shm
	tests/lint.sh ./shm

# Every command under valgrind: no error, no definite leak.
valgrind: shm
	tests/valgrind.sh ./shm

# make test's files that have rounds to scale, with SCALE times the
# rounds of their random and concurrent tests (helpers.bash: SCALE):
# more schedules, more layouts, every find method at every edge.
SCALE	?= 5
DEEP_TESTS = $(shell grep -l -w SCALE $(TESTS))
test-deep: shm
	SHM="$(CURDIR)/shm" SHM_TEST_SCALE=$(SCALE) $(BATS) $(BATSFLAGS) $(DEEP_TESTS)

# Long runs, outside make test: STRESS_SECONDS of 8 writers, 8 readers.
STRESS_SECONDS ?= 30
stress: shm
	tests/stress.sh $(STRESS_SECONDS) ./shm

# Random schedules of producers, followers killed and started again,
# segments cut back and replaced, children under one lock, failing
# writes and waiters, each record checked: tests/contract/contract.py.
# CI runs it for 90 s; CONTRACT_SECONDS=600 for a longer run,
# CONTRACT_SEED=N to repeat a schedule.
CONTRACT_SECONDS ?= 90
check-contract: shm
	tests/contract/run.sh $(CONTRACT_SECONDS) ./shm

# The checker can fail: each fault in tests/contract/plants, planted in
# a copy of src/, must be caught within PLANT_SECONDS.
PLANT_SECONDS ?= 30
check-contract-plants:
	tests/contract/plant.sh $(PLANT_SECONDS)

# Times shm against cat, dd, grep, hexdump, xxd, python; see bench/README.md.
# BENCHFLAGS=--quick: 64 MiB and 2 rounds, under a minute.
bench: shm
	bench/run $(BENCHFLAGS)

# How soon wait and read --follow see each kind of writer, and what an
# idle wait costs; see bench/wait.
bench-wait: shm
	bench/wait --shm ./shm

# What install puts where.  SHM is the binary to install: the tests pass
# the one they test, so that installing never rebuilds it.
SHM		?= shm
MANPAGES	 = $(wildcard man/*.1)
BASHCOMPDIR	?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR	?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR	?= $(DATADIR)/fish/vendor_completions.d

# bash-completion and fish load a completion by the name of the command
# completed, so each shm-CMD gets a link to the one file.  help has no
# page of its own, as shm(1) describes "shm help CMD": its page is a
# link to shm.1, so that man shm-help works as man shm-CMD does.
install: $(SHM)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	cp $(SHM) $(DESTDIR)$(BINDIR)/shm
	chmod 755 $(DESTDIR)$(BINDIR)/shm
	cp $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	cd $(DESTDIR)$(MANDIR)/man1 && chmod 644 $(notdir $(MANPAGES))
	ln -sf shm.1 $(DESTDIR)$(MANDIR)/man1/shm-help.1
	cp completions/shm.bash $(DESTDIR)$(BASHCOMPDIR)/shm
	cp completions/_shm $(DESTDIR)$(ZSHCOMPDIR)/_shm
	cp completions/shm.fish $(DESTDIR)$(FISHCOMPDIR)/shm.fish
	chmod 644 $(DESTDIR)$(BASHCOMPDIR)/shm $(DESTDIR)$(ZSHCOMPDIR)/_shm \
	    $(DESTDIR)$(FISHCOMPDIR)/shm.fish
	for c in $(COMMANDS); do \
		ln -sf shm $(DESTDIR)$(BINDIR)/shm-$$c && \
		ln -sf shm $(DESTDIR)$(BASHCOMPDIR)/shm-$$c && \
		ln -sf shm.fish $(DESTDIR)$(FISHCOMPDIR)/shm-$$c.fish || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/shm $(DESTDIR)$(BASHCOMPDIR)/shm \
	    $(DESTDIR)$(ZSHCOMPDIR)/_shm $(DESTDIR)$(FISHCOMPDIR)/shm.fish
	cd $(DESTDIR)$(MANDIR)/man1 2>/dev/null && \
	    rm -f $(notdir $(MANPAGES)) shm-help.1 || :
	for c in $(COMMANDS); do \
		rm -f $(DESTDIR)$(BINDIR)/shm-$$c \
		    $(DESTDIR)$(BASHCOMPDIR)/shm-$$c \
		    $(DESTDIR)$(FISHCOMPDIR)/shm-$$c.fish; \
	done

clean:
	rm -rf shm build

.PHONY: all asan musl bench bench-wait check check-contract check-contract-plants demo fuzz fuzz-argv stress test test-deep test-docs valgrind lint test-asan test-musl test-portable portable install uninstall clean

# Random argument vectors over every command, under ASan, for
# ARGV_SECONDS, in a private mount namespace (needs root; skips without).
ARGV_SECONDS ?= 60
fuzz-argv: build/asan/shm
	tests/fuzz/argv.sh $(ARGV_SECONDS) build/asan/shm
