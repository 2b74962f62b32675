package org.visionstream.jobs.view;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.visionstream.jobs.cli.DetectorMixin;
import org.visionstream.jobs.command.UsageException;
import org.visionstream.jobs.detection.KafkaPreflight;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.produce.FrameProducerOptions;
import org.visionstream.jobs.produce.FrameSampler;
import org.visionstream.jobs.produce.ImageFolderSource;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.TrackedDetectionEvent;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.InvalidFrameException;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecodeException;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.preprocess.ImageRejectedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code visionstream annotate}: draws detections onto frames and writes them as a video or JPEGs, either
 * running the detector over a video, stream or image folder ({@code --model DIR SOURCE}) or joining a
 * finished run's frames and detection events read back from Kafka ({@code --bootstrap-servers}).
 */
@Command(
        name = "annotate",
        mixinStandardHelpOptions = true,
        description = "Write frames with their detections drawn, as a video when --out ends in .mp4 (.mkv, .mov, .avi), "
                + "else as JPEGs in the folder --out names: --model DIR SOURCE runs the detector over a video, stream or "
                + "image folder; --bootstrap-servers HOST:PORT draws a finished run's events onto its frames, read back from Kafka.")
public final class AnnotateCommand implements Callable<Integer> {

    /** The output rate of image folders, and of a run whose capture times give none. */
    private static final double DEFAULT_FPS = 5;

    @Spec
    CommandSpec spec;

    @Mixin
    DetectorMixin detector;

    @Parameters(arity = "0..1", paramLabel = "SOURCE", description = "Video file, stream URL or image folder (with --model).")
    String source;

    @Option(names = "--bootstrap-servers", description = "Read a finished run from this Kafka instead of running the detector.")
    String bootstrapServers;

    @Option(names = "--frames-topic", defaultValue = "frames", description = "With --bootstrap-servers: frames topic (default: ${DEFAULT-VALUE}).")
    String framesTopic;

    @Option(names = "--events-topic", defaultValue = "detections",
            description = "With --bootstrap-servers: detection events topic, read read_committed (default: ${DEFAULT-VALUE}).")
    String eventsTopic;

    @Option(names = "--camera-id", description = "With --bootstrap-servers: the camera to draw (needed when the topics hold several).")
    String cameraId;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT", description = "FILE.mp4 (.mkv, .mov, .avi) or a folder for JPEGs.")
    Path out;

    @Option(names = "--fps", defaultValue = "0",
            description = "A video's frames per second to take, 0 = every frame (default); the output rate of an image folder "
                    + "(0: 5) or of a run read back (0: from its capture times).")
    double fps;

    @Option(names = "--max-frames", defaultValue = "0", description = "Stop after this many frames, 0 = all.")
    long maxFrames;

    private final DetectionPainter painter = new DetectionPainter();

    @Override
    public Integer call() throws Exception {
        if (bootstrapServers != null) {
            if (source != null || detector.hasModel()) {
                throw new ParameterException(spec.commandLine(),
                        "either --model with a SOURCE (run the detector) or --bootstrap-servers (a finished run), not both");
            }
            KafkaPreflight.check(bootstrapServers, Map.of(), List.of(framesTopic, eventsTopic));
            return fromTopics();
        }
        if (source == null) {
            throw new ParameterException(spec.commandLine(),
                    "give a SOURCE (video, stream or image folder) with --model, or --bootstrap-servers to draw a finished run");
        }
        UsageException.fromInput(() -> {
            FrameProducerOptions.requireSource(source);
            return source;
        });
        long written;
        try (Detector d = detector.open()) {
            written = Files.isDirectory(Path.of(source)) ? fromImages(d, Path.of(source)) : fromVideo(d);
        }
        System.err.printf("%d annotated frames written to %s%n", written, out);
        return written > 0 ? 0 : 1;
    }

