package io.drover.controller.store;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import java.util.concurrent.TimeUnit;

/**
 * Times every command the driver sends to the store (find, update, aggregate, …) and hands the
 * duration to a sink set later: the store opens before the metrics registry exists. Runs on the
 * driver's calling thread, so the sink must be cheap (a histogram observation).
 */
public final class CommandTimings implements CommandListener {
    /** Receives one finished command: its name, its duration in nanoseconds, and whether it failed. */
    public interface Sink {
        void command(String name, long nanos, boolean failed);
    }

    private volatile Sink sink;

    public void sink(Sink s) {
        this.sink = s;
    }

    @Override
    public void commandSucceeded(CommandSucceededEvent e) {
        Sink s = sink;
        if (s != null) s.command(e.getCommandName(), e.getElapsedTime(TimeUnit.NANOSECONDS), false);
    }

    @Override
    public void commandFailed(CommandFailedEvent e) {
        Sink s = sink;
        if (s != null) s.command(e.getCommandName(), e.getElapsedTime(TimeUnit.NANOSECONDS), true);
    }
}
