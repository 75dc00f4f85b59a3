/*
 * codegen.c - a layout for the other side: a C struct, Python's
 * struct format with a namedtuple, a numpy dtype.
 *
 * Each states the offsets and the size it was made for, so that a
 * compiler or an interpreter that lays the record out otherwise says
 * so instead of reading the wrong bytes: C by a _Static_assert of
 * every offsetof and of sizeof, Python by asserting calcsize.
 */
#include <string.h>

#include "fmt/codegen.h"

/* The layout as given, on one line that ends no comment. */
static void
print_text(FILE *fp, const char *text)
{
	for (; *text != '\0'; text++) {
		if ((unsigned char)*text < ' ' || *text == 0x7f)
			fputc(' ', fp);
		else if (text[0] == '*' && text[1] == '/')
			fputs("* ", fp);
		else
			fputc(*text, fp);
	}
}

/* An unnamed item's name where one is needed: "_3". */
static void
name_of(const struct layout *l, const struct layout_field *f, char *buf,
    size_t len)
{
	const struct layout_field *g;
	size_t n = 0;

	if (f->name != NULL) {
		snprintf(buf, len, "%s", f->name);
		return;
	}
	/* As namedtuple's rename=True names it: its place among values. */
	for (g = l->fields; g < f; g++)
		n += g->type != LAYOUT_PAD;
	snprintf(buf, len, "_%zu", n);
}

/* The size of one value of the run: 8 for "3Q". */
static size_t
item_size(const struct layout_field *f)
{
	return f->count == 0 ? 0 : f->sf.size / f->count;
}

static bool
is_signed(char code)
{
	return strchr("bhilqn", code) != NULL;
}

static const char *
c_type(const struct layout *l, const struct layout_field *f)
{
	static const char *const ints[2][9] = {
		{ 0, "uint8_t", "uint16_t", 0, "uint32_t", 0, 0, 0,
		    "uint64_t" },
		{ 0, "int8_t", "int16_t", 0, "int32_t", 0, 0, 0, "int64_t" },
	};
	bool native = l->order == '@';

	switch (f->code) {
	case 'x': case 'B': return "uint8_t";
	case 'c': case 's': return "char";
	case 'p': return "unsigned char";
	case '?': return "_Bool";
	case 'e': return "uint16_t";
	case 'f': return "float";
	case 'd': return "double";
	case 'n': return "ssize_t";
	case 'N': return "size_t";
	case 'P': return "void *";
	case 'l': if (native) return "long"; break;
	case 'L': if (native) return "unsigned long"; break;
	default: break;
	}
	return ints[is_signed(f->code)][item_size(f)];
}

static const char *
c_note(const struct layout_field *f)
{
	if (f->code == 'e')
		return "\t/* IEEE half float: convert */";
	if (f->code == 'p')
		return "\t/* Pascal string: length byte first */";
	return "";
}

static void
print_c_member(FILE *fp, const struct layout *l, const struct layout_field *f)
{
	char name[LAYOUT_NAME_MAX + 24];
	const char *type = c_type(l, f);

	name_of(l, f, name, sizeof(name));
	if (f->type == LAYOUT_PAD)
		fprintf(fp, "\tuint8_t\t_pad%zu[%zu];\n", f->offset, f->count);
	else if (f->count == 1 && f->code != 's' && f->code != 'p')
		fprintf(fp, "\t%s%s%s;%s\n", type,
		    type[strlen(type) - 1] == '*' ? "" : "\t", name, c_note(f));
	else
		fprintf(fp, "\t%s%s%s[%zu];%s\n", type,
		    type[strlen(type) - 1] == '*' ? "" : "\t", name, f->count,
		    c_note(f));
}

static const char *
c_order_note(char order)
{
	switch (order) {
	case '<':
		return "little-endian: a big-endian host converts every field "
		    "of more than one byte (le16toh, le32toh, le64toh)";
	case '>':
	case '!':
		return "big-endian: C cannot say so; a little-endian host "
		    "converts every field of more than one byte (be16toh, "
		    "be32toh, be64toh)";
	default:
		return "the host's byte order";
	}
}

