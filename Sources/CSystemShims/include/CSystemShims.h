#ifndef C_SYSTEM_SHIMS_H
#define C_SYSTEM_SHIMS_H

/// Fixes glibc's mmap threshold at `bytes` (no dynamic raising), so freed large buffers go back to the
/// system at once. Returns 1 on success, 0 where the C library has no such setting.
int stratus_set_mmap_threshold(int bytes);

#endif
