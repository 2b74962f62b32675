package org.visionstream.operators.flink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.visionstream.operators.bundle.ManifestReader;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterStage;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.FrameParser;
import org.visionstream.operators.frames.InvalidFrameException;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecodeException;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.preprocess.ImageHeader;
import org.visionstream.operators.preprocess.PixelArrayPool;

/**
 * Validates a frame's headers and decodes its image. A frame that fails either goes to
 * {@link DeadLetters#TAG} with stage {@code HEADERS} or {@code DECODE} and its reason; the job goes on.
 * A {@code DECODE} dead letter's camera and sequence also go to {@link CameraOrderFunction#REJECTED}.
 *
 * <p>A frame older than {@code maxFrameAge} (the processing time minus its capture time) when it gets here,
 * right before the detector's queue, is not decoded: it becomes its event at once, with no detections and
 * {@link DetectionEvent#skipped()} saying it was stale and how old it was, on {@link #SKIPPED}. After a
 * restart with a backlog, or in a burst the detectors cannot keep up with, the job thus catches up with
 * the cameras at the cost of reading the old frames' headers only, and "not analysed" never reads as
 * "nothing seen". Only the checks that need no decoding are made on such a frame (size, format, declared
 * dimensions, a JPEG's end marker; a failure is the usual {@code DECODE} dead letter); the event's image
 * size is the one its header declares. Counted in {@code framesSkippedStale} and, like every event, in
 * {@code eventsOut}.
 *
 * <p>The pixels come from {@link PixelArrayPool#shared()}: {@link FrameDetectFunction} hands them back
 * once the detector has read them, so that a stream of frames does not allocate a large array each.
 */
public final class FrameDecodeFunction extends ProcessFunction<RawFrame, DecodedFrame> {

    private static final long serialVersionUID = 1L;

    /** The events of frames skipped without decoding (see the class comment). */
    public static final OutputTag<DetectionEvent> SKIPPED =
            new OutputTag<>("skipped-frames", TypeInformation.of(DetectionEvent.class));

    private final int maxFrameBytes;
    private final long maxPixels;
    private final FrameParser parser;
    private final long maxFrameAgeMillis;
    private final String bundle;

    private transient ImageDecoder decoder;
    /** The model the frames are meant for, named in a skipped frame's event. */
    private transient DetectionEvent.Model model;
    private transient Counter framesIn;
    private transient Counter eventsOut;
    private transient Counter framesSkippedStale;
    private transient FrameMetrics.DeadLetterCounter deadLetters;
    private transient Histogram decodeLatency;

