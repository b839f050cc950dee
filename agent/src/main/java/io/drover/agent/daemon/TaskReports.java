package io.drover.agent.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.capture.CapturedParams;
import io.drover.agent.capture.DirectiveCapture;
import io.drover.agent.capture.LogSink;
import io.drover.agent.capture.OutputFiles;
import io.drover.agent.capture.SecretMask;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.drover.agent.metrics.AgentMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a running task tells the controller besides its logs: argparse params, {@code ::drover} directives, output files. */
final class TaskReports {
    private static final Logger LOG = LoggerFactory.getLogger(TaskReports.class);

    private TaskReports() {}

    /** Sends the task's {@code ::drover} directives with the lease: metrics as scalar batches, params through report. */
    static DirectiveCapture directives(LeaseApi lease, TaskRun run) {
        return new DirectiveCapture(new DirectiveCapture.Sink() {
            @Override
            public void scalars(long batch, ObjectNode body) {
                try {
                    lease.scalars(batch, body);
                } catch (LeaseLostException e) {
                    throw new LogSink.LeaseLost(e.getMessage());
                }
            }

            @Override
            public void params(Map<String, String> params) {
                Map<String, String> shown = new LinkedHashMap<>();
                params.forEach((k, v) -> shown.put(k, run.mask.apply(v)));
                ObjectNode body = Json.object();
                body.putPOJO("params", shown);
                try {
                    lease.report(body);
                } catch (LeaseLostException e) {
                    throw new LogSink.LeaseLost(e.getMessage());
                }
            }

            @Override
            public void tags(List<String> tags) {
                try {
                    lease.tags(tags);
                } catch (LeaseLostException e) {
                    throw new LogSink.LeaseLost(e.getMessage());
                }
            }
        }, run.taskId);
    }

    /** The params the Python hook captured (argparse) when they changed since {@code last}; returns what was sent. */
    static Map<String, String> reportParams(LeaseApi lease, Path captureFile, Map<String, String> last, SecretMask mask) {
        Map<String, String> now = CapturedParams.read(captureFile);
        if (now.isEmpty() || now.equals(last)) return last;
        // an argparse default read from a secret's variable must not reach the task's params (the API shows them)
        Map<String, String> shown = new LinkedHashMap<>();
        now.forEach((k, v) -> shown.put(k, mask.apply(v)));
        ObjectNode body = Json.object();
        body.putPOJO("params", shown);
        try {
            lease.report(body);
            return now;
        } catch (DroverException e) {
            LOG.debug("cannot report params yet: {}", e.getMessage());
            return last;
        }
    }

    /**
     * Repeats {@code attempt} (true: delivered) with a growing pause while the controller or its
     * store is unavailable, until it succeeds or {@code giveUp}.
     */
    static void untilDelivered(java.util.function.BooleanSupplier attempt, java.util.function.BooleanSupplier giveUp)
            throws InterruptedException {
        Backoff backoff = new Backoff(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(5));
        while (!attempt.getAsBoolean() && !giveUp.getAsBoolean()) Thread.sleep(backoff.next().toMillis());
    }

    /** The tag a task gets when some of its output files could not be stored (dashboard, {@code drover ls --tag}). */
    static final String UPLOAD_FAILED_TAG = "artifact-upload-failed";
    private static final int LISTED_FAILURES = 3;

    /**
     * Every file under the task's output dir as an artifact; a failed upload is noted in the
     * console and returned (not fatal: the other files are still tried).
     *
     * @return one line per file that was not stored, "name: why"
     */
    static List<String> uploadOutputs(LeaseApi lease, Path outputDir, Consumer<String> console) throws IOException {
        try {
            return uploadOutputs(lease, outputDir, console, () -> true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Same; while the controller or its store is unavailable (503, unreachable) an upload is retried until {@code giveUp}. */
    static List<String> uploadOutputs(LeaseApi lease, Path outputDir, Consumer<String> console,
            java.util.function.BooleanSupplier giveUp) throws IOException, InterruptedException {
        List<String> failed = new ArrayList<>();
        for (Path f : OutputFiles.list(outputDir)) {
            String name = OutputFiles.relativeName(outputDir, f);
            try {
                DroverException[] lastUnavailable = {null};
                untilDelivered(() -> {
                    try {
                        lease.artifact(name, f, OutputFiles.contentType(f));
                        lastUnavailable[0] = null;
                        return true;
                    } catch (DroverException e) {
                        if (e.code() != io.drover.shared.domain.ErrorCode.UNAVAILABLE) throw e;
                        lastUnavailable[0] = e;
                        return false; // the store or controller is down for a while: the file waits
                    }
                }, giveUp);
                if (lastUnavailable[0] != null) throw lastUnavailable[0];
                AgentMetrics.get().artifactUploaded(true);
                console.accept("[drover] uploaded " + name + " (" + Files.size(f) + " bytes)");
            } catch (LeaseLostException e) {
                throw e;
            } catch (DroverException e) {
                AgentMetrics.get().artifactUploaded(false);
                console.accept("[drover] cannot upload " + name + ": " + e.getMessage());
                failed.add(name + ": " + e.getMessage());
            }
        }
        return failed;
    }

    /**
     * A run whose outputs were not all stored keeps the status its process earned (a training that
     * completed is not re-run for a full artifact disk) and shows the failure where users look: the
     * status reason ({@code drover show}, the task page) and the tag {@value #UPLOAD_FAILED_TAG}.
     */
    static void noteUploadFailures(LeaseApi lease, ObjectNode finish, List<String> failures, SecretMask mask) {
        if (failures.isEmpty()) return;
        StringBuilder note = new StringBuilder(failures.size() == 1 ? "artifact upload failed: " : failures.size() + " artifact uploads failed: ");
        note.append(String.join("; ", failures.subList(0, Math.min(LISTED_FAILURES, failures.size()))));
        if (failures.size() > LISTED_FAILURES) note.append("; and ").append(failures.size() - LISTED_FAILURES).append(" more (see the log)");
        String before = finish.path("reason").asText(null);
        finish.put("reason", mask.apply(before == null ? note.toString() : before + "\n" + note));
        try {
            lease.tags(List.of(UPLOAD_FAILED_TAG));
        } catch (LeaseLostException e) {
            throw e;
        } catch (DroverException e) {
            LOG.warn("task {}: cannot tag it {}: {}", lease.taskId(), UPLOAD_FAILED_TAG, e.getMessage());
        }
    }
}
