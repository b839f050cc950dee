package io.drover.agent.daemon;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The steps before a task's process starts (clone, environment build), cut short by a stop request. */
final class Preparation {
    private Preparation() {}

    /** A preparation step that may take minutes (clone, pip install). */
    @FunctionalInterface
    interface Step<T> {
        T call() throws TaskFailed, InterruptedException;
    }

    private static final ExecutorService PREPARE = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "drover-prepare");
        t.setDaemon(true);
        return t;
    });

    /**
     * Runs {@code step} but gives up on it as soon as the task is stopped, so an abort during a
     * long clone or pip install still ends the task within the 2 s promise. The step itself runs
     * on to completion in the background: a finished clone or environment is still worth caching.
     */
    static <T> T untilStopped(TaskRun run, Step<T> step) throws TaskFailed, InterruptedException {
        Future<T> f = PREPARE.submit(step::call);
        while (true) {
            try {
                return f.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                stopIfAsked(run);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TaskFailed tf) throw tf;
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new TaskFailed("agent error: " + e.getCause());
            }
        }
    }

    /** Ends the preparation with the stop's reason once a stop (abort, release, abandon) was requested. */
    static void stopIfAsked(TaskRun run) throws TaskFailed {
        if (run.stop() != TaskRun.Stop.NONE) throw new TaskFailed(run.reason());
    }
}
