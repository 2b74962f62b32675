package org.visionstream.jobs.view;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.visionstream.jobs.cli.GracefulShutdown;
import org.visionstream.jobs.detection.KafkaPreflight;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code visionstream view --bootstrap-servers HOST:PORT}: a web page with every camera's latest frame, its
 * boxes drawn, and its rates, fed live from the frames and detections topics until Ctrl-C.
 */
@Command(
        name = "view",
        mixinStandardHelpOptions = true,
        description = "Serve a live web page of the cameras' frames with their detections drawn, read from Kafka.")
public final class ViewCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka.")
    String bootstrapServers;

    @Option(names = "--frames-topic", defaultValue = "frames", description = "Frames topic (default: ${DEFAULT-VALUE}).")
    String framesTopic;

    @Option(names = "--events-topic", defaultValue = "detections", description = "Detection events topic, read read_committed (default: ${DEFAULT-VALUE}).")
    String eventsTopic;

    @Mixin
    ViewAddress address;

    @Override
    public Integer call() throws Exception {
        KafkaPreflight.check(bootstrapServers, Map.of(), List.of(framesTopic, eventsTopic));
        CountDownLatch stop = new CountDownLatch(1);
        LiveBoard board = new LiveBoard();
        try (LiveFeed feed = new LiveFeed(bootstrapServers, framesTopic, eventsTopic, true, board);
                ViewServer server = address.start(board);
                GracefulShutdown shutdown = GracefulShutdown.onSignal(stop::countDown)) {
            System.out.println("live view at " + server.url() + " (Ctrl-C to stop)");
            stop.await();
        }
        return 0;
    }
}
