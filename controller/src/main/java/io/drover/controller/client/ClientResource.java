package io.drover.controller.client;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.http.RootResource;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves the Python client, PUBLIC (it holds no secret, and a laptop needs it before it has a key):
 * {@code GET /client/python/drover.py} (the single module) and
 * {@code GET /client/python/drover-VERSION-py3-none-any.whl} ({@code pip install URL});
 * {@code GET /client/python/} lists both.
 */
public final class ClientResource implements RootResource {
    private final PythonClient client;

    public ClientResource(PythonClient client) {
        this.client = client;
    }

    @Override
    public void mount(Router root) {
        Access.route(root.get("/client/python/"), Permission.PUBLIC).handler(this::index);
        Access.route(root.get("/client/python/drover.py"), Permission.PUBLIC)
                .handler(ctx -> send(ctx, client.module(), "text/x-python; charset=utf-8", "drover.py"));
        Access.route(root.get("/client/python/" + client.wheelName()), Permission.PUBLIC)
                .handler(ctx -> send(ctx, client.wheel(), "application/zip", client.wheelName()));
    }

    private void index(RoutingContext ctx) {
        String text = "Drover Python client " + client.version() + "\n"
                + "  pip install <controller>/client/python/" + client.wheelName() + "\n"
                + "  or download <controller>/client/python/drover.py next to your script\n";
        ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(text);
    }

    private static void send(RoutingContext ctx, byte[] body, String type, String name) {
        ctx.response().putHeader("Content-Type", type)
                .putHeader("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .end(Buffer.buffer(body));
    }
}
