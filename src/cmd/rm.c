/* cmd/rm.c - remove segments (shm_unlink, or unlink for files) */
#include <sys/stat.h>

#include "cmd/commands.h"
#include "lib/cursor.h"
#include "seg/map.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm rm [-f] NAME...\n"
"\n"
"Remove each NAME: a POSIX object, or the file a path names.  Programs\n"
"that have it mapped keep their mapping; the name is gone at once.\n";

static const struct opt options[] = {
	{ 'f', "force", OPT_FLAG, NULL,
	    "say nothing of a NAME that does not exist", NULL },
	{ 0 },
};

const struct opt_command rm_help = {
	usage, options, NULL, { OPT_SEGMENT "..." }
};

int
cmd_rm(int argc, char **argv)
{
	struct opt_parser p;
	struct stat gone;
	bool force = false;
	int c, i, rc = SHM_OK;

	opt_init(&p, argc, argv, &rm_help);
	while ((c = opt_next(&p)) != OPT_END) {
		if (c != 'f')
			return opt_stop(c);
		force = true;
	}
	if (p.npos == 0 && !force)
		return shm_usage_error("missing NAME");
	for (i = 0; i < p.npos; i++) {
		if (segment_remove(p.argv[i], force, &gone) != SHM_OK)
			rc = SHM_FAIL;
		else if (gone.st_ino != 0 && cursor_forget(&gone) != SHM_OK)
			rc = SHM_FAIL;
	}
	return rc;
}
