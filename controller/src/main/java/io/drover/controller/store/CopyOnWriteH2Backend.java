package io.drover.controller.store;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * mongo-java-server's H2 backend, made safe for concurrent clients: a stored document is never
 * changed in place once stored.
 *
 * <p>Why: the library answers a query with the very {@code Document} instances its map holds and
 * encodes that answer (netty, after the collection lock is released), while an update on another
 * connection changes the stored instance in place (fields removed, then put). The encoder then
 * failed with a {@code ConcurrentModificationException} (the client lost its connection, possibly
 * after its write was applied: 7 times in the 20,000-task cluster run), or sent a half-updated
 * document; H2's commit also serialises those same instances.
 *
 * <p>How: an update (findAndModify, update) now works on a shallow copy of the document it
 * matched, and the library stores that copy in place of the old instance
 * ({@code H2Collection.handleUpdate} puts the updated document): whatever an answer or a commit
 * holds is never touched again, and reads cost nothing extra. A shallow copy suffices because the
 * library never changes nested values in place (an update builds its result from a deep clone,
 * then puts the top-level values across). The map names are the library's own, so existing store
 * files open unchanged.
 */
public class CopyOnWriteH2Backend extends H2Backend {

    public CopyOnWriteH2Backend(MVStore mv) {
        super(mv); // opens the databases already in the file, through openOrCreateDatabase below
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName);
    }

    /** Inner (not static): its collections are opened in the super constructor and need the store. */
    private final class Database extends H2Database {
        Database(String name) {
            super(name, getMvStore(), getCursorRegistry());
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            // the same map names as H2Database.openOrCreateCollection (mongo-java-server 1.47)
            String ns = getFullCollectionNamespace(collectionName);
            MVMap<Object, Document> data = getMvStore().openMap("databases." + ns);
            MVMap<String, Object> meta = getMvStore().openMap("meta." + ns);
            return new Collection(this, collectionName, options, data, meta, cursorRegistry);
        }
    }

    /** Updates work on copies: see the class comment. */
    static final class Collection extends H2Collection {
        /** True while an update looks up its documents; guarded by the collection lock (this). */
        private boolean updating;

        Collection(MongoDatabase db, String name, CollectionOptions options, MVMap<Object, Document> data,
                   MVMap<String, Object> meta, CursorRegistry cursors) {
            super(db, name, options, data, meta, cursors);
        }

        @Override
        public synchronized Document findAndModify(Document query) {
            updating = true;
            try {
                return super.findAndModify(query);
            } finally {
                updating = false;
            }
        }

        @Override
        public synchronized Document updateDocuments(Document selector, Document update, ArrayFilters arrayFilters,
                                                     boolean isMulti, boolean isUpsert, Oplog oplog) {
            updating = true;
            try {
                return super.updateDocuments(selector, update, arrayFilters, isMulti, isUpsert, oplog);
            } finally {
                updating = false;
            }
        }

        /** Every lookup ends here, under the collection lock: an update's get copies. */
        @Override
        protected QueryResult createQueryResult(List<Document> matched, int batchSize) {
            if (!updating) return super.createQueryResult(matched, batchSize);
            List<Document> copies = new ArrayList<>(matched.size());
            for (Document d : matched) copies.add(new Document(d));
            return super.createQueryResult(copies, batchSize);
        }
    }
}