void
codegen_c(FILE *fp, const struct layout *l, const char *type,
    const char *text)
{
	const struct layout_field *f;
	char name[LAYOUT_NAME_MAX + 24];
	bool packed = l->order != '@';
	size_t i;

	fprintf(fp, "/* shm layout: ");
	print_text(fp, text);
	fprintf(fp, " */\n/* %s. */\n", c_order_note(l->order));
	fprintf(fp, "#include <stddef.h>\n#include <stdint.h>\n");
	fprintf(fp, "#include <sys/types.h>\n\n");
	fprintf(fp, "struct %s {\n", type);
	for (i = 0; i < l->nfields; i++)
		if (l->fields[i].count > 0)
			print_c_member(fp, l, &l->fields[i]);
	fprintf(fp, "}%s;\n\n", packed ? " __attribute__((packed))" : "");
	for (i = 0; i < l->nfields; i++) {
		f = &l->fields[i];
		if (f->count == 0 || f->type == LAYOUT_PAD)
			continue;
		name_of(l, f, name, sizeof(name));
		fprintf(fp, "_Static_assert(offsetof(struct %s, %s) == %zu, "
		    "\"%s\");\n", type, name, f->offset, name);
	}
	if (packed)
		fprintf(fp, "_Static_assert(sizeof(struct %s) == %zu, "
		    "\"size\");\n", type, l->sf.size);
	else	/* C rounds its size up to its alignment; struct does not. */
		fprintf(fp, "_Static_assert(sizeof(struct %s) == (%zu + "
		    "_Alignof(struct %s) - 1) / _Alignof(struct %s) * "
		    "_Alignof(struct %s), \"size\");\n", type, l->sf.size,
		    type, type, type);
	fprintf(fp, "/* The layout's size: struct.calcsize. */\n#define ");
	for (; *type != '\0'; type++)
		fputc(*type >= 'a' && *type <= 'z' ? *type - 'a' + 'A' : *type,
		    fp);
	fprintf(fp, "_SIZE %zu\n", l->sf.size);
}

/* A field is one Python value, or a tuple of n (None: one value). */
static bool
is_scalar(const struct layout_field *f)
{
	return f->count == 1 || f->code == 's' || f->code == 'p';
}

static void
print_names(FILE *fp, const struct layout *l)
{
	char name[LAYOUT_NAME_MAX + 24];
	const char *sep = "";
	size_t i;

	for (i = 0; i < l->nfields; i++) {
		if (l->fields[i].type == LAYOUT_PAD)
			continue;
		name_of(l, &l->fields[i], name, sizeof(name));
		fprintf(fp, "%s'%s'", sep, name);
		sep = ", ";
	}
}

static void
print_shape(FILE *fp, const struct layout *l)
{
	const struct layout_field *f;
	const char *sep = "";
	size_t i, n = 0;

	for (i = 0; i < l->nfields; i++) {
		f = &l->fields[i];
		if (f->type == LAYOUT_PAD)
			continue;
		if (is_scalar(f))
			fprintf(fp, "%sNone", sep);
		else
			fprintf(fp, "%s%zu", sep, f->sf.count);
		sep = ", ";
		n++;
	}
	fputs(n == 1 ? "," : "", fp);
}

static const char python_code[] =
"\n\n"
"def unpack(buf, offset=0):\n"
"    flat = struct.unpack_from(FORMAT, buf, offset)\n"
"    values, i = [], 0\n"
"    for n in _SHAPE:\n"
"        values.append(flat[i] if n is None else flat[i:i + n])\n"
"        i += 1 if n is None else n\n"
"    return %s(*values)\n"
"\n\n"
"def pack_into(buf, offset, values):\n"
"    flat = []\n"
"    for n, value in zip(_SHAPE, values):\n"
"        flat.extend([value] if n is None else value)\n"
"    struct.pack_into(FORMAT, buf, offset, *flat)\n";

void
codegen_python(FILE *fp, const struct layout *l, const char *type,
    const char *text)
{
	fprintf(fp, "# shm layout: ");
	print_text(fp, text);
	fprintf(fp, "\nimport struct\n");
	fprintf(fp, "from collections import namedtuple\n\n");
	fprintf(fp, "FORMAT = '%s'\nSIZE = %zu\n", l->format, l->sf.size);
	fprintf(fp, "assert struct.calcsize(FORMAT) == SIZE\n");
	fprintf(fp, "%s = namedtuple('%s', [", type, type);
	print_names(fp, l);
	fprintf(fp, "], rename=True)\n");
	fprintf(fp, "# Each field's values: None for one, n for a tuple "
	    "of n.\n");
	fprintf(fp, "_SHAPE = (");
	print_shape(fp, l);
	fprintf(fp, ")\n");
	fprintf(fp, python_code, type);
}

