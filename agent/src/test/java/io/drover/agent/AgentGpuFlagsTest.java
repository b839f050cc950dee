package io.drover.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code drover agent --gpus/--max-parallel/--nvidia-smi}: wrong values stop the agent at once with a message saying why. */
class AgentGpuFlagsTest {
    @TempDir
    Path tmp;

    @Test
    void parsesTheGpuFlags() {
        AgentCommand c = new AgentCommand();
        new CommandLine(c).parseArgs("--gpus", "0,1", "--max-parallel", "4", "--nvidia-smi", "/opt/nv/nvidia-smi");
        assertThat(c.gpus).isEqualTo("0,1");
        assertThat(c.maxParallel).isEqualTo(4);
        assertThat(c.nvidiaSmi).isEqualTo("/opt/nv/nvidia-smi");
        AgentCommand d = new AgentCommand();
        new CommandLine(d).parseArgs();
        assertThat(d.gpus).isNull();
        assertThat(d.maxParallel).isEqualTo(1);
    }

    @Test
    void aGpuThatIsNotThereIsRefusedWithAFakeNvidiaSmiListingTwo() throws Exception {
        Path smi = tmp.resolve("nvidia-smi");
        // FAKE nvidia-smi (no GPU here): two GPUs, 0 and 1
        Files.writeString(smi, "#!/bin/sh\necho '0, GPU-a, NVIDIA H100 80GB HBM3, 81559, 0, 81079, 0, 0, 38, 70.61, 700.00, [N/A], 580.159.04'\n"
                + "echo '1, GPU-b, NVIDIA H100 80GB HBM3, 81559, 0, 81079, 0, 0, 38, 70.61, 700.00, [N/A], 580.159.04'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run r = run("--gpus", "0,3", "--nvidia-smi", smi.toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("--gpus: GPU 3 is not on this machine; nvidia-smi lists [0, 1]");
    }

    @Test
    void gpusAllWithoutNvidiaSmiSaysSo() throws Exception {
        Run r = run("--gpus", "all", "--nvidia-smi", tmp.resolve("missing/nvidia-smi").toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("--gpus all: nvidia-smi found no GPU on this machine");
    }

    @Test
    void badFlagValues() throws Exception {
        assertThat(run("--gpus", "zero").err).contains("'zero' is not a GPU index; use all, none, or indexes like 0,1");
        assertThat(run("--max-parallel", "0").err).contains("--max-parallel must be between 1 and 256, got 0");
    }

    record Run(int code, String err) {}

    Run run(String... flags) {
        String[] args = new String[flags.length + 4];
        args[0] = "--controller";
        args[1] = "http://127.0.0.1:9";
        args[2] = "--work-dir";
        args[3] = tmp.resolve("w").toString();
        System.arraycopy(flags, 0, args, 4, flags.length);
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new AgentCommand()).execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }
}
