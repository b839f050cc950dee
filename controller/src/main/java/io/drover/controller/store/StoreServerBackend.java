package io.drover.controller.store;

import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.h2.mvstore.MVStore;

/**
 * The H2 backend of the standalone store, made durable per command: a command that may change
 * data is answered only after a commit that started after it finished, forced to disk (a
 * {@link GroupCommit} shared by all connections), so an acknowledged write survives {@code kill -9}
 * and a power cut. Reads are
 * answered at once. Unknown commands count as writes: a needless commit costs a little
 * latency, a missing one loses data. Its documents are copy-on-write ({@link CopyOnWriteH2Backend}):
 * an answer waiting for its commit is not changed by later writes.
 */
final class StoreServerBackend extends CopyOnWriteH2Backend {

    /** Commands that never change data (lower case). */
    private static final Set<String> READS = Set.of(
            "find", "getmore", "count", "distinct", "listcollections", "listindexes", "listdatabases",
            "ping", "ismaster", "hello", "buildinfo", "getlasterror", "killcursors", "endsessions",
            "serverstatus", "dbstats", "collstats", "whatsmyuri", "getparameter", "getcmdlineopts",
            "getfreemonitoringstatus", "connectionstatus", "hostinfo", "currentop", "getlog",
            "replsetgetstatus", "getnonce", "saslstart", "saslcontinue", "explain");
    /** How long a command waits for its commit before the client gets an error instead. */
    private static final long COMMIT_TIMEOUT_S = 60;

    private final GroupCommit commits;

    StoreServerBackend(MVStore mv) {
        super(mv);
        // commit, then fsync: the acknowledgement then also survives a power cut, and chunks freed
        // by later commits can be reused after a short retention (StoreServer) without risk
        this.commits = new GroupCommit(() -> {
            mv.commit();
            mv.sync();
        });
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        boolean write = changesData(command, query);
        try {
            return super.handleCommand(channel, database, command, query);
        } finally {
            // also after a failed command: an unordered insertMany may have written part of its batch
            if (write) awaitCommit();
        }
    }

    static boolean changesData(String command, Document query) {
        String c = command.toLowerCase(Locale.ROOT);
        if (c.equals("aggregate")) return aggregateWrites(query);
        return !READS.contains(c);
    }

    /** aggregate is a read unless it ends in $out or $merge. */
    static boolean aggregateWrites(Document query) {
        if (!(query.get("pipeline") instanceof List<?> stages)) return false;
        for (Object s : stages) {
            if (s instanceof Document d && (d.containsKey("$out") || d.containsKey("$merge"))) return true;
        }
        return false;
    }

    private void awaitCommit() {
        try {
            commits.sync().get(COMMIT_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to disk; the write may not be durable", e);
        } catch (ExecutionException | TimeoutException e) {
            // the client sees a command error, never a false acknowledgement
            throw new IllegalStateException("the store could not write to disk: " + e.getMessage()
                    + " (check free space and permissions of the data directory)", e);
        }
    }

    @Override
    public void close() {
        commits.close();
        super.close(); // commits and closes the MVStore
    }
}
