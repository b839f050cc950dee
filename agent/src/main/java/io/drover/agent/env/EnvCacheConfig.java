package io.drover.agent.env;

/**
 * Limits of the environment cache.
 *
 * @param maxEntries most environments kept (least recently used go first); at least 1
 * @param minFreeMb  below this much free disk under the cache, least recently used environments
 *                   are removed until there is enough again (or only ones in use are left); 0: no check
 */
public record EnvCacheConfig(int maxEntries, long minFreeMb) {
    public static final int DEFAULT_MAX_ENTRIES = 10;
    public static final long DEFAULT_MIN_FREE_MB = 2048;

    public EnvCacheConfig {
        if (maxEntries < 1) throw new IllegalArgumentException("--env-cache-max must be at least 1 (got " + maxEntries + ")");
        if (minFreeMb < 0) throw new IllegalArgumentException("--env-cache-min-free-mb must not be negative (got " + minFreeMb + ")");
    }

    public static EnvCacheConfig defaults() {
        return new EnvCacheConfig(DEFAULT_MAX_ENTRIES, DEFAULT_MIN_FREE_MB);
    }
}
