package io.drover.shared.logging;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * slf4j backend for {@code --log-format json}, selected with the system property slf4j.provider
 * (so slf4j-simple stays the default binding). Levels come from the same properties slf4j-simple
 * reads ({@code org.slf4j.simpleLogger.defaultLogLevel}, {@code org.slf4j.simpleLogger.log.NAME}),
 * so the quieting in the controller's and agent's logging setup applies to both formats.
 * Writes to System.err, like slf4j-simple.
 */
public final class JsonLogProvider implements SLF4JServiceProvider {
    static final String PREFIX = "org.slf4j.simpleLogger.log.";
    static final String DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    private final MDCAdapter mdc = new BasicMDCAdapter();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private Factory loggers;

    @Override public ILoggerFactory getLoggerFactory() { return loggers; }
    @Override public IMarkerFactory getMarkerFactory() { return markers; }
    @Override public MDCAdapter getMDCAdapter() { return mdc; }
    @Override public String getRequestedApiVersion() { return "2.0.99"; }

    @Override
    public void initialize() {
        loggers = new Factory(() -> System.err, mdc);
    }

    /** Loggers writing to {@code out}, reading task/worker ids from {@code mdc}. */
    public static final class Factory implements ILoggerFactory {
        private final Supplier<PrintStream> out;
        private final MDCAdapter mdc;
        private final Map<String, Logger> byName = new ConcurrentHashMap<>();

        public Factory(Supplier<PrintStream> out, MDCAdapter mdc) {
            this.out = out;
            this.mdc = mdc;
        }

        @Override
        public Logger getLogger(String name) {
            return byName.computeIfAbsent(name, n -> new JsonLogger(n, threshold(n), out, mdc));
        }
    }

    /** The level of the nearest configured ancestor, else the default level, else info. */
    static int threshold(String name) {
        String n = name;
        while (true) {
            String v = System.getProperty(PREFIX + n);
            if (v != null) return level(v);
            int dot = n.lastIndexOf('.');
            if (dot < 0) break;
            n = n.substring(0, dot);
        }
        String d = System.getProperty(DEFAULT_LEVEL);
        return level(d == null ? "info" : d);
    }

    private static int level(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE.toInt();
            case "debug" -> Level.DEBUG.toInt();
            case "warn" -> Level.WARN.toInt();
            case "error" -> Level.ERROR.toInt();
            case "off" -> Integer.MAX_VALUE;
            default -> Level.INFO.toInt();
        };
    }
}