    /**
     * @param maxFrameBytes larger frames are dead-lettered as {@code TOO_LARGE}
     * @param maxPixels images declaring more pixels are dead-lettered as {@code DIMENSIONS_TOO_LARGE}
     * @param maxClockSkew frames captured further ahead of the processing time are dead-lettered as
     *     {@code INVALID_HEADER}
     * @param maxFrameAge older frames are skipped, not decoded nor detected; zero never skips a frame
     * @param bundle the model bundle the frames are decoded for: large JPEGs are decoded reduced to what
     *     its resize rule needs (see {@link ImageDecoder}), and a skipped frame's event names its model;
     *     null decodes every pixel (and then no frame may be skipped)
     */
    public FrameDecodeFunction(int maxFrameBytes, long maxPixels, Duration maxClockSkew, Duration maxFrameAge, Path bundle) {
        if (maxFrameAge.isNegative() || (!maxFrameAge.isZero() && bundle == null)) {
            throw new IllegalArgumentException("the maximum frame age must be >= 0 (0: never skip), and skipping needs "
                    + "the bundle that the events name; got " + maxFrameAge.toMillis() + " ms and bundle " + bundle);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.maxPixels = maxPixels;
        this.parser = new FrameParser(maxClockSkew);
        this.maxFrameAgeMillis = maxFrameAge.toMillis();
        this.bundle = bundle == null ? null : bundle.toString();
    }

    @Override
    public void open(OpenContext context) {
        // Read where the job runs: the bundle need only exist on the TaskManagers.
        ModelManifest manifest = bundle == null ? null : ManifestReader.read(Path.of(bundle).resolve(ModelBundle.MANIFEST));
        Resize rule = manifest == null ? null : manifest.preprocess().resize();
        model = manifest == null ? null : new DetectionEvent.Model(manifest.name(), manifest.version());
        // The detect operator hands each frame's pixels back to the pool once it has run the frame.
        decoder = new ImageDecoder(maxFrameBytes, maxPixels, rule, PixelArrayPool.shared());
        MetricGroup group = FrameMetrics.group(getRuntimeContext().getMetricGroup());
        framesIn = group.counter("framesIn");
        eventsOut = group.counter("eventsOut");
        framesSkippedStale = group.counter("framesSkippedStale");
        deadLetters = new FrameMetrics.DeadLetterCounter(group);
        decodeLatency = FrameMetrics.latency(group, "decodeLatencyMs");
    }

    @Override
    public void processElement(RawFrame frame, Context ctx, Collector<DecodedFrame> out) {
        framesIn.inc();
        long ingest = System.currentTimeMillis();
        FrameMetadata metadata;
        try {
            metadata = parser.parse(frame, ingest);
        } catch (InvalidFrameException e) {
            reject(ctx, new DeadLetter(frame, DeadLetterStage.HEADERS, e.reason().name(), e.getMessage(), ingest));
            return;
        }
        long age = ingest - metadata.captureTimestamp();
        if (maxFrameAgeMillis > 0 && age > maxFrameAgeMillis) {
            skip(ctx, frame, metadata, ingest, age);
            return;
        }
        long start = System.nanoTime();
        DecodedImage image;
        try {
            image = decoder.decode(frame.value());
        } catch (ImageDecodeException e) {
            rejectDecoded(ctx, metadata, new DeadLetter(frame, DeadLetterStage.DECODE, e.reason().name(), e.getMessage(),
                    System.currentTimeMillis()));
            return;
        } catch (RuntimeException e) {
            // A native decoder error on hostile bytes: the frame is bad, the job is fine.
            rejectDecoded(ctx, metadata, new DeadLetter(frame, DeadLetterStage.DECODE,
                    ImageDecodeException.Reason.CORRUPT.name(), String.valueOf(e), System.currentTimeMillis()));
            return;
        }
        double millis = (System.nanoTime() - start) / 1e6;
        decodeLatency.update(Math.round(millis));
        out.collect(new DecodedFrame(frame, metadata, image, ingest, millis));
    }

    private void skip(Context ctx, RawFrame frame, FrameMetadata metadata, long ingest, long age) {
        ImageHeader header;
        try {
            header = decoder.readHeader(frame.value());
        } catch (ImageDecodeException e) {
            rejectDecoded(ctx, metadata, new DeadLetter(frame, DeadLetterStage.DECODE, e.reason().name(), e.getMessage(), ingest));
            return;
        }
        ctx.output(SKIPPED, new DetectionEvent(metadata.cameraId(), metadata.sequence(), metadata.captureTimestamp(), ingest,
                ingest, 0, 0, model, new DetectionEvent.Image(header.width(), header.height()),
                new DetectionEvent.Source(frame.topic(), frame.partition(), frame.offset()), List.of(),
                new DetectionEvent.Skipped(DetectionEvent.Skipped.Reason.STALE, age)));
        framesSkippedStale.inc();
        eventsOut.inc();
    }

    private void reject(Context ctx, DeadLetter letter) {
        deadLetters.inc(letter.reason());
        ctx.output(DeadLetters.TAG, letter);
    }

    /** A frame whose headers were valid: its camera's event order must not wait for its sequence. */
    private void rejectDecoded(Context ctx, FrameMetadata metadata, DeadLetter letter) {
        reject(ctx, letter);
        ctx.output(CameraOrderFunction.REJECTED, new CameraOrderFunction.Rejected(metadata.cameraId(), metadata.sequence()));
    }
}
