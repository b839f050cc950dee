package io.drover.controller.load;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What one load run does.
 *
 * @param agents           simulated agents, split evenly over the controllers
 * @param tasks            tasks created (and enqueued) through the API while the agents claim
 * @param queues           how many queues the tasks are spread over (every agent serves all, round-robin)
 * @param priorities       the priorities the tasks get, in equal shares (higher is claimed first)
 * @param runMillis        how long a simulated task "runs" (a timer), 0 = finish at once
 * @param claimWaitSeconds the claim long-poll's {@code wait}
 * @param lease            the controllers' lease; short, so a lost agent would show within the run
 * @param heartbeat        the controllers' heartbeat period (agents heartbeat at this rate)
 * @param enqueueLanes     concurrent task creations (the API has no bulk create)
 * @param timeout          the run gives up after this long (the bench must stop by itself)
 */
record LoadPlan(int agents, int tasks, int queues, List<Integer> priorities, int runMillis, int claimWaitSeconds,
                Duration lease, Duration heartbeat, int enqueueLanes, Duration timeout) {

    LoadPlan {
        if (agents < 1 || tasks < 1 || queues < 1 || priorities.isEmpty() || enqueueLanes < 1) {
            throw new IllegalArgumentException("agents, tasks, queues, priorities and enqueue lanes must all be at least 1");
        }
        priorities = List.copyOf(priorities);
    }

    /** The scenario: 200 agents, 20,000 tasks, 4 queues, 3 priorities; the default 5 s heartbeat with a 20 s lease. */
    static LoadPlan full() {
        return new LoadPlan(200, 20_000, 4, List.of(10, 5, 0), 5, 10, Duration.ofSeconds(20), Duration.ofSeconds(5), 16,
                Duration.ofMinutes(10));
    }

    /** The test suite's version: 20 agents, 1,000 tasks, 10 s lease / 3 s heartbeat. */
    static LoadPlan small() {
        // a 10 s lease: a task whose claim answer was lost comes back within the run
        return new LoadPlan(20, 1_000, 4, List.of(10, 5, 0), 5, 10, Duration.ofSeconds(10), Duration.ofSeconds(3), 16,
                Duration.ofSeconds(45));
    }

    LoadPlan withAgents(int v) { return new LoadPlan(v, tasks, queues, priorities, runMillis, claimWaitSeconds, lease, heartbeat, enqueueLanes, timeout); }
    LoadPlan withTasks(int v) { return new LoadPlan(agents, v, queues, priorities, runMillis, claimWaitSeconds, lease, heartbeat, enqueueLanes, timeout); }
    LoadPlan withRunMillis(int v) { return new LoadPlan(agents, tasks, queues, priorities, v, claimWaitSeconds, lease, heartbeat, enqueueLanes, timeout); }
    LoadPlan withTimeout(Duration v) { return new LoadPlan(agents, tasks, queues, priorities, runMillis, claimWaitSeconds, lease, heartbeat, enqueueLanes, v); }
    LoadPlan withEnqueueLanes(int v) { return new LoadPlan(agents, tasks, queues, priorities, runMillis, claimWaitSeconds, lease, heartbeat, v, timeout); }

    List<String> queueNames() {
        return IntStream.range(0, queues).mapToObj(i -> "load-" + i).toList();
    }

    /** Task {@code i}'s queue and priority: every (queue, priority) pair gets an equal share, interleaved. */
    String queueOf(int i) {
        return "load-" + (i % queues);
    }

    int priorityOf(int i) {
        return priorities.get((i / queues) % priorities.size());
    }
}
