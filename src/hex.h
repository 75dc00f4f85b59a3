/* hex.h - hex text to bytes, for -x arguments */
#ifndef SHM_HEX_H
#define SHM_HEX_H

#include <stddef.h>

/*
 * Decodes pairs of hex digits; blanks may separate them ("de ad be ef")
 * and an optional "0x" may lead.  out needs strlen(text) / 2 bytes.
 * Returns NULL, or why the text is not hex.
 */
const char *hex_decode(const char *text, unsigned char *out, size_t *len);

#endif
