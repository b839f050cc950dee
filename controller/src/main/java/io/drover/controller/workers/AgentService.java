package io.drover.controller.workers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import io.drover.controller.Services;
import io.drover.controller.http.Http;
import io.drover.controller.secrets.SecretStore;
import io.drover.controller.tasks.Fields;
import io.drover.controller.tasks.TaskDoc;
import io.drover.controller.tasks.TaskEvents;
import io.drover.controller.tasks.TaskFence;
import io.drover.controller.tasks.TaskJson;
import io.drover.controller.tasks.TaskService;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.TaskStatus;
import io.drover.shared.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The agent side of a task's life: claim, report, finish, release, and pending aborts. Every write
 * after the claim is fenced by (taskId, epoch); a stale epoch is refused with 409 stale_lease.
 * Blocking: call on the store pool.
 */
public final class AgentService {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    private final MongoCollection<Document> tasks;
    private final TaskQueue queue;
    private final TaskService taskService;
    private final WorkerService workers;
    private final TaskEvents events;
    private final ControlChannel control;
    private final Clock clock;
    private final SecretStore secrets;
    private final io.drover.controller.audit.AuditLog audit;

    /** @param secrets the project secrets handed to the agent with each claim (and nowhere else) */
    public AgentService(Services s, TaskService taskService, WorkerService workers, SecretStore secrets) {
        this.tasks = s.store().tasks();
        this.queue = s.queue();
        this.taskService = taskService;
        this.workers = workers;
        this.events = s.events();
        this.control = s.control();
        this.clock = s.clock();
        this.secrets = secrets;
        this.audit = s.audit();
    }

    /** One claim attempt: the claim response ({@code task} with its diff, {@code lease}), or empty. */
    public Optional<ObjectNode> claimOnce(String worker, List<String> queues, boolean fairness) {
        return claimOnce(worker, queues, fairness, TaskQueue.Fit.ANY);
    }

    /** Same, only a task whose {@code resources.gpus} is within {@code fit} (the agent's free GPUs). */
    public Optional<ObjectNode> claimOnce(String worker, List<String> queues, boolean fairness, TaskQueue.Fit fit) {
        long t0 = System.nanoTime();
        Optional<TaskQueue.Claim> c = queue.claim(worker, queues, fairness, fit);
        if (c.isEmpty()) return Optional.empty();
        events.claimTook(java.time.Duration.ofNanos(System.nanoTime() - t0));
        TaskQueue.Claim claim = c.get();
        ObjectNode out;
        try {
            out = claimAnswer(worker, claim);
        } catch (RuntimeException e) {
            // The claim is in the store but its answer will not reach the agent (the store failed
            // while we built it): hand the task back untouched, or it would sit leased to nobody
            // until the lease expires, and a task without retries would fail "worker lost" unrun.
            try {
                queue.unclaim(claim.taskId(), claim.epoch(), "the claim by " + worker + " could not be answered");
            } catch (RuntimeException again) {
                e.addSuppressed(again); // the store is still down: the lease watchdog requeues it later
            }
            throw e;
        }
        Instant now = clock.instant();
        Date queuedAt = claim.task().getDate(TaskFields.QUEUED_AT);
        events.claimed(claim.taskId(), claim.queue(), worker, queuedAt == null ? null : queuedAt.toInstant(), now);
        events.changed(claim.taskId());
        return Optional.of(out);
    }

    /** Undoes a claim answer that could not be delivered ({@link TaskQueue#unclaim}); blocking. */
    public void unclaim(ObjectNode claimAnswer, String reason) {
        String id = claimAnswer.path("task").path("id").asText();
        if (queue.unclaim(id, claimAnswer.path("lease").path("epoch").asLong(), reason)) events.changed(id);
    }

