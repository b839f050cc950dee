package io.drover.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.testutil.Procs;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The argparse hook, run by a real Python on a real script. */
class SitecustomizeTest {
    @TempDir
    Path dir;

    static final String SCRIPT = """
            import argparse
            p = argparse.ArgumentParser()
            p.add_argument("--lr", type=float, default=0.1)
            p.add_argument("--epochs", type=int, default=3)
            p.add_argument("--name", default="run")
            p.add_argument("--layers", type=int, nargs="+", default=[1, 2])
            p.add_argument("--fast", action="store_true")
            p.add_argument("--no-cache", dest="cache", action="store_false")
            p.add_argument("--opt", choices=["sgd", "adam"], default="sgd")
            p.add_argument("--data", required=True)
            p.add_argument("--seed", type=int)
            a = p.parse_args()
            print(repr(a.lr), repr(a.epochs), repr(a.name), repr(a.layers), repr(a.fast), repr(a.cache),
                  repr(a.opt), repr(a.data), repr(a.seed))
            """;

    private record Run(int exit, String out, String err) {}

    private Run run(String params, List<String> args, Path extraPath) throws Exception {
        Path hooks = HookDir.install(dir.resolve("hooks"));
        Procs.write(dir, "train.py", SCRIPT);
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", "train.py"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        if (params != null) env.put("DROVER_PARAMS", params);
        env.put("DROVER_CAPTURE_FILE", dir.resolve("captured.json").toString());
        env.put("PYTHONPATH", hooks + (extraPath == null ? "" : ":" + extraPath));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(out).strip(), Files.readString(err));
    }

    private JsonNode captured() throws IOException {
        return Json.parse(Files.readString(dir.resolve("captured.json"), StandardCharsets.UTF_8));
    }

    @Test
    void taskParamsOverrideWithTheArgumentsOwnTypes() throws Exception {
        Run r = run("""
                {"lr":"0.5","Args/epochs":"7","layers":"[4, 5, 6]","fast":"true","cache":"false",
                 "opt":"adam","data":"/tmp/d","unrelated":"x"}""", List.of("--name", "cli", "--lr", "0.9"), null);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("0.5 7 'cli' [4, 5, 6] True False 'adam' '/tmp/d' None");
        JsonNode c = captured();
        assertThat(c.path("lr").asText()).isEqualTo("0.5");
        assertThat(c.path("epochs").asText()).isEqualTo("7");
        assertThat(c.path("name").asText()).isEqualTo("cli");
        assertThat(c.path("fast").asText()).isEqualTo("True");
        assertThat(c.path("seed").asText()).isEmpty();
        assertThat(c.has("unrelated")).isFalse();
    }

    @Test
    void withoutParamsTheScriptRunsAsWrittenAndDefaultsAreCaptured() throws Exception {
        Run r = run(null, List.of("--data", "x"), null);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("0.1 3 'run' [1, 2] False True 'sgd' 'x' None");
        JsonNode c = captured();
        assertThat(c.path("lr").asText()).isEqualTo("0.1");
        assertThat(c.path("epochs").asText()).isEqualTo("3");
        assertThat(c.path("layers").asText()).isEqualTo("[\"1\", \"2\"]");
        assertThat(c.path("opt").asText()).isEqualTo("sgd");
        assertThat(c.path("data").asText()).isEqualTo("x");
    }

    @Test
    void aBadValueIsIgnoredWithAWarningNotACrash() throws Exception {
        Run r = run("{\"epochs\":\"many\",\"opt\":\"rmsprop\",\"lr\":\"0.2\"}", List.of("--data", "x"), null);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("0.2 3 'run'").contains("'sgd'");
        assertThat(r.err()).contains("[drover] parameter epochs='many' ignored").contains("[drover] parameter opt='rmsprop' ignored");
    }

    @Test
    void malformedParamsNeverBreakTheScript() throws Exception {
        Run r = run("{not json", List.of("--data", "x"), null);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("0.1 3");
    }

    @Test
    void chainsToTheSitecustomizeItShadows() throws Exception {
        Path other = Procs.write(dir.resolve("other"), "sitecustomize.py",
                "import builtins\nbuiltins.OTHER_SITE = 'ran'\n").getParent();
        Procs.write(dir, "train.py", "");
        Path hooks = HookDir.install(dir.resolve("hooks"));
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", "import builtins; print(builtins.OTHER_SITE)")
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", hooks + ":" + other);
        pb.environment().put("DROVER_PARAMS", "{}");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).isZero();
        assertThat(out).isEqualTo("ran");
    }
}
