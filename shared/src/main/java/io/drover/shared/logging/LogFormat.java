package io.drover.shared.logging;

import java.util.Locale;
import java.util.Map;

/**
 * How the controller and the agent daemon write their log: slf4j-simple's text lines (default) or
 * one JSON object per line ({@link JsonLogProvider}). Chosen from the raw arguments before picocli
 * parses them, because the slf4j backend is fixed when the first logger is created.
 */
public enum LogFormat {
    TEXT, JSON;

    public static final String ENV = "DROVER_LOG_FORMAT";
    public static final String OPTION = "--log-format";

    public static LogFormat parse(String value, String source) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException(source + " must be 'text' or 'json', got '" + value + "'");
        };
    }

    /** {@code --log-format X} or {@code --log-format=X} anywhere in args, else $DROVER_LOG_FORMAT, else text. */
    public static LogFormat choose(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(OPTION)) {
                if (i + 1 >= args.length) throw new IllegalArgumentException(OPTION + " needs a value: text or json");
                return parse(args[i + 1], OPTION);
            }
            if (args[i].startsWith(OPTION + "=")) return parse(args[i].substring(OPTION.length() + 1), OPTION);
        }
        String v = env.get(ENV);
        return v == null || v.isBlank() ? TEXT : parse(v, ENV);
    }

    /** Selects the backend; call before the first LoggerFactory use. An explicit -Dslf4j.provider wins. */
    public void install() {
        if (this == JSON && System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", JsonLogProvider.class.getName());
            // slf4j would announce the explicit provider on stderr: a line that is not JSON
            if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "WARN");
        }
    }
}
