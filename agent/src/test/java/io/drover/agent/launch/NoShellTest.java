package io.drover.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.capture.HookDir;
import io.drover.agent.testutil.Procs;
import io.drover.shared.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameters and args never reach a shell: shell syntax in a task's params (through the argparse
 * hook) and in its args string (through {@link ArgTokenizer}) arrives in the script verbatim, and
 * nothing in it is executed. Same path as the agent's TaskRunner: launcher, supervisor shim,
 * sitecustomize on PYTHONPATH, DROVER_PARAMS as JSON.
 */
class NoShellTest {
    @TempDir
    Path dir;

    @Test
    void shellSyntaxInParamsAndArgsArrivesVerbatimAndRunsNothing() throws Exception {
        Path m = dir.resolve("markers");
        Files.createDirectories(m);
        Map<String, String> params = new HashMap<>();
        params.put("cmd", "$(touch " + m.resolve("p1") + ")");
        params.put("name", "x; touch " + m.resolve("p2") + " #");
        params.put("quote", "`touch " + m.resolve("p3") + "`");
        params.put("pipe", "a | touch " + m.resolve("p4") + " && rm -rf " + m);
        params.put("Args/nl", "a\ntouch " + m.resolve("p5"));
        String args = "--extra '$(touch " + m.resolve("a1") + ")' \"`touch " + m.resolve("a2") + "`\" ; touch "
                + m.resolve("a3") + " && rm -rf " + m + " | sh -c 'touch " + m.resolve("a4") + "'";
        Procs.write(dir, "task.py", """
                import argparse, json, sys
                p = argparse.ArgumentParser()
                for k in ("cmd", "name", "quote", "pipe", "nl"):
                    p.add_argument("--" + k, default="")
                a, extra = p.parse_known_args()
                print(json.dumps({"params": vars(a), "argv": sys.argv[1:]}))
                """);
        List<String> cmd = new ArrayList<>(List.of("python3", "task.py"));
        cmd.addAll(ArgTokenizer.split(args));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PYTHONPATH", HookDir.install(dir.resolve("hooks")).toString());
        env.put("DROVER_PARAMS", Json.write(params));
        env.put("DROVER_CAPTURE_FILE", dir.resolve("captured.json").toString());
        env.put("PYTHONUNBUFFERED", "1");
        RunningProcess p = new ProcessLauncher("python3", dir.resolve("bin"))
                .start(new LaunchSpec(cmd, dir, env, dir.resolve("result.json"), Duration.ofSeconds(2)));
        String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(Duration.ofSeconds(30))).isTrue();
        assertThat(p.waitFor().exitCode()).as(err).isZero();

        JsonNode got = Json.parse(out);
        assertThat(got.path("params").path("cmd").asText()).isEqualTo(params.get("cmd"));
        assertThat(got.path("params").path("name").asText()).isEqualTo(params.get("name"));
        assertThat(got.path("params").path("quote").asText()).isEqualTo(params.get("quote"));
        assertThat(got.path("params").path("pipe").asText()).isEqualTo(params.get("pipe"));
        assertThat(got.path("params").path("nl").asText()).isEqualTo(params.get("Args/nl"));
        List<String> argv = new ArrayList<>();
        got.path("argv").forEach(n -> argv.add(n.asText()));
        assertThat(argv).containsExactly("--extra", "$(touch " + m.resolve("a1") + ")", "`touch " + m.resolve("a2") + "`",
                ";", "touch", m.resolve("a3").toString(), "&&", "rm", "-rf", m.toString(), "|", "sh", "-c",
                "touch " + m.resolve("a4"));
        try (var files = Files.list(m)) {
            assertThat(files).as("nothing was executed").isEmpty();
        }
        assertThat(Files.isDirectory(m)).isTrue();
    }
}
