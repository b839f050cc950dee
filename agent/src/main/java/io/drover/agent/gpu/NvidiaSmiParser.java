package io.drover.agent.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses {@code nvidia-smi --format=csv,noheader,nounits} output. Columns are found by the field
 * names of the query (so the parser and the command line cannot drift apart); {@code [N/A]},
 * {@code [Not Supported]} and empty cells become null; a line that does not have every column, or
 * whose index is not a number, is skipped (a driver warning printed to stdout must not turn into a GPU).
 */
public final class NvidiaSmiParser {
    /**
     * The query the agent runs, in the order of the real H100 outputs in
     * {@code shared/fixtures/nvidia-smi/h100-80gb/query-gpu-*.csv}.
     */
    public static final List<String> GPU_FIELDS = List.of("index", "uuid", "name", "memory.total", "memory.used",
            "memory.free", "utilization.gpu", "utilization.memory", "temperature.gpu", "power.draw", "power.limit",
            "fan.speed", "driver_version");
    /** The compute-apps query, in the order of {@code query-apps-busy.csv}. */
    public static final List<String> APP_FIELDS = List.of("pid", "process_name", "gpu_uuid", "used_memory");

    private NvidiaSmiParser() {}

    public static List<GpuStat> gpus(String csv) {
        return gpus(csv, GPU_FIELDS);
    }

    /** The GPUs of output produced by {@code --query-gpu=<fields joined by ,>}. */
    public static List<GpuStat> gpus(String csv, List<String> fields) {
        int index = fields.indexOf("index");
        int uuid = fields.indexOf("uuid");
        int name = fields.indexOf("name");
        int util = fields.indexOf("utilization.gpu");
        int used = fields.indexOf("memory.used");
        int total = fields.indexOf("memory.total");
        int temp = fields.indexOf("temperature.gpu");
        int power = fields.indexOf("power.draw");
        if (index < 0) throw new IllegalArgumentException("the GPU query must include 'index'");
        List<GpuStat> out = new ArrayList<>();
        for (String[] cells : rows(csv, fields.size())) {
            Long i = whole(cells, index);
            if (i == null) continue;
            out.add(new GpuStat(i.intValue(), text(cells, uuid), text(cells, name), decimal(cells, util),
                    whole(cells, used), whole(cells, total), decimal(cells, temp), decimal(cells, power)));
        }
        return out;
    }

    public static List<GpuProcess> processes(String csv) {
        List<GpuProcess> out = new ArrayList<>();
        for (String[] cells : rows(csv, APP_FIELDS.size())) {
            Long pid = whole(cells, 0);
            if (pid == null) continue;
            out.add(new GpuProcess(pid, text(cells, 1), text(cells, 2), whole(cells, 3)));
        }
        return out;
    }

    /**
     * Lines split on commas into exactly {@code n} trimmed cells; any other line is skipped (a
     * warning, or a name with a comma in it, which no NVIDIA product name has).
     */
    private static List<String[]> rows(String csv, int n) {
        List<String[]> out = new ArrayList<>();
        if (csv == null) return out;
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) continue;
            String[] cells = line.split(",", -1);
            if (cells.length != n) continue;
            for (int i = 0; i < n; i++) cells[i] = cells[i].trim();
            out.add(cells);
        }
        return out;
    }

    private static String text(String[] cells, int i) {
        if (i < 0) return null;
        String s = cells[i];
        return missing(s) ? null : s;
    }

    private static Long whole(String[] cells, int i) {
        Double d = decimal(cells, i);
        return d == null ? null : Math.round(d);
    }

    private static Double decimal(String[] cells, int i) {
        String s = text(cells, i);
        if (s == null) return null;
        try {
            double d = Double.parseDouble(s);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean missing(String s) {
        if (s.isEmpty()) return true;
        String l = s.toLowerCase(Locale.ROOT);
        return l.startsWith("[n/a") || l.equals("n/a") || l.startsWith("[not supported") || l.startsWith("[unknown");
    }
}
