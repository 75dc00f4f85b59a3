/* codegen.h - a layout as C, Python and numpy declare it */
#ifndef SHM_CODEGEN_H
#define SHM_CODEGEN_H

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

#endif
