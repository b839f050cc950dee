package io.drover.agent.docker;

import io.drover.agent.launch.ArgTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The extra {@code docker run} arguments a task may pass ({@code container.args}), checked against a
 * whitelist. Everything that would widen what a task can reach on the agent's machine
 * ({@code --privileged}, {@code --cap-add}, {@code --device}, {@code --pid}, {@code --gpus},
 * {@code --security-opt}, any volume outside the operator's prefixes, …) is refused with the reason.
 *
 * <p>Allowed: {@code --shm-size SIZE}, {@code --ipc host|private|shareable|none},
 * {@code -e/--env NAME=VALUE} (not {@code DROVER_*} nor the GPU variables),
 * {@code -v/--volume HOST:CONTAINER[:ro|rw]} (HOST under a {@code --docker-volume-prefix}),
 * {@code --tmpfs PATH[:OPTIONS]}, {@code --ulimit NAME=SOFT[:HARD]}, {@code -u/--user USER[:GROUP]},
 * {@code --network host|bridge|none}, {@code --init}. Both {@code --flag=value} and {@code --flag value}.
 */
public record ExtraArgs(Long shmSize, String ipcMode, Map<String, String> env, List<Volume> volumes,
        Map<String, String> tmpfs, List<Ulimit> ulimits, String user, String network, boolean init) {

    /** A host folder mounted into the container. */
    public record Volume(Path host, String container, boolean readOnly) {}

    /** One resource limit, {@code --ulimit nofile=1024:4096}. */
    public record Ulimit(String name, long soft, long hard) {}

    static final String ALLOWED = "--shm-size, --ipc, -e/--env, -v/--volume, --tmpfs, --ulimit, -u/--user, --network, --init";
    private static final Set<String> IPC = Set.of("host", "private", "shareable", "none");
    private static final Set<String> NETWORKS = Set.of("host", "bridge", "none");
    private static final Set<String> RESERVED_ENV = Set.of("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES",
            "PYTHONPATH", "VIRTUAL_ENV");

    public static ExtraArgs none() {
        return new ExtraArgs(null, null, Map.of(), List.of(), Map.of(), List.of(), null, null, false);
    }

    public ExtraArgs {
        env = Map.copyOf(env);
        volumes = List.copyOf(volumes);
        tmpfs = Map.copyOf(tmpfs);
        ulimits = List.copyOf(ulimits);
    }

    /**
     * @param args           the task's {@code container.args}; an element like {@code "--shm-size 1g"}
     *                       is split as a shell would (no shell runs)
     * @param volumePrefixes host folders a {@code --volume} may come from (absolute, normalized)
     */
    public static ExtraArgs parse(List<String> args, List<Path> volumePrefixes) {
        List<String> tokens = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("-") && a.strip().contains(" ")) tokens.addAll(ArgTokenizer.split(a));
            else tokens.add(a);
        }
        Long shm = null;
        String ipc = null;
        String user = null;
        String network = null;
        boolean init = false;
        Map<String, String> env = new LinkedHashMap<>();
        List<Volume> volumes = new ArrayList<>();
        Map<String, String> tmpfs = new LinkedHashMap<>();
        List<Ulimit> ulimits = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String tok = tokens.get(i);
            String flag = tok;
            String value = null;
            int eq = tok.indexOf('=');
            if (tok.startsWith("--") && eq > 0) {
                flag = tok.substring(0, eq);
                value = tok.substring(eq + 1);
            }
            if (!flag.startsWith("-")) {
                throw new IllegalArgumentException("container.args: '" + tok + "' is not a docker option; allowed are " + ALLOWED);
            }
            if (flag.equals("--init")) {
                if (value != null) throw new IllegalArgumentException("container.args: --init takes no value");
                init = true;
                continue;
            }
            if (!isAllowed(flag)) {
                throw new IllegalArgumentException("container.args: docker option " + flag + " is not allowed for tasks"
                        + " (Drover accepts only " + ALLOWED + "; GPUs come from --gpus, limits from the agent's"
                        + " --docker-memory/--docker-cpus)");
            }
            if (value == null) {
                if (i + 1 >= tokens.size()) throw new IllegalArgumentException("container.args: " + flag + " needs a value");
                value = tokens.get(++i);
            }
            switch (flag) {
                case "--shm-size" -> shm = Sizes.parse(value, "--shm-size");
                case "--ipc" -> {
                    if (!IPC.contains(value)) throw new IllegalArgumentException("container.args: --ipc " + value + " is not one of " + IPC);
                    ipc = value;
                }
                case "-e", "--env" -> {
                    int e = value.indexOf('=');
                    if (e <= 0) throw new IllegalArgumentException("container.args: " + flag + " " + value + " must be NAME=VALUE");
                    String name = value.substring(0, e);
                    if (name.startsWith("DROVER_") || RESERVED_ENV.contains(name)) {
                        throw new IllegalArgumentException("container.args: " + flag + " may not set " + name + " (Drover sets it)");
                    }
                    env.put(name, value.substring(e + 1));
                }
                case "-v", "--volume" -> volumes.add(volume(value, volumePrefixes));
                case "--tmpfs" -> {
                    int c = value.indexOf(':');
                    String path = c < 0 ? value : value.substring(0, c);
                    if (!path.startsWith("/")) throw new IllegalArgumentException("container.args: --tmpfs " + value + " needs an absolute path");
                    tmpfs.put(path, c < 0 ? "" : value.substring(c + 1));
                }
                case "--ulimit" -> ulimits.add(ulimit(value));
                case "-u", "--user" -> {
                    if (!value.matches("[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?")) {
                        throw new IllegalArgumentException("container.args: --user " + value + " must be USER or USER:GROUP");
                    }
                    user = value;
                }
                case "--network" -> {
                    if (!NETWORKS.contains(value)) {
                        throw new IllegalArgumentException("container.args: --network " + value + " is not one of " + NETWORKS);
                    }
                    network = value;
                }
                default -> throw new IllegalStateException(flag);
            }
        }
        return new ExtraArgs(shm, ipc, env, volumes, tmpfs, ulimits, user, network, init);
    }

    private static boolean isAllowed(String flag) {
        return switch (flag) {
            case "--shm-size", "--ipc", "-e", "--env", "-v", "--volume", "--tmpfs", "--ulimit", "-u", "--user", "--network" -> true;
            default -> false;
        };
    }

    private static Volume volume(String spec, List<Path> prefixes) {
        String[] parts = spec.split(":");
        if (parts.length < 2 || parts.length > 3 || !parts[0].startsWith("/") || !parts[1].startsWith("/")) {
            throw new IllegalArgumentException("container.args: --volume " + spec + " must be /HOST/PATH:/CONTAINER/PATH[:ro|rw]"
                    + " (named volumes are not allowed)");
        }
        boolean ro = false;
        if (parts.length == 3) {
            if (!parts[2].equals("ro") && !parts[2].equals("rw")) {
                throw new IllegalArgumentException("container.args: --volume option '" + parts[2] + "' is not ro or rw");
            }
            ro = parts[2].equals("ro");
        }
        Path host = Path.of(parts[0]).normalize();
        if (prefixes.stream().noneMatch(host::startsWith)) {
            throw new IllegalArgumentException("container.args: --volume " + parts[0] + " is outside the folders this agent lets"
                    + " tasks mount (" + (prefixes.isEmpty() ? "none" : prefixes.toString())
                    + "); the operator adds one with drover agent --docker-volume-prefix DIR");
        }
        return new Volume(host, parts[1], ro);
    }

    private static Ulimit ulimit(String spec) {
        try {
            int eq = spec.indexOf('=');
            String name = spec.substring(0, eq);
            String[] v = spec.substring(eq + 1).split(":");
            long soft = Long.parseLong(v[0]);
            long hard = v.length > 1 ? Long.parseLong(v[1]) : soft;
            if (!name.matches("[a-z]+") || v.length > 2) throw new IllegalArgumentException();
            return new Ulimit(name, soft, hard);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("container.args: --ulimit " + spec + " must be NAME=SOFT[:HARD], e.g. memlock=-1:-1");
        }
    }
}
