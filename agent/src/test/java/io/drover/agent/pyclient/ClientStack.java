package io.drover.agent.pyclient;

import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the Python client tests run against: a real controller with auth on (short heartbeat and
 * lease), its bootstrap admin, a user "alice" with a laptop key, and a real agent on the default
 * queue holding the bootstrap worker key.
 */
final class ClientStack implements AutoCloseable {
    final Controller controller;
    final Bootstrap.Result boot;
    final ApiClient admin;
    final String userKey;
    final Agent agent;

    private ClientStack(Controller controller, Bootstrap.Result boot, ApiClient admin, String userKey, Agent agent) {
        this.controller = controller;
        this.boot = boot;
        this.admin = admin;
        this.userKey = userKey;
        this.agent = agent;
    }

    static ClientStack start(Path tmp, String agentName) throws Exception {
        Controller controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(10)));
        Bootstrap.Result boot = controller.bootstrap();
        ApiClient admin = new ApiClient(controller.baseUrl(), boot.adminKey());
        admin.post("/api/v1/users", Json.object().put("username", "alice").put("password", "alice-password-123"));
        String userKey = admin.post("/api/v1/keys", Json.object().put("name", "laptop").put("kind", "user").put("user", "alice"))
                .orElseThrow().path("key").asText();
        Agent agent = Agent.start(AgentConfig.of(controller.baseUrl(), tmp.resolve("agent")).withName(agentName)
                .withQueues(List.of("default")).withGrace(Duration.ofSeconds(2)).withApiKey(boot.agentKey()));
        if (!agent.awaitRegistered(Duration.ofSeconds(20))) throw new IllegalStateException("the agent did not register");
        return new ClientStack(controller, boot, admin, userKey, agent);
    }

    /** The client package's folder in the sources, for {@code PYTHONPATH}. */
    static Path clientDir() {
        return Path.of("../shared/src/main/resources/io/drover/client/python").toAbsolutePath().normalize();
    }

    @Override
    public void close() throws Exception {
        agent.close();
        controller.close();
    }
}
