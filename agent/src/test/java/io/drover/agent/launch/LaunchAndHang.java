package io.drover.agent.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Child-JVM stand-in for an agent: starts a task through the launcher, echoes the task's output
 * (which includes its grandchild's pid) and then hangs until it is killed.
 */
public final class LaunchAndHang {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PYTHONUNBUFFERED", "1");
        RunningProcess p = new ProcessLauncher("python3", dir.resolve("bin")).start(new LaunchSpec(
                List.of("python3", "task.py"), dir, env, dir.resolve("result.json"), Duration.ofSeconds(1)));
        System.out.println("shim " + p.pid());
        p.stdout().transferTo(System.out);
        Thread.sleep(Long.MAX_VALUE);
        Files.writeString(dir.resolve("never"), "");
    }
}
