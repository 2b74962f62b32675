package org.visionstream.jobs.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.visionstream.jobs.command.UsageException;
import org.visionstream.jobs.detection.KafkaPreflight;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.produce.FrameProducerOptions;
import org.visionstream.jobs.produce.ProducerSummary;
import org.visionstream.jobs.produce.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

    @Override
    public Integer call() throws Exception {
        FrameProducerOptions options = options();
        KafkaPreflight.check(bootstrapServers, producerProperties, List.of());
        try (FrameProducer producer = new FrameProducer(options);
                GracefulShutdown shutdown = GracefulShutdown.onSignal(producer::stop)) {
            ProducerSummary s = producer.run(ProgressListener.printingTo(System.err));
            System.out.printf(Locale.ROOT, "%d frames of %s (frame-seq %d..%d, %.1f MB) sent to %s in %.1f s, %.1f fps%n",
                    s.framesSent(), cameraId, s.firstSequence(), s.lastSequence(), s.bytesSent() / 1e6, topic,
                    s.elapsedSeconds(), s.fps());
        }
        return 0;
    }

    /** The options; a value they reject, or a video file that is not there, is the user's mistake. */
    private FrameProducerOptions options() {
        return UsageException.fromInput(() -> {
            FrameProducerOptions.requireSource(source);
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
        });
    }
}
