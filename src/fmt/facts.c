/* facts.c - the shared text forms of stat's and list's fields */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt/facts.h"

void
facts_time(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
}

void
facts_user(char *buf, size_t size, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "%lu", (unsigned long)uid);
}

void
facts_command(char *buf, size_t size, long pid)
{
	char path[64];
	size_t n, i;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	buf[0] = '\0';
	if ((fp = fopen(path, "re")) == NULL)
		return;
	n = fread(buf, 1, size - 1, fp);
	fclose(fp);
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	/* A kernel thread has no command line: its name, as ps shows it. */
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (n == 0 && (fp = fopen(path, "re")) != NULL) {
		if (fgets(buf + 1, (int)size - 2, fp) != NULL) {
			buf[0] = '[';
			buf[strcspn(buf, "\n")] = '\0';
			strncat(buf, "]", size - strlen(buf) - 1);
		}
		fclose(fp);
	}
}

void
facts_group(char *buf, size_t size, gid_t gid)
{
	struct group *gr = getgrgid(gid);

	if (gr != NULL)
		snprintf(buf, size, "%s", gr->gr_name);
	else
		snprintf(buf, size, "%lu", (unsigned long)gid);
}
