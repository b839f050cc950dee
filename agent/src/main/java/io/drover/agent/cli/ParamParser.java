package io.drover.agent.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --param KEY=VALUE} options into a map of strings, in the order given (last one wins). */
final class ParamParser {
    private ParamParser() {}

    /** @throws IllegalArgumentException naming the bad option and the expected shape */
    static Map<String, String> parse(List<String> params) {
        Map<String, String> out = new LinkedHashMap<>();
        if (params == null) return out;
        for (String p : params) {
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("--param '" + p + "' has no '=': write --param KEY=VALUE, e.g. --param lr=0.5");
            }
            String key = p.substring(0, eq);
            if (key.isBlank() || !key.strip().equals(key) || key.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("--param '" + p + "' needs a KEY without spaces before '=', e.g. --param lr=0.5");
            }
            out.put(key, p.substring(eq + 1));
        }
        return out;
    }
}
