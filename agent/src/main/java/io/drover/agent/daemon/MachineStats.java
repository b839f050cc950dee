package io.drover.agent.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Machine figures for the heartbeat: CPU% since the previous sample (from /proc/stat, else the
 * JVM's OperatingSystemMXBean), memory from /proc/meminfo (MemAvailable counts cache as free),
 * and free disk under the work dir.
 */
final class MachineStats {
    private final Path workDir;
    private long prevIdle = -1;
    private long prevTotal = -1;

    MachineStats(Path workDir) {
        this.workDir = workDir;
    }

    synchronized ObjectNode sample() {
        ObjectNode s = Json.object();
        s.put("cpuPercent", round(cpuPercent()));
        long[] mem = memoryMb();
        s.put("memUsedMb", mem[0]);
        s.put("memTotalMb", mem[1]);
        try {
            s.put("diskFreeMb", Files.getFileStore(Files.exists(workDir) ? workDir : workDir.getRoot()).getUsableSpace() >> 20);
        } catch (IOException e) {
            s.put("diskFreeMb", -1);
        }
        return s;
    }

    private double cpuPercent() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            double pct = 0;
            if (prevTotal >= 0 && total > prevTotal) pct = 100.0 * (1 - (double) (idle - prevIdle) / (total - prevTotal));
            prevIdle = idle;
            prevTotal = total;
            return Math.max(0, Math.min(100, pct));
        } catch (IOException | RuntimeException e) {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return Math.max(0, os.getCpuLoad() * 100);
            }
            return -1;
        }
    }

    private static long[] memoryMb() {
        try {
            long total = -1;
            long avail = -1;
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) total = kb(l);
                else if (l.startsWith("MemAvailable:")) avail = kb(l);
            }
            if (total > 0 && avail >= 0) return new long[] {(total - avail) >> 10, total >> 10};
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            return new long[] {(total - os.getFreeMemorySize()) >> 20, total >> 20};
        }
        return new long[] {-1, -1};
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private static double round(double d) {
        return Math.round(d * 10) / 10.0;
    }
}