    /** The claim response: the task with its diff, the lease, the project's secrets (audited). */
    private ObjectNode claimAnswer(String worker, TaskQueue.Claim claim) {
        Document task = claim.task();
        workers.seen(worker, claim.taskId(), true);
        ObjectNode out = Json.object();
        out.set("task", TaskJson.withDiff(task, taskService.diffOf(task)));
        out.putObject("lease").put("epoch", claim.epoch()).put("token", claim.token())
                .put("expiresAt", claim.expiresAt().toString());
        // decrypted only here: the agent injects them as environment variables and masks them in logs
        Map<String, String> values = secrets.values(task.getString(TaskDoc.PROJECT));
        out.putPOJO("secrets", values);
        if (!values.isEmpty() && audit != null) { // who received which secrets (names only), for the audit log
            audit.record(new io.drover.controller.audit.AuditLog.Who("worker:" + worker, null), "secret.use",
                    task.getString(TaskDoc.PROJECT) + "/" + String.join(",", new java.util.TreeSet<>(values.keySet())),
                    io.drover.controller.audit.AuditLog.OK, "claimed task " + claim.taskId());
        }
        return out;
    }

    /** {@code POST /tasks/{id}/report}: argparse params (under the task's own), captured environment, resolved commit. */
    public Document report(String id, JsonNode b) {
        Http.requireOnly(b, "epoch", "params", "captured", "resolvedCommit", "gpus");
        long epoch = Fields.requiredEpoch(b);
        Map<String, String> reported = Fields.params(b, "params");
        Document captured = null;
        if (Fields.present(b, "captured")) {
            if (!b.get("captured").isObject()) throw Fields.bad("'captured' must be an object");
            captured = Documents.fromJson(b.get("captured"), "captured");
        }
        List<Integer> gpus = gpuIndexes(b); // execution.gpus: where the agent runs it (issue 5)
        String commit = Fields.string(b, "resolvedCommit", null, 64);
        if (commit != null && !COMMIT.matcher(commit).matches()) {
            throw Fields.bad("'resolvedCommit' must be a full commit hash (40 lower-case hex characters)");
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            Document d = tasks.find(TaskFields.fence(id, epoch)).first();
            if (d == null) throw TaskFence.explain(tasks, id, epoch);
            List<Bson> set = new ArrayList<>();
            Bson filter = TaskFields.fence(id, epoch);
            if (!reported.isEmpty()) {
                // the task's own params win: they are what the user asked for
                Map<String, String> own = TaskJson.params(d);
                Map<String, String> merged = new LinkedHashMap<>(reported);
                merged.putAll(own);
                // keep the task's order first, then new names in the script's order
                Map<String, String> ordered = new LinkedHashMap<>(own);
                merged.forEach(ordered::putIfAbsent);
                set.add(Updates.set(TaskDoc.PARAMS, TaskJson.paramDocs(ordered)));
            }
            if (captured != null) {
                Document c = d.get(TaskDoc.CAPTURED) instanceof Document old ? new Document(old) : new Document();
                c.putAll(captured);
                set.add(Updates.set(TaskDoc.CAPTURED, c));
            }
            if (commit != null) set.add(Updates.set(TaskDoc.RESOLVED_COMMIT, commit));
            if (gpus != null) set.add(Updates.set(TaskFields.EXECUTION_GPUS, gpus));
            if (set.isEmpty()) return d;
            set.add(Updates.set(TaskFields.UPDATED_AT, new Date(clock.millis())));
            if (tasks.updateOne(filter, Updates.combine(set)).getMatchedCount() == 1) {
                events.changed(id);
                return taskService.get(id);
            }
        }
        throw TaskFence.explain(tasks, id, epoch);
    }

