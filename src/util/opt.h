/* opt.h - the one option parser, for the commands */
#ifndef SHM_OPT_H
#define SHM_OPT_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Options.  A command lists what it takes in a table, each row with its
 * help: the table is what opt_next() parses, what --help prints under
 * the usage, and what "shm help --options CMD" tells the completions.
 * opt_next() walks argv the way getopt_long does (clusters,
 * --long=value, "--"), but an argument that looks like a negative
 * number is a value, not an option, so "seek seg -16" and "write --as
 * '<h' -2" work.
 */
enum opt_kind {
	OPT_FLAG,	/* takes no value */
	OPT_VALUE,	/* takes one: -xVALUE, -x VALUE, --x VALUE, --x=VALUE */
	OPT_MAYBE,	/* a long option's optional value: --x or --x=VALUE */
	OPT_LIST	/* as OPT_VALUE, a list of values with commas */
};

struct opt {
	int		 key;	/* opt_next returns it; the short letter */
	const char	*name;	/* long name, or NULL */
	enum opt_kind	 kind;
	const char	*value;	/* the value in the help: OFFSET; or NULL */
	const char	*help;	/* one sentence, wrapped to fit */
	/*
	 * What the value may be, for completion: words ("hexdump xxd"),
	 * or one of OPT_SEGMENT, OPT_FILE, OPT_PROGRAM, OPT_COMMAND;
	 * NULL when it cannot be guessed (a number, a string).
	 */
	const char	*values;
};

#define OPT_SEGMENT	"@segment"	/* a segment's NAME */
#define OPT_FILE	"@file"
#define OPT_PROGRAM	"@program"	/* a command to run */
#define OPT_COMMAND	"@command"	/* one of shm's commands */

/*
 * A command's help: its usage (the synopsis, then what it does), its
 * options, then more prose if any; and what its operands are, first
 * to last, for completion ("@file..." : that and all after it).
 */
#define OPT_OPERANDS	4
struct opt_command {
	const char	*usage;
	const struct opt *options;	/* ends with a row of key 0 */
	const char	*more;		/* after the options, or NULL */
	const char	*operands[OPT_OPERANDS];
};

/* What opt_next returns besides a key: none is a key or an exit status. */
#define OPT_END		(-10)	/* no more options */
#define OPT_HELP	(-11)	/* --help: the usage was printed */
#define OPT_ERROR	(-12)	/* a usage message was printed */
#define OPT_LONG	256	/* first key for long-only options */

/*
 * Non-option arguments are moved, in order, to argv[0 .. npos): the
 * command name in argv[0] is not needed once parsing starts.
 */
struct opt_parser {
	int		 argc;
	char		**argv;
	int		 index;		/* next argv element to look at */
	int		 npos;		/* positional arguments so far */
	const char	*cluster;	/* rest of a "-abc" cluster */
	bool		 options_done;	/* after "--" */
	/* Operands after which all are (@program's place); 0: none. */
	int		 stop_after;
	const struct opt_command *command;
	char		*arg;		/* value of the option just returned */
};

void	opt_init(struct opt_parser *, int argc, char **argv,
	    const struct opt_command *);
int	opt_next(struct opt_parser *);
/* The whole help: usage, the options' lines, then the rest. */
void	opt_print_help(FILE *, const struct opt_command *);
/*
 * For the completions, the lines of command name: a line for each
 * option, name, "option", short ("-x" or "-"), long ("--name" or "-"),
 * kind (flag, value, maybe, list), the value's name ("OFFSET"; "-"),
 * values ("-": any) and help; then a line for each operand, name,
 * "operand", its number ("3+": it and those after) and values; each
 * field ended by a tab but the last.
 */
void	opt_print_table(FILE *, const char *name, const struct opt_command *);
/*
 * What a command returns when opt_next gave neither a key nor OPT_END:
 * SHM_DONE after --help, SHM_FAIL after a usage error.
 */
int	opt_stop(int c);
/*
 * --color[=WHEN]'s value: always (NULL: --color alone), never, or auto,
 * which is colour on a terminal unless NO_COLOR is set and not empty.
 */
int	opt_color(const char *when, bool *color);
/*
 * The one form of a bad value: "WHAT 'TEXT': reason", then where the
 * usage is.  Returns SHM_FAIL.
 */
int	opt_bad_value(const char *what, const char *text, const char *reason);
/*
 * Checks there are min to max operands, named by the words of names
 * ("NAME SIZE"): "missing SIZE", "too many arguments".
 */
int	opt_operands(const struct opt_parser *, int min, int max,
	    const char *names);

#endif
