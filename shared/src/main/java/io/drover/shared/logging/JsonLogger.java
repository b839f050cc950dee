package io.drover.shared.logging;

import java.io.PrintStream;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;

/** A logger that writes {@link JsonLogLine}s at or above its level. */
final class JsonLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final transient Supplier<PrintStream> out;
    private final transient MDCAdapter mdc;
    private final int threshold; // slf4j Level.toInt(); Integer.MAX_VALUE = off

    JsonLogger(String name, int threshold, Supplier<PrintStream> out, MDCAdapter mdc) {
        this.name = name;
        this.threshold = threshold;
        this.out = out;
        this.mdc = mdc;
    }

    private boolean on(Level l) {
        return l.toInt() >= threshold;
    }

    @Override public boolean isTraceEnabled() { return on(Level.TRACE); }
    @Override public boolean isDebugEnabled() { return on(Level.DEBUG); }
    @Override public boolean isInfoEnabled() { return on(Level.INFO); }
    @Override public boolean isWarnEnabled() { return on(Level.WARN); }
    @Override public boolean isErrorEnabled() { return on(Level.ERROR); }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args, Throwable error) {
        String text = args == null || args.length == 0 ? msg : MessageFormatter.basicArrayFormat(msg, args);
        String line = JsonLogLine.format(Instant.now(), level.name(), name, Thread.currentThread().getName(),
                text, mdc.getCopyOfContextMap(), error);
        PrintStream s = out.get();
        synchronized (s) { // one whole line per event, also with many task threads
            s.println(line);
            s.flush();
        }
    }
}
