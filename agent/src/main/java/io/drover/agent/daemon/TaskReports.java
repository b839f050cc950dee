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

    /** Every file under the task's output dir as an artifact; a failed upload is noted in the console, not fatal. */
    static void uploadOutputs(LeaseApi lease, Path outputDir, Consumer<String> console) throws IOException {
        for (Path f : OutputFiles.list(outputDir)) {
            String name = OutputFiles.relativeName(outputDir, f);
            try {
                lease.artifact(name, f, OutputFiles.contentType(f));
                console.accept("[drover] uploaded " + name + " (" + Files.size(f) + " bytes)");
            } catch (DroverException e) {
                console.accept("[drover] cannot upload " + name + ": " + e.getMessage());
            }
        }
    }
}
