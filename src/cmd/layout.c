/* cmd/layout.c - print a layout as C, Python or numpy declare it */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "fmt/codegen.h"
#include "lib/fields.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm layout LAYOUT | --layout FILE --c | --python | --numpy\n"
"                  [--name TYPE]\n"
"\n"
"Print the layout for a program of the other side, with the offsets\n"
"and the size struct.calcsize gives: a C struct of fixed-width types\n"
"with a _Static_assert of each offset and of its size; Python's struct\n"
"format with a namedtuple and unpack and pack_into functions; a numpy\n"
"dtype with names, formats, offsets and itemsize.\n";

enum { OPT_LAYOUT = OPT_LONG, OPT_C, OPT_PYTHON, OPT_NUMPY, OPT_NAME };

static const struct opt options[] = {
	{ OPT_LAYOUT, "layout", OPT_VALUE, "FILE", "the LAYOUT in FILE",
	    OPT_FILE },
	{ OPT_C, "c", OPT_FLAG, NULL, "print a C struct", NULL },
	{ OPT_PYTHON, "python", OPT_FLAG, NULL,
	    "print Python's struct format and a namedtuple", NULL },
	{ OPT_NUMPY, "numpy", OPT_FLAG, NULL, "print a numpy dtype", NULL },
	{ OPT_NAME, "name", OPT_VALUE, "TYPE",
	    "the name of the struct, namedtuple or dtype (default record)",
	    NULL },
	{ 0 },
};

const struct opt_command layout_help = {
	usage, options, FIELDS_HELP, { NULL }
};

struct layout_args {
	const char	*text;		/* LAYOUT, or NULL */
	const char	*file;		/* --layout FILE */
	int		 lang;		/* OPT_C, OPT_PYTHON or OPT_NUMPY */
	const char	*name;
};

static int
parse_args(int argc, char **argv, struct layout_args *a)
{
	struct opt_parser p;
	int c;

	opt_init(&p, argc, argv, &layout_help);
	while ((c = opt_next(&p)) != OPT_END) {
		switch (c) {
		case OPT_LAYOUT: a->file = p.arg; break;
		case OPT_C: case OPT_PYTHON: case OPT_NUMPY:
			if (a->lang != 0 && a->lang != c)
				return shm_usage_error("one of --c, --python "
				    "and --numpy");
			a->lang = c;
			break;
		case OPT_NAME: a->name = p.arg; break;
		default: return opt_stop(c);
		}
	}
	if (opt_operands(&p, a->file != NULL ? 0 : 1, a->file != NULL ? 0 :
	    1, "LAYOUT") != SHM_OK)
		return SHM_FAIL;
	if (a->lang == 0)
		return shm_usage_error("missing --c, --python or --numpy");
	if (strspn(a->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
	    "VWXYZ_0123456789") != strlen(a->name) || *a->name == '\0' ||
	    (*a->name >= '0' && *a->name <= '9'))
		return opt_bad_value("--name", a->name, "not an identifier");
	a->text = a->file != NULL ? a->file : p.argv[0];
	return SHM_OK;
}

/* Names the other side cannot take, and a layout of nothing. */
static int
check_names(const struct layout *l, int lang)
{
	const struct layout_field *f;
	const char *why;

	if (l->nfields == 0)
		return shm_error(NULL, "the layout has no items");
	if (lang != OPT_NUMPY &&
	    (why = codegen_refuses(l, lang == OPT_PYTHON, &f)) != NULL)
		return shm_error(NULL, "%s: %s", f->item, why);
	return SHM_OK;
}

int
cmd_layout(int argc, char **argv)
{
	struct layout_args a = { .name = "record" };
	struct layout l;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != SHM_OK ||
	    (rc = fields_load(a.file != NULL ? NULL : a.text, a.file, &l)) !=
	    SHM_OK)
		return rc;
	if ((rc = check_names(&l, a.lang)) != SHM_OK) {
		layout_free(&l);
		return rc;
	}
	if (a.lang == OPT_C)
		codegen_c(stdout, &l, a.name, a.text);
	else if (a.lang == OPT_PYTHON)
		codegen_python(stdout, &l, a.name, a.text);
	else
		codegen_numpy(stdout, &l, a.name, a.text);
	layout_free(&l);
	return shm_flush_output();
}
