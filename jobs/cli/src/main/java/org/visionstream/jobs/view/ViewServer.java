package org.visionstream.jobs.view;

import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The live view's web server (Javalin on Jetty): {@code /} is the page, {@code /events} streams one
 * server-sent event per camera whose latest frame changed. Each page gets the latest frame of each camera
 * when it is ready for it: a slow browser skips frames instead of holding up the feed or other pages.
 */
final class ViewServer implements AutoCloseable {

    /** A comment line this often keeps proxies and the browser from closing an idle stream. */
    private static final long HEARTBEAT_MILLIS = 15_000;

    private final LiveBoard board;
    private final Javalin app;
    private final String host;

    private ViewServer(String host, int port, LiveBoard board) {
        this.board = board;
        this.host = host;
        byte[] page = page();
        this.app = Javalin.create(config -> {
                    config.showJavalinBanner = false;
                    config.startupWatcherEnabled = false;
                })
                .get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page))
                .sse("/events", this::stream)
                .start(host, port);
    }

    /** Serves {@code board} on {@code host:port} (port 0: any free port). */
    public static ViewServer start(String host, int port, LiveBoard board) {
        return new ViewServer(host, port, board);
    }

    /** The page's address. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + ("0.0.0.0".equals(host) || "::".equals(host) ? "localhost" : h) + ":" + app.port() + "/";
    }

    /** Runs on Javalin's async pool for as long as the page stays open. */
    private void stream(SseClient client) {
        Map<String, Long> sent = new HashMap<>();
        long seen = -2;
        try {
            while (!client.terminated()) {
                long now = board.awaitChange(seen, HEARTBEAT_MILLIS);
                if (now < 0) {
                    return;
                }
                if (now == seen) {
                    client.sendComment("heartbeat");
                    continue;
                }
                seen = now;
                for (String message : board.messagesSince(sent)) {
                    client.sendEvent("camera", message);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] page() {
        try (InputStream in = ViewServer.class.getResourceAsStream("index.html")) {
            if (in == null) {
                throw new IllegalStateException("index.html is missing beside " + ViewServer.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the view page", e);
        }
    }

    /** Ends every page's stream, then stops the server. */
    @Override
    public void close() {
        board.close();
        app.stop();
    }
}
