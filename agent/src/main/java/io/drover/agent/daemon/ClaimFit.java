package io.drover.agent.daemon;

/**
 * The claim body's {@code "gpus"} and {@code "minGpus"} (docs/API.md): the controller hands only a
 * task whose {@code resources.gpus} is between them.
 */
record ClaimFit(int minGpus, int maxGpus) {
    static final ClaimFit CPU_ONLY = new ClaimFit(0, 0);
}
