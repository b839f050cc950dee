package io.drover.controller.workers;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import java.util.Iterator;
import java.util.Map;
import org.bson.Document;

/** Agent-reported JSON objects (stats, captured) stored as sub-documents. */
public final class Documents {
    private Documents() {}

    /**
     * Converts an object to a document. Keys must be storable as MongoDB field names: no '.', no
     * leading '$', no NUL.
     */
    public static Document fromJson(JsonNode o, String where) {
        checkKeys(o, where);
        return Document.parse(Json.write(o));
    }

    private static void checkKeys(JsonNode n, String where) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                if (k.isEmpty() || k.contains(".") || k.startsWith("$") || k.indexOf('\0') >= 0) {
                    throw DroverException.badRequest("key '" + k + "' in '" + where
                            + "' cannot be stored: keys must be non-empty and contain no '.' or leading '$'");
                }
                checkKeys(e.getValue(), where + "." + k);
            }
        } else if (n.isArray()) {
            for (JsonNode c : n) checkKeys(c, where);
        }
    }
}
