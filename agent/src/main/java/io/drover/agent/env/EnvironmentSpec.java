package io.drover.agent.env;

/**
 * What a task asks of its environment. {@code requirements} is the content of its requirements
 * file (null: none), {@code requirementsName} the file's name for messages.
 */
public record EnvironmentSpec(String requirements, String requirementsName) {
    public static EnvironmentSpec none() {
        return new EnvironmentSpec(null, null);
    }

    public boolean hasRequirements() {
        return requirements != null && !requirements.isBlank();
    }
}
