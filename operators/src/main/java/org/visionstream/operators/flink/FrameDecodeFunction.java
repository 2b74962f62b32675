package org.visionstream.operators.flink;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.visionstream.operators.bundle.ManifestReader;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterStage;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.FrameParser;
import org.visionstream.operators.frames.InvalidFrameException;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecodeException;
import org.visionstream.operators.preprocess.ImageDecoder;

/**
 * Validates a frame's headers and decodes its image. A frame that fails either goes to
 * {@link DeadLetters#TAG} with stage {@code HEADERS} or {@code DECODE} and its reason; the job goes on.
 * A {@code DECODE} dead letter's camera and sequence also go to {@link CameraOrderFunction#REJECTED}.
 */
public final class FrameDecodeFunction extends ProcessFunction<RawFrame, DecodedFrame> {

    private static final long serialVersionUID = 1L;

    private final int maxFrameBytes;
    private final long maxPixels;
    private final FrameParser parser;
    private final String bundle;

    private transient ImageDecoder decoder;
    private transient Counter framesIn;
    private transient FrameMetrics.DeadLetterCounter deadLetters;
    private transient Histogram decodeLatency;

    /**
     * @param maxFrameBytes larger frames are dead-lettered as {@code TOO_LARGE}
     * @param maxPixels images declaring more pixels are dead-lettered as {@code DIMENSIONS_TOO_LARGE}
     * @param maxClockSkew frames captured further ahead of the processing time are dead-lettered as
     *     {@code INVALID_HEADER}
     * @param bundle the model bundle the frames are decoded for: large JPEGs are decoded reduced to what
     *     its resize rule needs (see {@link ImageDecoder}); null decodes every pixel
     */
    public FrameDecodeFunction(int maxFrameBytes, long maxPixels, Duration maxClockSkew, Path bundle) {
        this.maxFrameBytes = maxFrameBytes;
        this.maxPixels = maxPixels;
        this.parser = new FrameParser(maxClockSkew);
        this.bundle = bundle == null ? null : bundle.toString();
    }

    @Override
    public void open(OpenContext context) {
        // Read where the job runs: the bundle need only exist on the TaskManagers.
        Resize rule = bundle == null ? null
                : ManifestReader.read(Path.of(bundle).resolve(ModelBundle.MANIFEST)).preprocess().resize();
        decoder = new ImageDecoder(maxFrameBytes, maxPixels, rule);
        MetricGroup group = FrameMetrics.group(getRuntimeContext().getMetricGroup());
        framesIn = group.counter("framesIn");
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
