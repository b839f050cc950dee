package io.drover.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven wrote into the jar ({@code pom.properties}); "dev" when run from classes. */
final class VersionProvider implements IVersionProvider {
    static String version() {
        try (InputStream in = DroverCli.class.getResourceAsStream("/META-INF/maven/io.drover/drover-agent/pom.properties")) {
            if (in == null) return "dev";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"drover " + version() + " (API v1)"};
    }
}
