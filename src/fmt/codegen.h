/* codegen.h - a layout as C, Python and numpy declare it */
#ifndef SHM_CODEGEN_H
#define SHM_CODEGEN_H

#include <stdbool.h>
#include <stdio.h>

#include "fmt/layout.h"

/*
 * Each prints a program's declaration of the layout l, named type,
 * with a comment quoting text (the layout as given).
 */
void	codegen_c(FILE *, const struct layout *l, const char *type,
	    const char *text);
void	codegen_python(FILE *, const struct layout *l, const char *type,
	    const char *text);
void	codegen_numpy(FILE *, const struct layout *l, const char *type,
	    const char *text);
/*
 * NULL, or why C (python false) or Python (true) cannot name a field
 * of l as it is named, with *bad the field: a keyword of the language,
 * or, for a namedtuple, a name that starts with '_'.
 */
const char *codegen_refuses(const struct layout *l, bool python,
	    const struct layout_field **bad);

#endif
