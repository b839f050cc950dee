package io.drover.controller.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The issue-6 load scenario as a benchmark (scripts/bench/cluster-load.sh): 200 simulated agents
 * against 2 clustered controllers, 20,000 tasks over 4 queues and 3 priorities, and the same load
 * against one controller in the same invocation for comparison. Prints one summary line per run
 * and the cluster/single ratios; exits 1 when a run was not exactly once.
 *
 * <pre>
 * --agents 200 --tasks 20000 --run-ms 5 --timeout-seconds 300 --backend h2|memory --controllers 2 --no-single
 * </pre>
 */
public final class ClusterLoadBench {
    private ClusterLoadBench() {}

    public static void main(String[] args) throws Exception {
        LoadPlan plan = LoadPlan.full();
        String backend = "h2";
        int controllers = 2;
        boolean single = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-single")) {
                single = false;
                continue;
            }
            if (i + 1 >= args.length) usage("missing value after " + a);
            String v = args[++i];
            switch (a) {
                case "--agents" -> plan = plan.withAgents(positive(a, v));
                case "--tasks" -> plan = plan.withTasks(positive(a, v));
                case "--run-ms" -> plan = plan.withRunMillis(Integer.parseInt(v));
                case "--timeout-seconds" -> plan = plan.withTimeout(Duration.ofSeconds(positive(a, v)));
                case "--enqueue-lanes" -> plan = plan.withEnqueueLanes(positive(a, v));
                case "--controllers" -> controllers = positive(a, v);
                case "--backend" -> backend = v;
                default -> usage("unknown option " + a);
            }
        }
        Path work = Files.createTempDirectory("drover-load");
        List<LoadResult> results = new ArrayList<>();
        try {
            System.out.printf(Locale.ROOT, "cluster-load: %d agents, %d tasks over %d queues x priorities %s, run %d ms, lease %d s,"
                            + " heartbeat %d s, store %s, %d cores, %s%n", plan.agents(), plan.tasks(), plan.queues(), plan.priorities(),
                    plan.runMillis(), plan.lease().toSeconds(), plan.heartbeat().toSeconds(), backend,
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            if (single) results.add(LoadRun.run("single", plan, 1, backend, work, System.out::println));
            if (single) System.out.println(results.get(0).summary());
            LoadResult cluster = LoadRun.run(controllers == 1 ? "single" : "cluster", plan, controllers, backend, work, System.out::println);
            results.add(cluster);
            System.out.println(cluster.summary());
            if (single) {
                LoadResult s = results.get(0);
                System.out.printf(Locale.ROOT, "cluster/single: throughput x%.2f, claim p50 x%.2f, claim p99 x%.2f%n",
                        cluster.throughput() / s.throughput(), cluster.claimP50Ms() / s.claimP50Ms(), cluster.claimP99Ms() / s.claimP99Ms());
            }
        } finally {
            deleteTree(work);
        }
        for (LoadResult r : results) {
            if (!r.exactlyOnce()) {
                System.out.println(r.label() + ": first errors: " + r.firstErrors());
                System.exit(1);
            }
        }
        System.exit(0); // the controllers' non-daemon threads are closed, but do not wait on stragglers
    }

    private static int positive(String flag, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        usage(flag + " needs a whole number of at least 1, got '" + v + "'");
        return 0;
    }

    private static void usage(String msg) {
        System.err.println("cluster-load: " + msg);
        System.err.println("usage: cluster-load.sh [--agents 200] [--tasks 20000] [--run-ms 5] [--timeout-seconds 300]"
                + " [--enqueue-lanes 16] [--controllers 2] [--backend h2|memory] [--no-single]");
        System.exit(2);
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
