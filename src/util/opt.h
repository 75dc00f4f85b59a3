/* opt.h - the one option parser, for the commands */
#ifndef SHM_OPT_H
#define SHM_OPT_H

#include <stdbool.h>

/*
 * Options.  A command lists what it takes in a table; opt_next() walks
 * argv the way getopt_long does (clusters, --long=value, "--"), but an
 * argument that looks like a negative number is a value, not an option,
 * so "seek seg -16" and "write --as '<h' -2" work.
 */
struct opt {
	int		 key;	/* opt_next returns it; the short letter */
	const char	*name;	/* long name, or NULL */
	int		 arg;	/* takes a value: false, true or OPT_MAYBE */
};

/* A long option whose value is optional, given only as --name=value. */
#define OPT_MAYBE	2

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
	int		 stop_after;	/* operands after which all are; 0: none */
	const char	*usage;
	char		*arg;		/* value of the option just returned */
};

void	opt_init(struct opt_parser *, int argc, char **argv,
	    const char *usage);
int	opt_next(struct opt_parser *, const struct opt *opts);
/*
 * What a command returns when opt_next gave neither a key nor OPT_END:
 * SHM_DONE after --help, SHM_FAIL after a usage error.
 */
int	opt_stop(int c);
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
