package io.drover.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.testutil.Procs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task's processes never outlive the agent, even when the agent JVM is killed with SIGKILL. */
class AgentDeathTest {
    @TempDir
    Path dir;

    @Test
    void killDashNineOfTheAgentJvmEndsTheTaskAndItsGrandchildren() throws Exception {
        Procs.write(dir, "task.py", """
                import os, subprocess, sys, time
                child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
                print("task", os.getpid(), flush=True)
                print("grandchild", child.pid, flush=True)
                time.sleep(300)
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process agent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LaunchAndHang.class.getName(), dir.toString()).redirectErrorStream(true).start();
        List<Long> pids = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (pids.size() < 3 && (line = r.readLine()) != null) {
                String[] f = line.trim().split(" ");
                if (f.length == 2 && List.of("shim", "task", "grandchild").contains(f[0])) pids.add(Long.parseLong(f[1]));
            }
            assertThat(pids).hasSize(3);
            for (long pid : pids) assertThat(Procs.alive(pid)).isTrue();

            agent.destroyForcibly(); // SIGKILL: no shutdown hook, nothing in the JVM runs
            assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
            for (long pid : pids) {
                assertThat(Procs.awaitGone(pid, Duration.ofSeconds(5))).as("pid %d gone", pid).isTrue();
            }
        } finally {
            agent.destroyForcibly();
            for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
