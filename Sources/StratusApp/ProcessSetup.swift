import CSystemShims

/// Process-wide settings made once at start, before any service runs.
public enum ProcessSetup {
    /// Makes glibc hand large buffers (image data chunks of 256 KiB) straight back to the system when freed.
    ///
    /// By default glibc raises its mmap threshold after the first large free, so later chunks come from
    /// per-thread arenas that keep what is freed: downloading a 1 GiB image grew the process by 43–60 MiB
    /// (up to 114 MiB seen); with a fixed threshold, 9–16 MiB (scripts/bench-image-memory.sh).
    public static func configureAllocator() {
        _ = stratus_set_mmap_threshold(128 * 1024)
    }
}
