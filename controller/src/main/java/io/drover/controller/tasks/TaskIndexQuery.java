package io.drover.controller.tasks;

import io.drover.shared.domain.DroverException;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code GET /tasks} query (docs/API.md, "List tasks").
 *
 * @param statuses any of (empty: all)
 * @param tags     all of (empty: no tag filter)
 * @param text     {@code q=}: case-insensitive substring of the name, or an id prefix (null: none)
 * @param ids      only these tasks (empty: no id filter)
 * @param archived true: only archived; false: only live; null: only live, except with {@code ids}
 */
public record TaskIndexQuery(Set<String> statuses, String project, String queue, List<String> tags, String user,
                             String text, List<String> ids, Sort sort, int offset, int limit, Boolean archived) {

    public static final int MAX_IDS = 100;

    /** What a page is ordered by; ties broken by id in the same direction, so pages never overlap or skip. */
    public record Sort(Key key, String field, boolean desc) {
        public enum Key { CREATED_AT, UPDATED_AT, NAME, STATUS, PRIORITY, USER, QUEUE, METRIC, PARAM }

        public static final Sort DEFAULT = new Sort(Key.CREATED_AT, null, true);
        private static final String HELP = "use one of createdAt, updatedAt, name, status, priority, user, queue, "
                + "metrics.<series> (e.g. metrics.loss/train) or params.<key>, prefixed with '-' for descending";

        public static Sort parse(String s) {
            if (s == null || s.isBlank()) return DEFAULT;
            String t = s.trim();
            boolean desc = t.startsWith("-");
            String f = desc || t.startsWith("+") ? t.substring(1) : t;
            if (f.startsWith("metrics.") && f.length() > 8) return new Sort(Key.METRIC, f.substring(8), desc);
            if (f.startsWith("params.") && f.length() > 7) return new Sort(Key.PARAM, f.substring(7), desc);
            Key k = switch (f) {
                case "createdAt" -> Key.CREATED_AT;
                case "updatedAt" -> Key.UPDATED_AT;
                case "name" -> Key.NAME;
                case "status" -> Key.STATUS;
                case "priority" -> Key.PRIORITY;
                case "user" -> Key.USER;
                case "queue" -> Key.QUEUE;
                default -> throw DroverException.badRequest("cannot sort by '" + s + "'; " + HELP);
            };
            return new Sort(k, null, desc);
        }
    }

    /** Everything in one list, default sort and page size (tests, callers without query parameters). */
    public static TaskIndexQuery all(int limit) {
        return new TaskIndexQuery(Set.of(), null, null, List.of(), null, null, List.of(), Sort.DEFAULT, 0, limit, null);
    }
}
