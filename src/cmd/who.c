/* cmd/who.c - the processes that map a segment, hold it open or lock it */
#include <stdio.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "fmt/facts.h"
#include "fmt/json.h"
#include "seg/map.h"
#include "util/opt.h"
#include "util/shm.h"
#include "util/text.h"
#include "lib/users.h"

static const char usage[] =
"usage: shm who [-H] [--json] NAME\n"
"\n"
"List the processes that use NAME, one a line: pid, user, command, and\n"
"how: its mapped ranges as offsets in NAME, with their protection and\n"
"p (private) or s (shared); its descriptors on NAME; its lock, held or\n"
"waited for.  Exit 1 when nobody uses NAME.  Processes that could not\n"
"be inspected are counted on standard error, by reason; for any reason\n"
"but permission, the exit status is 2.\n";

static const struct opt options[] = {
	{ 'H', "header", OPT_FLAG, NULL,
	    "print the header line even into a pipe", NULL },
	{ 'j', "json", OPT_FLAG, NULL,
	    "print a JSON array of processes instead", NULL },
	{ 0 },
};

const struct opt_command who_help = {
	usage, options, NULL, { OPT_SEGMENT }
};

static void
print_text(const struct user_process *u, const char *owner, const char *cmd)
{
	const char *sep = "";
	int i;

	printf("%ld\t", u->pid);
	text_print(stdout, owner);
	putchar('\t');
	text_print(stdout, cmd);
	putchar('\t');
	for (i = 0; i < u->nmaps; i++, sep = ", ")
		printf("%smap %llu-%llu %s", sep,
		    (unsigned long long)u->maps[i].off,
		    (unsigned long long)(u->maps[i].off + u->maps[i].len),
		    u->maps[i].perms);
	if (u->more_maps > 0)
		printf(" (and %d more)", u->more_maps);
	for (i = 0; i < u->nfds; i++, sep = ", ")
		printf("%s%s%d", sep, i == 0 ? "fd " : "", u->fds[i]);
	if (u->lock[0] != '\0')
		printf("%slock %s", sep, u->lock);
	putchar('\n');
}

static void
print_json(const struct user_process *u, const char *owner, const char *cmd,
    bool first)
{
	int i;

	printf("%s\n  {\"pid\": %ld, \"user\": ", first ? "[" : ",", u->pid);
	json_string(stdout, owner);
	fputs(", \"command\": ", stdout);
	json_string(stdout, cmd);
	fputs(", \"maps\": [", stdout);
	for (i = 0; i < u->nmaps; i++)
		printf("%s{\"offset\": %llu, \"length\": %llu, \"prot\": "
		    "\"%.3s\", \"shared\": %s}", i ? ", " : "",
		    (unsigned long long)u->maps[i].off,
		    (unsigned long long)u->maps[i].len, u->maps[i].perms,
		    u->maps[i].perms[3] == 's' ? "true" : "false");
	fputs("], \"fds\": [", stdout);
	for (i = 0; i < u->nfds; i++)
		printf("%s%d", i ? ", " : "", u->fds[i]);
	fputs("], \"lock\": ", stdout);
	if (u->lock[0] != '\0')
		json_string(stdout, u->lock);
	else
		fputs("null", stdout);
	putchar('}');
}

struct show {
	bool	 json, header;
	int	 shown;
};

static int
show_user(void *ctx, const struct user_process *u)
{
	struct show *sh = ctx;
	char owner[64], cmd[256];

	facts_user(owner, sizeof(owner), u->uid);
	facts_command(cmd, sizeof(cmd), u->pid);
	if (sh->json)
		print_json(u, owner, cmd, sh->shown == 0);
	else {
		if (sh->shown == 0 && sh->header)
			puts("PID\tUSER\tCOMMAND\tUSES");
		print_text(u, owner, cmd);
	}
	sh->shown++;
	return SHM_OK;
}

int
cmd_who(int argc, char **argv)
{
	struct show sh = { false, false, 0 };
	struct opt_parser p;
	struct segment seg;
	struct users_missed missed;
	int c, rc;

	sh.header = isatty(STDOUT_FILENO);
	opt_init(&p, argc, argv, &who_help);
	while ((c = opt_next(&p)) != OPT_END) {
		if (c == 'H')
			sh.header = true;
		else if (c == 'j')
			sh.json = true;
		else
			return opt_stop(c);
	}
	if (opt_operands(&p, 1, 1, "NAME") != SHM_OK ||
	    (rc = segment_lookup(&seg, p.argv[0])) != SHM_OK)
		return SHM_FAIL;
	rc = users_scan(&seg.st, show_user, &sh, &missed);
	segment_close(&seg);
	if (rc != SHM_OK)
		return rc;
	if (sh.json)
		puts(sh.shown == 0 ? "[]" : "\n]");
	/* Only permission hides a user as by design: the rest is failure. */
	if (!users_say_missed(seg.name, &missed))
		return SHM_FAIL;
	return sh.shown > 0 ? SHM_OK : SHM_NOMATCH;
}
