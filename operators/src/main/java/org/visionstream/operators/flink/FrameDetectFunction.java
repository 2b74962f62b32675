package org.visionstream.operators.flink;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterStage;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.detect.FrameDetections;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.inference.ExecutionProvider;
import org.visionstream.operators.preprocess.ImageRejectedException;

/**
 * Runs the detector on decoded frames and emits one {@link DetectionEvent} per frame, empty when
 * nothing of the configured classes was seen. Each parallel subtask loads its own model in
 * {@link #open}; on a TaskManager with Flink's {@code gpu} external resource a GPU provider runs on the
 * GPU index Flink assigned instead of the configured one.
 *
 * <p>A frame the detector refuses for what it is ({@link ImageRejectedException}) goes to
 * {@link DeadLetters#TAG} with stage {@code MODEL} and the refusal's reason; the job goes on. Any other
 * failure (ONNX Runtime, a lost device, out of memory) is not the frame's fault: it is thrown, so Flink
 * restarts from the last checkpoint rather than dead-lettering the whole stream. So is a run of
 * {@code maxConsecutiveRejections} refused frames: then the model, not the frames, is broken.
 *
 * <p>Besides the counters and latencies of {@link FrameMetrics}, gauges say where the model runs:
 * {@code gpu} (1 on a GPU provider, 0 on CPU, for alerts on a silent CPU fallback) and
 * {@code executionProvider} (e.g. {@code cuda:0}).
 */
public final class FrameDetectFunction extends ProcessFunction<DecodedFrame, DetectionEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FrameDetectFunction.class);

    /** The name of Flink's GPU external resource (external-resource.gpu.*). */
    public static final String GPU_RESOURCE = "gpu";

    /** Refused frames in a row that fail the task unless configured otherwise. */
    public static final int DEFAULT_MAX_CONSECUTIVE_REJECTIONS = 100;

    private final DetectorOptions options;
    private final int maxConsecutiveRejections;

    private transient Detector detector;
    private transient DetectionEvent.Model model;
    private transient int consecutiveRejections;
    private transient Counter eventsOut;
    private transient FrameMetrics.DeadLetterCounter deadLetters;
    private transient Histogram detectLatency;
    private transient Histogram endToEndLatency;

    /**
     * @param maxConsecutiveRejections this many frames refused by the detector in a row fail the task
     *     (see {@link #DEFAULT_MAX_CONSECUTIVE_REJECTIONS}); 0 never does
     */
    public FrameDetectFunction(DetectorOptions options, int maxConsecutiveRejections) {
        if (maxConsecutiveRejections < 0) {
            throw new IllegalArgumentException(
                    "maxConsecutiveRejections must be >= 0 (0: never fail), got " + maxConsecutiveRejections);
        }
        this.options = options;
        this.maxConsecutiveRejections = maxConsecutiveRejections;
    }

    @Override
    public void open(OpenContext context) {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        DetectorOptions effective = options;
        ExecutionProvider requested = options.executionProvider();
        if (requested.isGpu()) {
            Set<ExternalResourceInfo> gpus = getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE);
            List<Integer> indexes = new ArrayList<>();
            for (ExternalResourceInfo gpu : gpus) {
                gpu.getProperty("index").ifPresent(i -> indexes.add(Integer.parseInt(i.trim())));
            }
            if (!indexes.isEmpty()) {
                int device = indexes.get(subtask % indexes.size());
                effective = options.toBuilder().executionProvider(requested.onDevice(device)).build();
                LOG.info("subtask {} uses GPU {} assigned by Flink", subtask, device);
            }
        }
        try {
            detector = Detector.create(effective);
        } catch (IllegalStateException e) {
            // A required GPU provider that cannot load: every restart would fail the same way.
            throw new SuppressRestartsException(e);
        } catch (BundleException e) {
            if (e.getCause() instanceof OrtException) {
                throw e; // ONNX Runtime could not open a graph, which may pass (a device busy at start)
            }
            throw new SuppressRestartsException(e); // the bundle on this TaskManager is missing or invalid
        }
        model = new DetectionEvent.Model(detector.manifest().name(), detector.manifest().version());
        ExecutionProvider running = detector.executionProvider();
        LOG.info("subtask {} runs bundle {} {} on provider {} (requested {})", subtask, model.name(), model.version(),
                running, effective.executionProvider());
        MetricGroup group = FrameMetrics.group(getRuntimeContext().getMetricGroup());
        eventsOut = group.counter("eventsOut");
        deadLetters = new FrameMetrics.DeadLetterCounter(group);
        detectLatency = FrameMetrics.latency(group, "detectLatencyMs");
        endToEndLatency = FrameMetrics.latency(group, "captureToEventLatencyMs");
        group.gauge("gpu", (Gauge<Integer>) () -> running.isGpu() ? 1 : 0);
        group.gauge("executionProvider", (Gauge<String>) running::toString);
    }

    /**
     * @throws FlinkRuntimeException after {@code maxConsecutiveRejections} refused frames in a row
     * @throws Exception anything else the detector throws ({@code OrtException}, errors): not the frame's fault
     */
    @Override
    public void processElement(DecodedFrame in, Context ctx, Collector<DetectionEvent> out) throws Exception {
        long start = System.nanoTime();
        FrameDetections result;
        try {
            result = detector.detect(in.image());
        } catch (ImageRejectedException e) {
            reject(in, e, ctx);
            return;
        }
        consecutiveRejections = 0;
        double millis = (System.nanoTime() - start) / 1e6;
        long now = System.currentTimeMillis();
        FrameMetadata m = in.metadata();
        RawFrame f = in.frame();
        out.collect(new DetectionEvent(m.cameraId(), m.sequence(), m.captureTimestamp(), in.ingestTimestamp(), now,
                in.decodeMillis(), millis, model, new DetectionEvent.Image(result.width(), result.height()),
                new DetectionEvent.Source(f.topic(), f.partition(), f.offset()), result.detections()));
        eventsOut.inc();
        detectLatency.update(Math.round(millis));
        endToEndLatency.update(Math.max(0, now - m.captureTimestamp()));
    }

    private void reject(DecodedFrame in, ImageRejectedException e, Context ctx) {
        deadLetters.inc(e.reason().name());
        ctx.output(DeadLetters.TAG, new DeadLetter(in.frame(), DeadLetterStage.MODEL, e.reason().name(),
                e.getMessage(), System.currentTimeMillis()));
        // One odd frame is the camera's; every frame refused (say, by a bundle's bad resize rule) is the model's.
        if (maxConsecutiveRejections > 0 && ++consecutiveRejections >= maxConsecutiveRejections) {
            throw new FlinkRuntimeException(consecutiveRejections + " frames in a row were refused by model "
                    + model.name() + " " + model.version() + ", the last one as " + e.reason() + " (" + e.getMessage()
                    + "): the model, not the frames, is likely broken", e);
        }
    }

    @Override
    public void close() throws Exception {
        if (detector != null) {
            detector.close();
        }
    }
}
