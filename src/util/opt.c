/*
 * opt.c - option parsing shared by every command, and the option lines
 * of --help and of "shm help --options", all from the command's table.
 *
 * getopt_long would do, but for one thing: negative numbers.  Offsets
 * count from the end ("read seg -o -16"), seek takes "-16", and struct
 * values are negative ("write seg --as '<h' -2"); to getopt "-2" is an
 * unknown option.  Here an argument that starts with "-" and a digit
 * (or "-inf", "-nan", "-." ) is a value like any other.
 */
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/opt.h"
#include "util/shm.h"

void
opt_init(struct opt_parser *p, int argc, char **argv,
    const struct opt_command *command)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->argc = argc;
	p->argv = argv;
	p->index = 1;
	p->command = command;
	/* A program to run takes the options after it ("lock Q ls -l"). */
	for (i = 0; i < OPT_OPERANDS && command->operands[i] != NULL; i++)
		if (strcmp(command->operands[i], OPT_PROGRAM) == 0)
			p->stop_after = i;
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
next_long(struct opt_parser *p, const char *word)
{
	const struct opt *opts = p->command->options;
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct opt *o;

	if (len == 4 && strncmp(name, "help", 4) == 0) {
		opt_print_help(stdout, p->command);
		return OPT_HELP;
	}
	if ((o = find_long(opts, name, len)) == NULL)
		return shm_usage_error("unknown option '--%.*s'", (int)len,
		    name), OPT_ERROR;
	if (o->kind == OPT_FLAG && eq != NULL)
		return shm_usage_error("option '--%s' takes no value",
		    o->name), OPT_ERROR;
	if (o->kind == OPT_FLAG)
		return o->key;
	/* "--string=" is the empty string, never the next word. */
	if (eq != NULL || o->kind == OPT_MAYBE) {
		p->arg = eq != NULL ? (char *)eq + 1 : NULL;
		return o->key;
	}
	return take_value(p, o, NULL, word);
}

static int
next_short(struct opt_parser *p)
{
	char shown[3] = { '-', *p->cluster, '\0' };
	const struct opt *o = find_short(p->command->options,
	    (unsigned char)*p->cluster);
	const char *rest = p->cluster + 1;

	p->cluster = *rest != '\0' ? rest : NULL;
	if (o == NULL && shown[1] == 'h') {
		opt_print_help(stdout, p->command);
		return OPT_HELP;
	}
	if (o == NULL)
		return shm_usage_error("unknown option '%s'", shown),
		    OPT_ERROR;
	if (o->kind == OPT_FLAG)
		return o->key;
	p->cluster = NULL;
	return take_value(p, o, rest, shown);
}

int
opt_next(struct opt_parser *p)
{
	char *word;

	if (p->cluster != NULL)
		return next_short(p);
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
			return next_long(p, word);
		p->cluster = word + 1;
		return next_short(p);
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
opt_color(const char *when, bool *color)
{
	const char *no_color = getenv("NO_COLOR");

	if (when == NULL || strcmp(when, "always") == 0)
		*color = true;
	else if (strcmp(when, "auto") == 0)
		*color = isatty(STDOUT_FILENO) &&
		    (no_color == NULL || *no_color == '\0');
	else if (strcmp(when, "never") == 0)
		*color = false;
	else
		return opt_bad_value("--color", when, "not auto, always or "
		    "never");
	return SHM_OK;
}

int
opt_bad_value(const char *what, const char *text, const char *reason)
{
	return shm_usage_error("%s '%s': %s", what, text, reason);
}

/*
 * --help's option lines: "  -x, --name VALUE  help", the help wrapped
 * to OPT_WIDTH in a column of its own.  The column is as far right as
 * the longest name up to OPT_NAMES_MAX wide: a longer one runs into it,
 * and its help starts two spaces after it.
 */
#define OPT_WIDTH	77
#define OPT_NAMES_MAX	21

/* "-x, --name VALUE", "    --name[=VALUE]", "-x VALUE" into buf. */
static int
format_names(char *buf, size_t size, const struct opt *o)
{
	const char *value = o->kind == OPT_FLAG ? NULL : o->value;
	char letter[5] = "    ";	/* "-x, " or as wide, blank */

	if (o->key < OPT_LONG)
		snprintf(letter, sizeof(letter), "-%c%s", o->key,
		    o->name != NULL ? ", " : "");
	return snprintf(buf, size, "%s%s%s%s%s%s", letter,
	    o->name != NULL ? "--" : "", o->name != NULL ? o->name : "",
	    value == NULL ? "" : o->kind == OPT_MAYBE ? "[=" : " ",
	    value != NULL ? value : "",
	    value != NULL && o->kind == OPT_MAYBE ? "]" : "");
}

/*
 * Text from column at, wrapped before OPT_WIDTH, indented to col.  The
 * spaces between words stay as they are (two after a full stop) but
 * where a line ends.
 */
static void
print_wrapped(FILE *fp, const char *text, int at, int col)
{
	size_t len, gap = 0;

	while (*text != '\0') {
		len = strcspn(text, " ");
		if (at > col && at + (int)(gap + len) > OPT_WIDTH) {
			fprintf(fp, "\n%*s", col, "");
			at = col;
		} else
			at += fprintf(fp, "%*s", (int)gap, "");
		at += fprintf(fp, "%.*s", (int)len, text);
		gap = strspn(text + len, " ");
		text += len + gap;
	}
	fputc('\n', fp);
}

void
opt_print_help(FILE *fp, const struct opt_command *c)
{
	const struct opt *o;
	char names[128];
	int col = 0, n, pad;

	fputs(c->usage, fp);
	for (o = c->options; o->key != 0; o++)
		if ((n = format_names(names, sizeof(names), o)) <=
		    OPT_NAMES_MAX && n > col)
			col = n;
	if (c->options->key != 0)
		fputc('\n', fp);
	/* Two spaces before the names, two after. */
	col += 4;
	for (o = c->options; o->key != 0; o++) {
		n = 2 + format_names(names, sizeof(names), o);
		pad = n + 2 <= col ? col - n : 2;
		fprintf(fp, "  %s%*s", names, pad, "");
		print_wrapped(fp, o->help, n + pad, col);
	}
	if (c->more != NULL)
		fputs(c->more, fp);
}

static const char *const kinds[] = { "flag", "value", "maybe", "list" };

void
opt_print_table(FILE *fp, const char *name, const struct opt_command *c)
{
	const struct opt *o;
	const char *v;
	size_t len;
	int i;

	for (o = c->options; o->key != 0; o++) {
		if (o->key < OPT_LONG)
			fprintf(fp, "%s\toption\t-%c", name, o->key);
		else
			fprintf(fp, "%s\toption\t-", name);
		fprintf(fp, "\t%s%s\t%s\t%s\t%s\t%s\n",
		    o->name != NULL ? "--" : "-",
		    o->name != NULL ? o->name : "", kinds[o->kind],
		    o->value != NULL ? o->value : "-",
		    o->values != NULL ? o->values : "-", o->help);
	}
	for (i = 0; i < OPT_OPERANDS && (v = c->operands[i]) != NULL; i++) {
		len = strlen(v);
		if (len > 3 && strcmp(v + len - 3, "...") == 0)
			fprintf(fp, "%s\toperand\t%d+\t%.*s\n", name, i + 1,
			    (int)(len - 3), v);
		else
			fprintf(fp, "%s\toperand\t%d\t%s\n", name, i + 1, v);
	}
}
