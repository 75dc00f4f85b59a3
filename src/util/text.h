/*
 * text.h - bytes from outside (names, values, file contents) made safe
 * to print: one line, nothing a terminal would act on, valid UTF-8.
 */
#ifndef SHM_TEXT_H
#define SHM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 if none. */
size_t	text_utf8_len(const unsigned char *p, size_t avail);

/*
 * Copies s into dst (dstsize > 0, always terminated) with control
 * bytes (C0, DEL, C1) and bytes that are not UTF-8 written as \n, \t,
 * \r or \xHH, so the result is one line.  With backslash, a backslash
 * is written \\ too, so the line is unambiguous for a program to read
 * back; messages for people leave it alone.  Stops before an escape
 * that would not fit.  Returns dst's length.
 */
size_t	text_escape(char *dst, size_t dstsize, const char *s, size_t len,
	    bool backslash);

/* The unambiguous escaping (backslash too), straight to fp. */
void	text_print(FILE *fp, const char *s);

#endif
