package io.drover.controller.install;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.config.InstallConfig;
import io.drover.controller.http.RootResource;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * One-line agent install on GPU boxes, PUBLIC (neither file holds a secret; the worker key is
 * given on the box): {@code GET /install/agent.sh} (the installer, with this controller's URL and
 * the bundle's SHA-256 written in) and {@code GET /install/drover-agent-linux-x64.tar.gz}.
 */
public final class InstallResource implements RootResource {
    /** What may go into the script as the controller URL: it is pasted into shell code. */
    private static final Pattern SAFE_URL = Pattern.compile("https?://[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|https?://\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");
    private static final String TEMPLATE = loadTemplate();

    private final AgentBundle bundle;
    private final String publicUrl;
    private final WorkerExecutor pool;

    public InstallResource(InstallConfig cfg, WorkerExecutor pool) {
        this.bundle = new AgentBundle(cfg.agentBundle());
        this.publicUrl = cfg.publicUrl();
        this.pool = pool;
    }

    @Override
    public void mount(Router root) {
        Access.route(root.get("/install/agent.sh"), Permission.PUBLIC).handler(this::script);
        Access.route(root.get("/install/" + AgentBundle.NAME), Permission.PUBLIC).handler(this::download);
    }

    private void script(RoutingContext ctx) {
        String url = publicUrl != null ? publicUrl : ctx.request().scheme() + "://" + requestAuthority(ctx);
        if (!SAFE_URL.matcher(url).matches()) {
            plain(ctx, 400, "echo 'drover: the controller URL this request came to (" + url.replaceAll("[^A-Za-z0-9.:/\\-\\[\\]]", "?")
                    + ") is not a plain host[:port]; start the controller with --public-url' >&2; exit 1\n");
            return;
        }
        pool.executeBlocking(bundle::current, false).onSuccess(info -> {
            String body = TEMPLATE.replace("@CONTROLLER_URL@", url)
                    .replace("@BUNDLE_NAME@", AgentBundle.NAME)
                    .replace("@BUNDLE_SHA256@", info == null ? "none" : info.sha256());
            ctx.response().putHeader("Content-Type", "text/x-shellscript; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .end(body);
        }).onFailure(ctx::fail);
    }

    private void download(RoutingContext ctx) {
        pool.executeBlocking(bundle::current, false).onSuccess(info -> {
            if (info == null) {
                plain(ctx, 404, bundle.configured()
                        ? "the agent bundle file is missing on the controller: rebuild it with scripts/build-agent-bundle.sh\n"
                        : "this controller serves no agent bundle: start it with --agent-bundle FILE (scripts/build-agent-bundle.sh makes one)\n");
                return;
            }
            ctx.response().putHeader("Content-Type", "application/gzip")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + AgentBundle.NAME + "\"")
                    .putHeader("X-Drover-Sha256", info.sha256())
                    .sendFile(info.file().toString());
        }).onFailure(ctx::fail);
    }

    /** host[:port] the request came to, or "" when its Host header is missing or malformed (Vert.x throws then). */
    private static String requestAuthority(RoutingContext ctx) {
        try {
            var a = ctx.request().authority();
            return a == null ? "" : a.toString();
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static void plain(RoutingContext ctx, int status, String text) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(text);
    }

    private static String loadTemplate() {
        try (InputStream in = InstallResource.class.getResourceAsStream("/io/drover/controller/install/agent.sh")) {
            if (in == null) throw new IllegalStateException("agent.sh template missing from the controller jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
