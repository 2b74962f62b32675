package org.visionstream.jobs.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.produce.FrameProducerOptions;
import org.visionstream.jobs.produce.ProducerSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code visionstream produce --bootstrap-servers HOST:PORT SOURCE}: publishes a camera's frames to the
 * frames topic, with progress on stderr and a summary on stdout. Ctrl-C stops after the current frame and
 * still flushes and prints the summary.
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Publish frames from a video file, a stream URL or an image folder to the frames topic.")
public final class ProduceCommand implements Callable<Integer> {

    /** How long Ctrl-C waits for the run to flush and print before the JVM exits anyway. */
    private static final long SHUTDOWN_WAIT_SECONDS = 30;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]", description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--topic", description = "Frames topic (default: ${DEFAULT-VALUE}).")
    String topic = FrameProducerOptions.DEFAULT_TOPIC;

    @Option(names = "--camera-id", description = "Record key and camera-id header (default: ${DEFAULT-VALUE}).")
    String cameraId = FrameProducerOptions.DEFAULT_CAMERA_ID;

    @Option(names = "--fps", description = "Frames per second sampled from the video by timestamp, or the pace of an image folder; 0 = every frame (default: ${DEFAULT-VALUE}).")
    double fps = FrameProducerOptions.DEFAULT_FPS;

    @Option(names = "--jpeg-quality", description = "JPEG quality of video frames, 1-100 (default: ${DEFAULT-VALUE}).")
    int jpegQuality = FrameProducerOptions.DEFAULT_JPEG_QUALITY;

    @Option(names = "--max-frames", description = "Stop after this many frames, 0 = the whole source (default: ${DEFAULT-VALUE}).")
    long maxFrames;

    @Option(names = "--realtime", description = "Send files and folders at their capture pace instead of as fast as possible.")
    boolean realtime;

    @Option(names = "--start-sequence", description = "frame-seq of the first frame (default: ${DEFAULT-VALUE}).")
    long startSequence;

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE", description = "Extra Kafka producer setting, repeatable (e.g. security.protocol=SSL).")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Parameters(index = "0", paramLabel = "SOURCE", description = "Video file, stream URL (rtsp://, http(s)://) or folder of .jpg/.png images.")
    String source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        FrameProducer producer = new FrameProducer(options());
        Thread hook = new Thread(() -> {
            producer.stop();
            awaitQuietly(finished);
        }, "produce-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (producer) {
            ProducerSummary s = producer.run((frames, bytes, seconds) -> System.err.printf(Locale.ROOT,
                    "sent %d frames (%.1f fps, %.1f MB)%n", frames, seconds > 0 ? frames / seconds : 0, bytes / 1e6));
            System.out.printf(Locale.ROOT, "%d frames of %s (frame-seq %d..%d, %.1f MB) sent to %s in %.1f s, %.1f fps%n",
                    s.framesSent(), cameraId, s.firstSequence(), s.lastSequence(), s.bytesSent() / 1e6, topic,
                    s.elapsedSeconds(), s.fps());
        } finally {
            finished.countDown();
            removeHook(hook);
        }
        return 0;
    }

    /** The options; a value they reject is a usage error, reported like picocli's own. */
    private FrameProducerOptions options() {
        try {
            return FrameProducerOptions.builder()
                    .bootstrapServers(bootstrapServers)
                    .topic(topic)
                    .cameraId(cameraId)
                    .source(source)
                    .fps(fps)
                    .jpegQuality(jpegQuality)
                    .maxFrames(maxFrames)
                    .realtime(realtime)
                    .startSequence(startSequence)
                    .producerProperties(producerProperties)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                System.err.println("the producer did not finish within " + SHUTDOWN_WAIT_SECONDS + " s, exiting anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running and has just been released by the latch
        }
    }
}
