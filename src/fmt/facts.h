/* facts.h - a file's owner, group and times as stat and list show them */
#ifndef SHM_FACTS_H
#define SHM_FACTS_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

/* UTC, ISO 8601, to the second: "2026-11-29T13:41:00Z". */
void	facts_time(char *buf, size_t size, time_t t);
/* The user's or group's name, or its number when it has none. */
void	facts_user(char *buf, size_t size, uid_t uid);
void	facts_group(char *buf, size_t size, gid_t gid);
/* Process pid's command line, its words joined by spaces; "" if gone. */
void	facts_command(char *buf, size_t size, long pid);

#endif
