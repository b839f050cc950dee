package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.cli.git.GitCapture;
import io.drover.agent.cli.git.GitSnapshot;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover submit}: captures the code as it is on disk and enqueues a task that runs it. */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a script from a git work tree on a queue.",
                "Captures the remote (or local path), branch, commit and uncommitted changes (new files included),"
                        + " so the agent runs exactly what is on disk. Prints the task id as the last line."})
final class SubmitCommand extends ClientCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", defaultValue = ".",
            description = "Directory inside the git work tree (default: the current one).")
    Path dir;

    @Option(names = "--script", required = true, paramLabel = "FILE", description = "Python script to run, relative to DIR.")
    String script;

    @Option(names = "--args", paramLabel = "ARGS", description = "Arguments for the script, as one string (e.g. \"--epochs 3\").")
    String args;

    @Option(names = "--requirements", paramLabel = "FILE",
            description = "pip requirements file (default: requirements.txt in DIR if there is one).")
    String requirements;

    @Option(names = "--project", paramLabel = "NAME", description = "Project (default: default).")
    String project;

    @Option(names = "--name", paramLabel = "NAME", description = "Task name (default: the script's file name without .py).")
    String name;

    @Option(names = "--queue", paramLabel = "NAME", description = "Queue (default: default).")
    String queue;

    @Option(names = "--priority", paramLabel = "N", description = "Higher runs first (default: 0).")
    Integer priority;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Parameter the script's argparse sees (repeatable).")
    List<String> params;

    @Option(names = "--tag", paramLabel = "TAG", description = "Tag (repeatable).")
    List<String> tags;

    @Option(names = "--retries", paramLabel = "N", description = "Requeues allowed after a lost worker (default: 1).")
    Integer retries;

    @Option(names = "--wait", description = "Stream the task's output and exit with its exit code.")
    boolean waitForTask;

    @Option(names = "--gpus", paramLabel = "N",
            description = "GPUs the task needs (default: 0); only an agent with that many free (drover agent --gpus) runs it.")
    Integer gpus;

    @Option(names = "--env-manager", paramLabel = "MANAGER",
            description = "Python environment: auto (default: from the files in the repo), pip, uv, poetry, conda or system.")
    String envManager;

    @Option(names = "--python", paramLabel = "VERSION", description = "Python version for the environment, e.g. 3.11 (default: the agent's).")
    String pythonVersion;

    @Option(names = "--docker", paramLabel = "IMAGE", description = "Run the task in this Docker image (e.g. python:3.11).")
    String dockerImage;

    @Option(names = "--docker-arg", paramLabel = "ARG",
            description = "Extra docker run argument for --docker, e.g. --shm-size=1g (repeatable; the agent allows only its whitelist).")
    List<String> dockerArgs;

    @Option(names = "--docker-pull", paramLabel = "POLICY", description = "When to pull the --docker image: missing (default), always or never.")
    String dockerPull;

    @Override
    public Integer call() {
        Map<String, String> p = parseParams(params);
        checkName(project, "--project");
        checkName(queue, "--queue");
        if (retries != null && retries < 0) throw usage("--retries must be 0 or more");
        if (gpus != null && gpus < 0) throw usage("--gpus must be 0 or more");
        if ((dockerArgs != null || dockerPull != null) && dockerImage == null) throw usage("--docker-arg and --docker-pull need --docker IMAGE");
        GitSnapshot git = GitCapture.capture(dir);
        String entry;
        String reqs;
        String workingDir;
        try {
            workingDir = ScriptLocator.workingDir(git.root(), dir);
            entry = ScriptLocator.entryPoint(git.root(), dir, script);
            if (entry.startsWith("../")) {
                // the API keeps entry points inside the working dir: run a script above it from the root
                workingDir = ".";
                entry = ScriptLocator.entryPoint(git.root(), git.root(), dir.resolve(script).toAbsolutePath().normalize().toString());
            }
            reqs = ScriptLocator.requirements(git.root(), dir, requirements);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        git.warnings().forEach(w -> err().println("warning: " + w));
        ObjectNode body = body(git, workingDir, entry, reqs, p);
        JsonNode task = client().post(V1 + "/tasks", body).orElseThrow();
        return Submitted.report(this, task, waitForTask);
    }

    ObjectNode body(GitSnapshot git, String workingDir, String entry, String reqs, Map<String, String> p) {
        ObjectNode b = Json.object();
        b.put("name", name != null ? name : defaultName(entry));
        if (project != null) b.put("project", project);
        if (queue != null) b.put("queue", queue);
        if (priority != null) b.put("priority", priority);
        if (retries != null) b.put("retries", retries);
        if (tags != null && !tags.isEmpty()) tags.forEach(b.putArray("tags")::add);
        if (!p.isEmpty()) b.set("params", Json.MAPPER.valueToTree(p));
        ObjectNode s = b.putObject("script");
        s.put("repo", git.repo());
        if (git.branch() != null) s.put("branch", git.branch());
        s.put("commit", git.commit());
        s.put("entryPoint", entry);
        s.put("workingDir", workingDir);
        if (args != null && !args.isBlank()) s.put("args", args);
        if (reqs != null) s.put("requirements", reqs);
        if (git.hasDiff()) s.put("diff", git.diff());
        runtime(b);
        b.put("enqueue", true);
        return b;
    }

    /** resources, environment, container (issue 5); the controller validates the values and names a wrong one. */
    void runtime(ObjectNode b) {
        if (gpus != null) b.putObject("resources").put("gpus", gpus);
        if (envManager != null || pythonVersion != null) {
            ObjectNode e = b.putObject("environment");
            if (envManager != null) e.put("manager", envManager);
            if (pythonVersion != null) e.put("python", pythonVersion);
        }
        if (dockerImage != null) {
            ObjectNode c = b.putObject("container").put("image", dockerImage);
            if (dockerArgs != null) dockerArgs.forEach(c.putArray("args")::add);
            if (dockerPull != null) c.put("pullPolicy", dockerPull);
        }
    }

    static String defaultName(String entryPoint) {
        String base = entryPoint.substring(entryPoint.lastIndexOf('/') + 1);
        return base.endsWith(".py") ? base.substring(0, base.length() - 3) : base;
    }

    Map<String, String> parseParams(List<String> given) {
        try {
            return ParamParser.parse(given);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    void checkName(String value, String option) {
        if (value != null && !Ids.isName(value)) {
            throw usage(option + " '" + value + "' is not a valid name: use 1-64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
    }
}
