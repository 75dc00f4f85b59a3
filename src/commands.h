/* commands.h - the commands main.c dispatches to */
#ifndef SHM_COMMANDS_H
#define SHM_COMMANDS_H

/* Each returns its exit status, or SHM_DONE after --help. */
int	cmd_create(int, char **);
int	cmd_dump(int, char **);
int	cmd_find(int, char **);
int	cmd_flush(int, char **);
int	cmd_list(int, char **);
int	cmd_lock(int, char **);
int	cmd_move(int, char **);
int	cmd_read(int, char **);
int	cmd_resize(int, char **);
int	cmd_rm(int, char **);
int	cmd_seek(int, char **);
int	cmd_stat(int, char **);
int	cmd_wait(int, char **);
int	cmd_who(int, char **);
int	cmd_write(int, char **);

#endif
