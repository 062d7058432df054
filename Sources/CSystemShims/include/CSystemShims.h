#ifndef C_SYSTEM_SHIMS_H
#define C_SYSTEM_SHIMS_H

#include <spawn.h>

/// Fixes glibc's mmap threshold at `bytes` (no dynamic raising), so freed large buffers go back to the
/// system at once. Returns 1 on success, 0 where the C library has no such setting.
int stratus_set_mmap_threshold(int bytes);

/// pipe2(fds, O_CLOEXEC): a pipe whose ends no child inherits unless it is dup2'ed into place.
int stratus_pipe_cloexec(int fds[2]);

/// Adds "close every descriptor from `from` on" to spawn file actions (glibc 2.34+); ENOSYS elsewhere.
int stratus_spawn_file_actions_close_from(posix_spawn_file_actions_t *actions, int from);

#endif