    /** {@code POST /tasks/{id}/finish}. */
    public Document finish(String id, JsonNode b) {
        Http.requireOnly(b, "epoch", "status", "exitCode", "reason", "maxRssKb", "cpuSeconds");
        long epoch = Fields.requiredEpoch(b);
        String s = Fields.string(b, "status", null, 16);
        if (s == null) throw Fields.bad("'status' is required: completed, failed or aborted");
        TaskStatus status = TaskStatus.parse(s);
        if (!status.isFinal()) throw Fields.bad("'status' must be completed, failed or aborted, got '" + s + "'");
        Long exitCode = null;
        if (Fields.present(b, "exitCode")) {
            if (!b.get("exitCode").canConvertToInt()) throw Fields.bad("'exitCode' must be a whole number");
            exitCode = (long) b.get("exitCode").intValue();
        }
        String reason = Fields.string(b, "reason", null, 16 * 1024);
        Long rss = Fields.optionalLong(b, "maxRssKb", 0);
        Double cpu = Fields.optionalDouble(b, "cpuSeconds");
        Document before = tasks.find(TaskFields.fence(id, epoch))
                .projection(Projections.include(TaskFields.LEASE, TaskDoc.ABORT_REQUESTED)).first();
        if (before == null) throw TaskFence.explain(tasks, id, epoch);
        if (reason == null && status == TaskStatus.ABORTED && before.get(TaskDoc.ABORT_REQUESTED) instanceof Document ar) {
            reason = ar.getString("reason");
        }
        Date now = new Date(clock.millis());
        var r = tasks.updateOne(TaskFields.fence(id, epoch), Updates.combine(
                Updates.set(TaskFields.STATUS, status.wire()),
                Updates.set(TaskFields.STATUS_REASON, reason),
                Updates.set(TaskDoc.EXIT_CODE, exitCode == null ? null : exitCode.intValue()),
                Updates.set(TaskFields.FINISHED_AT, now),
                Updates.set(TaskDoc.MAX_RSS_KB, rss),
                Updates.set(TaskDoc.CPU_SECONDS, cpu),
                Updates.set(TaskFields.LEASE, null),
                Updates.unset(TaskDoc.ABORT_REQUESTED),
                Updates.set(TaskFields.UPDATED_AT, now)));
        if (r.getMatchedCount() == 0) throw TaskFence.explain(tasks, id, epoch);
        control.forget(id);
        Document lease = before.get(TaskFields.LEASE, Document.class);
        workers.taskDone(lease == null ? null : lease.getString("worker"), id);
        events.finished(id, status.wire());
        events.changed(id);
        return taskService.get(id);
    }

    /** {@code POST /tasks/{id}/release}: the agent gives the task back (shutting down). */
    public Document release(String id, JsonNode b) {
        Http.requireOnly(b, "epoch", "reason");
        long epoch = Fields.requiredEpoch(b);
        String reason = Fields.string(b, "reason", "released by the worker", 16 * 1024);
        Document before = tasks.find(TaskFields.fence(id, epoch)).projection(Projections.include(TaskFields.LEASE)).first();
        if (before == null || !queue.release(id, epoch, reason)) throw TaskFence.explain(tasks, id, epoch);
        control.forget(id);
        Document lease = before.get(TaskFields.LEASE, Document.class);
        workers.taskDone(lease == null ? null : lease.getString("worker"), id);
        Document after = taskService.get(id);
        String st = after.getString(TaskFields.STATUS);
        if (TaskStatus.parse(st).isFinal()) events.finished(id, st);
        else if (TaskStatus.QUEUED.wire().equals(st)) events.enqueued(id, after.getString(TaskFields.QUEUE));
        events.changed(id);
        return after;
    }

    /** Aborts requested for running tasks this worker holds (a scan on the embedded store: control polls are rare). */
    public List<ControlChannel.Abort> pendingAborts(String worker) {
        List<ControlChannel.Abort> out = new ArrayList<>();
        for (Document d : tasks.find(new Document(TaskFields.STATUS, "running").append(TaskFields.LEASE_WORKER, worker)
                .append(TaskDoc.ABORT_REQUESTED, new Document("$ne", null)))
                .projection(Projections.include(TaskFields.EPOCH, TaskDoc.ABORT_REQUESTED))) {
            Document ar = d.get(TaskDoc.ABORT_REQUESTED, Document.class);
            out.add(new ControlChannel.Abort(d.getString(TaskFields.ID), d.get(TaskFields.EPOCH, Number.class).longValue(),
                    ar == null ? null : ar.getString("reason")));
        }
        return out;
    }

    /** {@code "gpus": [0, 1]} of a report: distinct GPU indexes, or null when absent. */
    private static List<Integer> gpuIndexes(JsonNode b) {
        if (!Fields.present(b, "gpus")) return null;
        JsonNode g = b.get("gpus");
        if (!g.isArray() || g.size() > io.drover.controller.tasks.TaskRuntime.MAX_GPUS) {
            throw Fields.bad("'gpus' must be an array of GPU indexes, e.g. [0, 1]");
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode n : g) {
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0 || out.contains(n.intValue())) {
                throw Fields.bad("'gpus' entry " + n + " is not a GPU index: use distinct whole numbers ≥ 0");
            }
            out.add(n.intValue());
        }
        return out;
    }
}