    private long fromVideo(Detector detector) throws IOException, OrtException, ImageRejectedException {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source);
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            grabber.start();
            double rate = fps > 0 ? fps : grabber.getFrameRate() > 0 ? grabber.getFrameRate() : DEFAULT_FPS;
            FrameSampler sampler = new FrameSampler(fps);
            try (AnnotatedOutput output = new AnnotatedOutput(out, rate)) {
                Frame frame;
                while ((maxFrames == 0 || output.frames() < maxFrames) && (frame = grabber.grabImage()) != null) {
                    if (sampler.keep(frame.timestamp)) {
                        // the converter's Mat wraps the grabber's buffer: drawn on in place, not ours to close
                        Mat bgr = converter.convert(frame);
                        painter.paint(bgr, detector.detect(Images.toDecodedImage(bgr)).detections());
                        output.write(bgr);
                    }
                }
                report(output);
                return output.frames();
            }
        } catch (FrameGrabber.Exception e) {
            throw new IOException("cannot read video source " + source + ": " + e.getMessage(), e);
        }
    }

    private long fromImages(Detector detector, Path folder) throws IOException, OrtException {
        ImageDecoder decoder = new ImageDecoder();
        try (AnnotatedOutput output = new AnnotatedOutput(out, fps > 0 ? fps : DEFAULT_FPS)) {
            for (Path file : ImageFolderSource.images(folder)) {
                if (maxFrames > 0 && output.frames() >= maxFrames) {
                    break;
                }
                DecodedImage image;
                try {
                    image = decoder.decode(Files.readAllBytes(file));
                } catch (ImageDecodeException e) {
                    System.err.println(file + ": " + e.getMessage() + ", skipped");
                    continue;
                }
                List<Detection> detections;
                try {
                    detections = detector.detect(image).detections();
                } catch (ImageRejectedException e) {
                    System.err.println(file + ": " + e.getMessage() + ", skipped");
                    continue;
                }
                try (Mat bgr = Images.toMat(image)) {
                    painter.paint(bgr, detections);
                    output.write(bgr);
                }
            }
            report(output);
            return output.frames();
        }
    }

    /**
     * Two passes: every committed event first (small), then the frames, each drawn as it meets its event,
     * so that no frame waits in memory.
     */
    private int fromTopics() throws IOException {
        long now = System.currentTimeMillis();
        Map<String, List<TrackedDetectionEvent>> events = new TreeMap<>();
        try (CommittedRecordsReader reader = new CommittedRecordsReader(bootstrapServers, List.of(eventsTopic),
                FrameProducer.MAX_REQUEST_BYTES)) {
            while (!reader.caughtUp()) {
                IOException[] bad = new IOException[1];
                reader.poll(Duration.ofMillis(500), r -> {
                    try {
                        TrackedDetectionEvent e = TopicRecords.event(r);
                        events.computeIfAbsent(e.event().cameraId(), c -> new ArrayList<>()).add(e);
                    } catch (IOException e) {
                        bad[0] = e;
                    }
                });
                if (bad[0] != null) {
                    throw bad[0];
                }
            }
        }
        String camera = camera(events);
        List<TrackedDetectionEvent> cameraEvents = events.get(camera);
        double rate = fps > 0 ? fps : captureRate(cameraEvents);
        long[] unmatched = {cameraEvents.size()};
        try (AnnotatedOutput output = new AnnotatedOutput(out, rate);
                CommittedRecordsReader reader = new CommittedRecordsReader(bootstrapServers, List.of(framesTopic),
                        FrameProducer.MAX_REQUEST_BYTES)) {
            TrackTrails trails = new TrackTrails();
            FrameEventJoiner joiner = new FrameEventJoiner(Integer.MAX_VALUE, Long.MAX_VALUE, joined -> {
                trails.add(joined.tracked());
                try (Mat bgr = Images.annotated(joined, trails.trails(), painter)) {
                    output.write(bgr);
                    unmatched[0]--;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            for (TrackedDetectionEvent e : cameraEvents) {
                joiner.event(e, now);
            }
            while (!reader.caughtUp() && (maxFrames == 0 || output.frames() < maxFrames)) {
                reader.poll(Duration.ofMillis(500), r -> {
                    try {
                        FrameMetadata frame = TopicRecords.frame(r, now);
                        if (frame.cameraId().equals(camera) && (maxFrames == 0 || output.frames() < maxFrames)) {
                            joiner.frame(camera, frame.sequence(), r.value(), now);
                        }
                    } catch (InvalidFrameException e) {
                        // dead-lettered by the job: no event to draw
                    }
                });
            }
            report(output);
            if (maxFrames == 0 && unmatched[0] > 0) {
                System.err.printf("%d events of camera %s found no frame (the frames topic no longer holds them)%n",
                        unmatched[0], camera);
            }
            System.err.printf("%d annotated frames of camera %s written to %s%n", output.frames(), camera, out);
            return output.frames() > 0 ? 0 : 1;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private String camera(Map<String, ?> events) {
        if (cameraId != null) {
            if (!events.containsKey(cameraId)) {
                throw new ParameterException(spec.commandLine(), "topic " + eventsTopic + " has no events of camera '"
                        + cameraId + "'; it has " + (events.isEmpty() ? "none" : String.join(", ", events.keySet())));
            }
            return cameraId;
        }
        if (events.size() != 1) {
            throw new ParameterException(spec.commandLine(), events.isEmpty()
                    ? "topic " + eventsTopic + " has no committed events"
                    : "topic " + eventsTopic + " has events of several cameras, choose one with --camera-id: "
                            + String.join(", ", events.keySet()));
        }
        return events.keySet().iterator().next();
    }

    /** The camera's frame rate from the capture times of its events (dead-lettered frames leave gaps). */
    private static double captureRate(List<TrackedDetectionEvent> events) {
        if (events.size() < 2) {
            return DEFAULT_FPS;
        }
        DetectionEvent first = events.get(0).event();
        DetectionEvent last = events.get(events.size() - 1).event();
        long frames = last.sequence() - first.sequence();
        long millis = last.captureTimestamp() - first.captureTimestamp();
        return frames > 0 && millis > 0 ? frames * 1000.0 / millis : DEFAULT_FPS;
    }

    private static void report(AnnotatedOutput output) {
        if (output.videoCodec() != null) {
            System.err.println("video codec " + output.videoCodec());
        }
    }
}
