/*
 * opt.c - option parsing shared by every command.
 *
 * getopt_long would do, but for one thing: negative numbers.  Offsets
 * count from the end ("read seg -o -16"), seek takes "-16", and struct
 * values are negative ("write seg --as '<h' -2"); to getopt "-2" is an
 * unknown option.  Here an argument that starts with "-" and a digit
 * (or "-inf", "-nan", "-." ) is a value like any other.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/opt.h"
#include "util/shm.h"

void
opt_init(struct opt_parser *p, int argc, char **argv, const char *usage)
{
	memset(p, 0, sizeof(*p));
	p->argc = argc;
	p->argv = argv;
	p->index = 1;
	p->usage = usage;
}

static bool
looks_negative(const char *s)
{
	if (s[0] != '-')
		return false;
	return isdigit((unsigned char)s[1]) || s[1] == '.' ||
	    strcasecmp(s, "-inf") == 0 || strcasecmp(s, "-infinity") == 0 ||
	    strcasecmp(s, "-nan") == 0;
}

static const struct opt *
find_short(const struct opt *opts, int c)
{
	for (; opts->key != 0; opts++)
		if (opts->key == c && c < OPT_LONG)
			return opts;
	return NULL;
}

static const struct opt *
find_long(const struct opt *opts, const char *name, size_t len)
{
	for (; opts->key != 0; opts++)
		if (opts->name != NULL && strlen(opts->name) == len &&
		    strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

/* The value of an option: the rest of its word, or the next word. */
static int
take_value(struct opt_parser *p, const struct opt *o, const char *rest,
    const char *shown)
{
	if (rest != NULL && *rest != '\0') {
		p->arg = (char *)rest;
		return o->key;
	}
	if (p->index >= p->argc)
		return shm_usage_error("option '%s' needs a value", shown),
		    OPT_ERROR;
	p->arg = p->argv[p->index++];
	return o->key;
}

static int
next_long(struct opt_parser *p, const struct opt *opts, const char *word)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct opt *o;

	if (len == 4 && strncmp(name, "help", 4) == 0) {
		fputs(p->usage, stdout);
		return OPT_HELP;
	}
	if ((o = find_long(opts, name, len)) == NULL)
		return shm_usage_error("unknown option '--%.*s'", (int)len,
		    name), OPT_ERROR;
	if (!o->arg && eq != NULL)
		return shm_usage_error("option '--%s' takes no value",
		    o->name), OPT_ERROR;
	if (!o->arg)
		return o->key;
	/* "--string=" is the empty string, never the next word. */
	if (eq != NULL || o->arg == OPT_MAYBE) {
		p->arg = eq != NULL ? (char *)eq + 1 : NULL;
		return o->key;
	}
	return take_value(p, o, NULL, word);
}

static int
next_short(struct opt_parser *p, const struct opt *opts)
{
	char shown[3] = { '-', *p->cluster, '\0' };
	const struct opt *o = find_short(opts, (unsigned char)*p->cluster);
	const char *rest = p->cluster + 1;

	p->cluster = *rest != '\0' ? rest : NULL;
	if (o == NULL && shown[1] == 'h') {
		fputs(p->usage, stdout);
		return OPT_HELP;
	}
	if (o == NULL)
		return shm_usage_error("unknown option '%s'", shown),
		    OPT_ERROR;
	if (!o->arg)
		return o->key;
	p->cluster = NULL;
	return take_value(p, o, rest, shown);
}

int
opt_next(struct opt_parser *p, const struct opt *opts)
{
	char *word;

	if (p->cluster != NULL)
		return next_short(p, opts);
	while (p->index < p->argc) {
		word = p->argv[p->index++];
		/* A command to run: its options are its own ("lock Q ls -l"). */
		if (p->stop_after > 0 && p->npos >= p->stop_after &&
		    !p->options_done) {
			p->options_done = true;
			if (strcmp(word, "--") == 0)
				continue;
		}
		if (p->options_done || word[0] != '-' || word[1] == '\0' ||
		    looks_negative(word)) {
			p->argv[p->npos++] = word;
			continue;
		}
		if (strcmp(word, "--") == 0) {
			p->options_done = true;
			continue;
		}
		if (word[1] == '-')
			return next_long(p, opts, word);
		p->cluster = word + 1;
		return next_short(p, opts);
	}
	return OPT_END;
}

int
opt_operands(const struct opt_parser *p, int min, int max, const char *names)
{
	const char *name = names;
	int i;

	if (p->npos > max)
		return shm_usage_error("too many arguments");
	if (p->npos >= min)
		return SHM_OK;
	for (i = 0; i < p->npos; i++)
		name += strcspn(name, " ") + 1;
	return shm_usage_error("missing %.*s", (int)strcspn(name, " "), name);
}

int
opt_stop(int c)
{
	return c == OPT_HELP ? SHM_DONE : SHM_FAIL;
}

int
opt_bad_value(const char *what, const char *text, const char *reason)
{
	return shm_usage_error("%s '%s': %s", what, text, reason);
}
