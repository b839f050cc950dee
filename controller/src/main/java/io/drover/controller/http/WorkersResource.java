package io.drover.controller.http;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.tasks.Fields;
import io.drover.controller.tasks.TaskJson;
import io.drover.controller.workers.AgentService;
import io.drover.controller.workers.ControlChannel;
import io.drover.controller.workers.WorkerService;
import io.drover.queue.TaskQueue;
import io.drover.shared.json.Json;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code /workers} and the agent protocol: register, heartbeat, list, the claim and control
 * long-polls, and the fenced task writes (report, finish, release). Long-polls never hold a
 * store thread while waiting: they wait on the queue's wake-up future or the control channel.
 */
public final class WorkersResource implements ApiResource {
    public static final int MAX_WAIT_SECONDS = 30;

    private final WorkerService workers;
    private final AgentService agent;
    private final TaskQueue queue;
    private final ControlChannel control;

    public WorkersResource(WorkerService workers, AgentService agent, TaskQueue queue, ControlChannel control) {
        this.workers = workers;
        this.agent = agent;
        this.queue = queue;
        this.control = control;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/workers"), Permission.WORKER).handler(Http.jsonBody()).handler(ctx -> {
            ObjectNode b = Http.body(ctx);
            Http.write(ctx, 200, () -> workers.register(b));
        });
        Access.route(api.get("/workers"), Permission.AUTHENTICATED).handler(ctx -> Http.blocking(ctx, workers::list));
        Access.route(api.get("/workers/:name/stats"), Permission.AUTHENTICATED).handler(ctx -> {
            String name = Http.pathName(ctx, "name", "worker");
            int minutes = Http.intQuery(ctx, "minutes", 60, 1, 60);
            Http.blocking(ctx, () -> workers.history(name, minutes));
        });
        Access.route(api.post("/workers/:name/heartbeat"), Permission.WORKER).handler(Http.jsonBody()).handler(ctx -> {
            String name = Http.pathName(ctx, "name", "worker");
            ObjectNode b = Http.body(ctx);
            // Not awaited to disk: a heartbeat only moves lease expiry and stats forward. After a
            // crash the store keeps what it committed on its own (≤ 1 s old), far inside a lease,
            // and a commit per heartbeat per worker would only grow the file.
            Http.blocking(ctx, () -> workers.heartbeat(name, b));
        });
        Access.route(api.post("/workers/:name/claim"), Permission.WORKER).handler(Http.jsonBody()).handler(this::claim);
        Access.route(api.get("/workers/:name/control"), Permission.WORKER).handler(this::control);

        Access.route(api.post("/tasks/:id/report"), Permission.LEASE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> {
            String id = Http.pathId(ctx, "id");
            ObjectNode b = Http.body(ctx);
            Http.write(ctx, 200, () -> TaskJson.of(agent.report(id, b)));
        });
        Access.route(api.post("/tasks/:id/finish"), Permission.LEASE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> {
            String id = Http.pathId(ctx, "id");
            ObjectNode b = Http.body(ctx);
            Http.write(ctx, 200, () -> TaskJson.of(agent.finish(id, b)));
        });
        Access.route(api.post("/tasks/:id/release"), Permission.LEASE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> {
            String id = Http.pathId(ctx, "id");
            ObjectNode b = Http.body(ctx);
            Http.write(ctx, 200, () -> TaskJson.of(agent.release(id, b)));
        });
    }

    // ---------------------------------------------------------------- claim long-poll

    private void claim(RoutingContext ctx) {
        String name = Http.pathName(ctx, "name", "worker");
        ObjectNode b = Http.body(ctx);
        Http.requireOnly(b, "queues", "fairness", "wait", "gpus", "minGpus");
        List<String> queues = Fields.names(b, "queues", WorkerService.MAX_QUEUES);
        if (queues.isEmpty()) throw Fields.bad("'queues' is required: the queues to take work from, in order, e.g. [\"default\"]");
        boolean fairness = Fields.bool(b, "fairness", false);
        int wait = Fields.integer(b, "wait", 20, 0, MAX_WAIT_SECONDS);
        // the agent's free GPUs: only a task needing at most that many is handed out (absent: 0, CPU tasks only);
        // minGpus 1 when its CPU-only slots are full
        int gpus = Fields.integer(b, "gpus", 0, 0, io.drover.controller.tasks.TaskRuntime.MAX_GPUS);
        int minGpus = Fields.integer(b, "minGpus", 0, 0, gpus);
        TaskQueue.Fit fit = new TaskQueue.Fit(minGpus, gpus);
        long deadline = System.nanoTime() + Duration.ofSeconds(wait).toNanos();
        Http.onStorePool(ctx, () -> {
            workers.requireRegistered(name);
            workers.seen(name, null, false);
            return null;
        }).onSuccess(v -> attempt(ctx, name, queues, fairness, fit, deadline, false, TaskQueue.WorkTurn.NONE))
                .onFailure(e -> Http.error(ctx, e));
    }

    /**
     * One claim attempt, then (nothing claimed) a wait for a wake-up and again until the deadline.
     * {@code turn} is the wake-up that led here: it is reported done once the attempt has ended,
     * whatever the outcome, so a wake-up this poller could not use goes on to the next one
     * ({@link TaskQueue#awaitTurn}: an enqueue wakes one poller, not all).
     */
    private void attempt(RoutingContext ctx, String name, List<String> queues, boolean fairness, TaskQueue.Fit fit,
            long deadline, boolean again, TaskQueue.WorkTurn turn) {
        if (ctx.response().closed()) { // the agent gave up waiting: its wake-up goes to another poller
            turn.done();
            return;
        }
        Http.onStorePool(ctx, () -> {
                    try {
                        return agent.claimOnce(name, queues, fairness, fit).orElse(null);
                    } finally {
                        turn.done(); // claimed or not: a task still queued now is handed to the next poller
                    }
                })
                .onComplete(r -> turn.done()) // also when the pool never ran the job (done is idempotent)
                .compose(claim -> claim == null ? Future.succeededFuture((ObjectNode) null)
                        : Http.sync(ctx).map(v -> claim).recover(e -> handBack(ctx, claim, e)))
                .onFailure(e -> Http.error(ctx, e))
                .onSuccess(claim -> {
                    if (claim != null) {
                        // the agent may have hung up meanwhile, or its hang-up may be on the wire and not yet
                        // seen here (the connection reports its close a moment after the socket shut): a
                        // claim whose answer is not written goes back to its queue, since nobody would run it
                        Http.jsonWritten(ctx, 200, claim).onFailure(e -> handBack(ctx, claim, null));
                        return;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        Http.json(ctx, 204, null);
                        return;
                    }
                    long started = System.nanoTime();
                    Future.fromCompletionStage(queue.awaitTurn(queues, fit, Duration.ofNanos(left)), ctx.vertx().getOrCreateContext())
                            .onComplete(r -> {
                                // awaitTurn never fails; NONE is only a guard
                                TaskQueue.WorkTurn next = r.succeeded() && r.result() != null ? r.result() : TaskQueue.WorkTurn.NONE;
                                // a wake-up that loses the race for the task comes back here at once; if that
                                // repeats, pause briefly instead of spinning on the store
                                boolean instant = System.nanoTime() - started < 2_000_000;
                                if (again && instant) {
                                    ctx.vertx().setTimer(20, t -> attempt(ctx, name, queues, fairness, fit, deadline, false, next));
                                } else {
                                    attempt(ctx, name, queues, fairness, fit, deadline, instant, next);
                                }
                            });
                });
    }

    /**
     * A claim made but not delivered (the durability sync failed, or the agent hung up): the task
     * goes back to its queue at once instead of waiting out a lease nobody holds. Fails with
     * {@code cause} when there is one, so the agent gets the error.
     */
    private Future<ObjectNode> handBack(RoutingContext ctx, ObjectNode claim, Throwable cause) {
        return Http.onStorePool(ctx, () -> {
            agent.unclaim(claim, "the claim could not be delivered to the worker");
            return (ObjectNode) null;
        }).transform(r -> cause != null ? Future.failedFuture(cause) : Future.succeededFuture((ObjectNode) null));
    }

    // ---------------------------------------------------------------- control long-poll

    private void control(RoutingContext ctx) {
        String name = Http.pathName(ctx, "name", "worker");
        int wait = Http.intQuery(ctx, "wait", 25, 0, MAX_WAIT_SECONDS);
        AtomicBoolean answered = new AtomicBoolean();
        // Register first, then look in the store: an abort requested in between is not missed.
        Runnable[] cancel = new Runnable[1];
        var loop = ctx.vertx().getOrCreateContext();
        cancel[0] = control.await(name, aborts -> loop.runOnContext(v -> answer(ctx, answered, cancel[0], aborts)));
        long timer = ctx.vertx().setTimer(Math.max(1, wait * 1000L), t -> answer(ctx, answered, cancel[0], List.of()));
        ctx.response().closeHandler(v -> {
            cancel[0].run();
            ctx.vertx().cancelTimer(timer);
        });
        Http.onStorePool(ctx, () -> {
            workers.requireRegistered(name);
            workers.seen(name, null, false);
            return control.undelivered(agent.pendingAborts(name));
        }).onFailure(e -> {
            if (answered.compareAndSet(false, true)) {
                cancel[0].run();
                ctx.vertx().cancelTimer(timer);
                Http.error(ctx, e);
            }
        }).onSuccess(pending -> {
            if (!pending.isEmpty() || wait == 0) {
                ctx.vertx().cancelTimer(timer);
                answer(ctx, answered, cancel[0], pending);
            }
        });
    }

    private static void answer(RoutingContext ctx, AtomicBoolean answered, Runnable cancel, List<ControlChannel.Abort> aborts) {
        if (!answered.compareAndSet(false, true)) return;
        cancel.run();
        ObjectNode o = Json.object();
        ArrayNode a = o.putArray("abort");
        for (ControlChannel.Abort x : aborts) a.addObject().put("taskId", x.taskId()).put("epoch", x.epoch()).put("reason", x.reason());
        Http.json(ctx, 200, o);
    }
}
