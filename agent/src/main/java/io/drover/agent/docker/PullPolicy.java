package io.drover.agent.docker;

import java.util.Locale;

/** When the agent pulls a task's image: only when it is not there (default), every time, or never. */
public enum PullPolicy {
    MISSING, ALWAYS, NEVER;

    public static PullPolicy parse(String s) {
        if (s == null || s.isBlank()) return MISSING;
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("container.pullPolicy '" + s + "' is not one of missing, always, never");
        }
    }

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
