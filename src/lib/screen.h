/*
 * screen.h - shm watch's live view on a terminal: the range as
 * hexdump -C shows it, the bytes that changed highlighted and fading.
 */
#ifndef SHM_SCREEN_H
#define SHM_SCREEN_H

#include <stdbool.h>
#include <stdint.h>

#include "seg/map.h"

/*
 * Watches [offset, +length) of seg (as watching_run takes them) on the
 * terminal of standard output until 'q', the time is up, max changes
 * (0: no bound), a signal, or the name goes (whose last line is printed
 * once the terminal is given back).  color: colours, else reverse
 * video.  SHM_OK, *changed false if the time ran out with nothing
 * changed; or an error, said once the terminal is given back.  A
 * signal caught is sent again then.
 */
int	screen_run(struct segment *, const char *offset, uint64_t length,
	    double timeout, long interval_ns, uint64_t max, bool color,
	    bool *changed);

#endif