/* numpy's name for one value's type: "<u8", "S16", "?". */
static void
numpy_type(const struct layout *l, const struct layout_field *f, char *buf,
    size_t len)
{
	char order = l->order == '<' ? '<' : l->order == '@' ||
	    l->order == '=' ? '=' : '>';

	if (f->code == 's')
		snprintf(buf, len, "S%zu", f->count);
	else if (f->code == 'p')
		snprintf(buf, len, "V%zu", f->count);
	else if (f->code == 'c')
		snprintf(buf, len, "S1");
	else if (f->code == '?')
		snprintf(buf, len, "?");
	else if (f->type == LAYOUT_FLOAT)
		snprintf(buf, len, "%cf%zu", order, item_size(f));
	else
		snprintf(buf, len, "%c%c%zu", order, is_signed(f->code) ?
		    'i' : 'u', item_size(f));
}

/* Fields of no bytes ("0i") and padding are left out: numpy has none. */
static bool
numpy_has(const struct layout_field *f)
{
	return f->type != LAYOUT_PAD && f->sf.size > 0;
}

void
codegen_numpy(FILE *fp, const struct layout *l, const char *type,
    const char *text)
{
	const struct layout_field *f;
	char t[LAYOUT_NAME_MAX + 24];
	const char *sep = "";
	size_t i;

	fprintf(fp, "# shm layout: ");
	print_text(fp, text);
	fprintf(fp, "\nimport numpy as np\n\n");
	fprintf(fp, "%s = np.dtype({\n    'names': [", type);
	for (i = 0; i < l->nfields; i++) {
		if (!numpy_has(f = &l->fields[i]))
			continue;
		name_of(l, f, t, sizeof(t));
		fprintf(fp, "%s'%s'", sep, t);
		sep = ", ";
	}
	fprintf(fp, "],\n    'formats': [");
	for (sep = "", i = 0; i < l->nfields; i++) {
		if (!numpy_has(f = &l->fields[i]))
			continue;
		numpy_type(l, f, t, sizeof(t));
		if (is_scalar(f))
			fprintf(fp, "%s'%s'", sep, t);
		else
			fprintf(fp, "%s'(%zu,)%s'", sep, f->count, t);
		sep = ", ";
	}
	fprintf(fp, "],\n    'offsets': [");
	for (sep = "", i = 0; i < l->nfields; i++) {
		if (!numpy_has(f = &l->fields[i]))
			continue;
		fprintf(fp, "%s%zu", sep, f->offset);
		sep = ", ";
	}
	fprintf(fp, "],\n    'itemsize': %zu,\n})\n", l->sf.size);
}

static bool
is_word(const char *words, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = words; (p = strstr(p, name)) != NULL; p += len)
		if ((p == words || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

const char *
codegen_refuses(const struct layout *l, bool python,
    const struct layout_field **bad)
{
	static const char c_words[] = "auto break case char const continue "
	    "default do double else enum extern float for goto if inline int "
	    "long register restrict return short signed sizeof static struct "
	    "switch typedef union unsigned void volatile while _Alignas "
	    "_Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn "
	    "_Static_assert _Thread_local";
	static const char python_words[] = "False None True and as assert "
	    "async await break class continue def del elif else except "
	    "finally for from global if import in is lambda nonlocal not or "
	    "pass raise return try while with yield";
	size_t i;

	for (i = 0; i < l->nfields; i++) {
		*bad = &l->fields[i];
		if ((*bad)->name == NULL)
			continue;
		if (!python && is_word(c_words, (*bad)->name))
			return "a keyword of C";
		if (python && is_word(python_words, (*bad)->name))
			return "a keyword of Python";
		if (python && (*bad)->name[0] == '_')
			return "namedtuple takes no name that starts with '_'";
	}
	return NULL;
}
