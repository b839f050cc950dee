package io.drover.agent.cli.access;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shape of API keys ({@code drk_<16 hex id>_<40 hex secret>}, docs/API.md). */
final class ApiKeys {
    private static final Pattern KEY = Pattern.compile("drk_([0-9a-f]{16})_[0-9a-f]{40}");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    private ApiKeys() {}

    /** The public id of a full key, or null when it is not shaped like one. */
    static String idOf(String key) {
        if (key == null) return null;
        Matcher m = KEY.matcher(key.strip());
        return m.matches() ? m.group(1) : null;
    }

    /** What the user typed for {@code keys revoke}: an id, or a whole key (its id is used). */
    static String idFromInput(String given) {
        String s = given == null ? "" : given.strip();
        if (ID.matcher(s).matches()) return s;
        return idOf(s);
    }
}
