package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.domain.Ids;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns what a user typed into a task id: a full 24-hex id as it is, or a unique prefix (at
 * least {@value #MIN_PREFIX} hex characters) of one of the {@value #SEARCHED} newest tasks.
 */
final class TaskRef {
    static final int MIN_PREFIX = 4;
    static final int SEARCHED = 500;
    private static final Pattern PREFIX = Pattern.compile("[0-9a-f]{" + MIN_PREFIX + ",23}");

    /** The input is not shaped like an id at all: a usage error. */
    static final class NotAnIdException extends RuntimeException {
        NotAnIdException(String message) {
            super(message);
        }
    }

    private TaskRef() {}

    static String resolve(ApiClient client, String given) {
        String s = given == null ? "" : given.strip().toLowerCase(Locale.ROOT);
        if (Ids.isId(s)) return s;
        if (!PREFIX.matcher(s).matches()) {
            throw new NotAnIdException("'" + given + "' is not a task id: give the 24-character id that submit and ls print"
                    + " (a unique prefix of at least " + MIN_PREFIX + " characters works too)");
        }
        JsonNode page = client.get(ClientCommand.V1 + "/tasks" + ApiClient.query(
                java.util.Map.of("sort", "-createdAt", "limit", SEARCHED)));
        List<String> matches = new ArrayList<>();
        for (JsonNode t : page.path("items")) {
            String id = t.path("id").asText();
            if (id.startsWith(s)) matches.add(id);
        }
        if (matches.size() == 1) return matches.get(0);
        if (matches.isEmpty()) {
            throw new DroverException(ErrorCode.NOT_FOUND, "no task id starts with '" + s + "' among the "
                    + SEARCHED + " newest tasks; give the full id (drover ls shows them)");
        }
        throw new DroverException(ErrorCode.BAD_REQUEST, "'" + s + "' matches " + matches.size() + " tasks ("
                + String.join(", ", matches.subList(0, Math.min(5, matches.size())))
                + (matches.size() > 5 ? ", ..." : "") + "); give more characters");
    }
}
