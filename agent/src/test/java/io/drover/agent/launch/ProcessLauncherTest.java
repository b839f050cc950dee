package io.drover.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.testutil.Procs;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLauncherTest {
    @TempDir
    Path dir;

    private RunningProcess start(String script, String args, Duration grace, List<String> out, List<String> err)
            throws Exception {
        Procs.write(dir, "task.py", script);
        ProcessLauncher launcher = new ProcessLauncher("python3", dir.resolve("bin"));
        List<String> cmd = new ArrayList<>(List.of("python3", "task.py"));
        cmd.addAll(ArgTokenizer.split(args));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PYTHONUNBUFFERED", "1");
        RunningProcess p = launcher.start(new LaunchSpec(cmd, dir, env, dir.resolve("result.json"), grace));
        pump(p.stdout(), out);
        pump(p.stderr(), err);
        return p;
    }

    private static void pump(InputStream in, List<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) sink.add(l);
            } catch (Exception ignored) {
                // closed
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @Test
    void runsWithoutAShellAndReportsExitCodeAndLinesInOrder() throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        List<String> err = Collections.synchronizedList(new ArrayList<>());
        RunningProcess p = start("""
                import sys
                print("args", sys.argv[1:])
                for i in range(200):
                    print("out", i)
                    print("err", i, file=sys.stderr)
                sys.exit(3)
                """, "--name 'a b' $HOME;id", Duration.ofSeconds(5), out, err);
        RunResult r = p.waitFor();
        Thread.sleep(200);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.signal()).isNull();
        assertThat(out.get(0)).isEqualTo("args ['--name', 'a b', '$HOME;id']");
        assertThat(out.subList(1, out.size())).hasSize(200).first().isEqualTo("out 0");
        for (int i = 0; i < 200; i++) {
            assertThat(out.get(i + 1)).isEqualTo("out " + i);
            assertThat(err.get(i)).isEqualTo("err " + i);
        }
    }

    @Test
    void reportsResourcePeaks() throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        RunningProcess p = start("""
                import time
                block = bytearray(80 * 1024 * 1024)
                for i in range(0, len(block), 4096):
                    block[i] = 1
                t = time.process_time()
                while time.process_time() - t < 0.4:
                    pass
                print("done")
                """, "", Duration.ofSeconds(5), out, new ArrayList<>());
        RunResult r = p.waitFor();
        assertThat(r.exitCode()).isZero();
        assertThat(r.maxRssKb()).isGreaterThan(80_000L);
        assertThat(r.cpuSeconds()).isGreaterThan(0.35);
    }

    @Test
    void stopSendsSigtermThenSigkillToTheWholeGroup() throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        RunningProcess p = start("""
                import os, signal, subprocess, sys, time
                def term(*_):
                    print("got SIGTERM, ignoring it", flush=True)
                signal.signal(signal.SIGTERM, term)
                child = subprocess.Popen([sys.executable, "-c",
                    "import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"])
                print("grandchild", child.pid, flush=True)
                while True:
                    time.sleep(0.1)
                """, "", Duration.ofSeconds(1), out, new ArrayList<>());
        long grandchild = awaitGrandchild(out);
        long t0 = System.nanoTime();
        p.stop();
        RunResult r = p.waitFor();
        double took = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(100);
        assertThat(out).contains("got SIGTERM, ignoring it");
        assertThat(r.exitCode()).isEqualTo(137);
        assertThat(r.signal()).isEqualTo(9);
        assertThat(took).isBetween(0.9, 4.0);
        assertThat(Procs.awaitGone(grandchild, Duration.ofSeconds(2))).as("grandchild killed").isTrue();
    }

    @Test
    void aTaskThatExitsOnSigtermEndsQuicklyAndTakesItsGrandchildren() throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        RunningProcess p = start("""
                import subprocess, sys, time
                child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
                print("grandchild", child.pid, flush=True)
                time.sleep(300)
                """, "", Duration.ofSeconds(10), out, new ArrayList<>());
        long grandchild = awaitGrandchild(out);
        long t0 = System.nanoTime();
        p.stop();
        RunResult r = p.waitFor();
        // well under the 10 s grace: the stop did not wait it out (loose bound: CI machines can be busy)
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5.0);
        assertThat(r.exitCode()).isEqualTo(128 + 15);
        assertThat(Procs.awaitGone(grandchild, Duration.ofSeconds(2))).isTrue();
    }

    @Test
    void leftoverBackgroundProcessesEndWithTheTask() throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        RunningProcess p = start("""
                import subprocess, sys
                child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                print("grandchild", child.pid, flush=True)
                """, "", Duration.ofSeconds(2), out, new ArrayList<>());
        RunResult r = p.waitFor();
        assertThat(r.exitCode()).isZero();
        assertThat(Procs.awaitGone(awaitGrandchild(out), Duration.ofSeconds(2))).isTrue();
    }

    static long awaitGrandchild(List<String> out) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            synchronized (out) {
                for (String l : out) if (l.startsWith("grandchild ")) return Long.parseLong(l.substring(11).trim());
            }
            Thread.sleep(25);
        }
        throw new AssertionError("the task never printed its grandchild's pid: " + out);
    }

    @Test
    void resultFileIsWrittenAtomically() throws Exception {
        RunningProcess p = start("print('x')", "", Duration.ofSeconds(1), new ArrayList<>(), new ArrayList<>());
        p.waitFor();
        assertThat(Files.readString(dir.resolve("result.json"))).contains("\"exitCode\": 0");
        assertThat(dir.resolve("result.json.tmp")).doesNotExist();
    }
}
