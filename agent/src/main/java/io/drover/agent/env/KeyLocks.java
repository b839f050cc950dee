package io.drover.agent.env;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock file per cache key ({@code <key>.lock}), shared by every agent process on the machine:
 * tasks using an environment hold it shared, a build or an eviction holds it exclusive. So an
 * environment in use by any agent is never evicted, and two agents never build one key at once.
 * A JVM may hold only one lock per file, so this process's users of a key share one shared lock
 * (counted), and every lock operation on a key is serialised on that key's mutex.
 */
final class KeyLocks {
    private final Path dir;
    private final ConcurrentHashMap<String, Holder> holders = new ConcurrentHashMap<>();

    private static final class Holder {
        final ReentrantLock mutex = new ReentrantLock();
        int users;
        FileChannel channel;
        FileLock lock;
    }

    KeyLocks(Path dir) {
        this.dir = dir;
    }

    private Holder holder(String key) {
        return holders.computeIfAbsent(key, k -> new Holder());
    }

    private FileChannel open(String key) throws IOException {
        return FileChannel.open(dir.resolve(key + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); // READ: a shared lock needs it
    }

    /** Marks the key in use; waits while another process builds or evicts it. */
    void acquireShared(String key) throws IOException {
        Holder h = holder(key);
        h.mutex.lock();
        try {
            if (h.users == 0) {
                FileChannel ch = open(key);
                try {
                    h.lock = ch.lock(0, Long.MAX_VALUE, true);
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
                h.channel = ch;
            }
            h.users++;
        } finally {
            h.mutex.unlock();
        }
    }

    void releaseShared(String key) {
        Holder h = holder(key);
        h.mutex.lock();
        try {
            if (h.users == 0) return;
            if (--h.users == 0) {
                try {
                    h.channel.close(); // releases the lock
                } catch (IOException ignored) {
                    // the lock goes with the channel either way
                }
                h.channel = null;
                h.lock = null;
            }
        } finally {
            h.mutex.unlock();
        }
    }

    int users(String key) {
        Holder h = holders.get(key);
        if (h == null) return 0;
        h.mutex.lock();
        try {
            return h.users;
        } finally {
            h.mutex.unlock();
        }
    }

    @FunctionalInterface
    interface Locked<T> {
        T run() throws IOException, EnvBuildException, InterruptedException;
    }

    /** Runs {@code action} holding the key exclusively, waiting for other processes. */
    <T> T exclusive(String key, Locked<T> action) throws IOException, EnvBuildException, InterruptedException {
        Holder h = holder(key);
        h.mutex.lock();
        try {
            if (h.users > 0) throw new EnvBuildException("the environment " + key + " is in use by a running task and cannot be rebuilt now");
            try (FileChannel ch = open(key); FileLock ignored = ch.lock()) {
                return action.run();
            }
        } finally {
            h.mutex.unlock();
        }
    }

    /** Runs {@code action} holding the key exclusively if nobody (here or in another agent) uses it; false: in use. */
    boolean tryExclusive(String key, Locked<?> action) throws IOException, EnvBuildException, InterruptedException {
        Holder h = holder(key);
        if (!h.mutex.tryLock()) return false; // being built or acquired by this process right now
        try {
            if (h.users > 0) return false;
            try (FileChannel ch = open(key)) {
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    return false;
                }
                if (lock == null) return false;
                try (lock) {
                    action.run();
                    return true;
                }
            }
        } finally {
            h.mutex.unlock();
        }
    }
}
