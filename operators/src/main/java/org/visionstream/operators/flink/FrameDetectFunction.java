package org.visionstream.operators.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterStage;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.detect.FrameDetections;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.inference.ExecutionProvider;

/**
 * Runs the detector on decoded frames and emits one {@link DetectionEvent} per frame, empty when
 * nothing of the configured classes was seen. Each parallel subtask loads its own model in
 * {@link #open}; on a TaskManager with Flink's {@code gpu} external resource a GPU provider runs on the
 * GPU index Flink assigned instead of the configured one. A frame the model fails on goes to
 * {@link DeadLetters#TAG} with stage {@code MODEL}; the job goes on.
 */
public final class FrameDetectFunction extends ProcessFunction<DecodedFrame, DetectionEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FrameDetectFunction.class);

    /** The name of Flink's GPU external resource (external-resource.gpu.*). */
    public static final String GPU_RESOURCE = "gpu";

    private final DetectorOptions options;

    private transient Detector detector;
    private transient DetectionEvent.Model model;
    private transient Counter eventsOut;
    private transient Counter deadLetters;
    private transient Histogram detectLatency;
    private transient Histogram endToEndLatency;

    public FrameDetectFunction(DetectorOptions options) {
        this.options = options;
    }

    @Override
    public void open(OpenContext context) {
        DetectorOptions effective = options;
        ExecutionProvider provider = options.executionProvider();
        if (provider.kind() != ExecutionProvider.Kind.CPU) {
            Set<ExternalResourceInfo> gpus = getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE);
            List<Integer> indexes = new ArrayList<>();
            for (ExternalResourceInfo gpu : gpus) {
                gpu.getProperty("index").ifPresent(i -> indexes.add(Integer.parseInt(i.trim())));
            }
            if (!indexes.isEmpty()) {
                int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
                int device = indexes.get(subtask % indexes.size());
                effective = options.toBuilder().executionProvider(provider.onDevice(device)).build();
                LOG.info("subtask {} uses GPU {} assigned by Flink", subtask, device);
            }
        }
        detector = Detector.create(effective);
        model = new DetectionEvent.Model(detector.manifest().name(), detector.manifest().version());
        MetricGroup group = FrameMetrics.group(getRuntimeContext().getMetricGroup());
        eventsOut = group.counter("eventsOut");
        deadLetters = group.counter("deadLetters");
        detectLatency = FrameMetrics.latency(group, "detectLatencyMs");
        endToEndLatency = FrameMetrics.latency(group, "captureToEventLatencyMs");
    }

    @Override
    public void processElement(DecodedFrame in, Context ctx, Collector<DetectionEvent> out) {
        long start = System.nanoTime();
        FrameDetections result;
        try {
            result = detector.detect(in.image());
        } catch (Exception e) {
            LOG.warn("model failed on frame {}: {}", in.frame().source(), e.toString());
            deadLetters.inc();
            ctx.output(DeadLetters.TAG, new DeadLetter(in.frame(), DeadLetterStage.MODEL, DeadLetter.MODEL_ERROR,
                    String.valueOf(e), System.currentTimeMillis()));
            return;
        }
        double millis = (System.nanoTime() - start) / 1e6;
        long now = System.currentTimeMillis();
        FrameMetadata m = in.metadata();
        RawFrame f = in.frame();
        List<DetectionEvent.Item> items = new ArrayList<>(result.detections().size());
        for (Detection d : result.detections()) {
            items.add(new DetectionEvent.Item(d.label(), d.classId(), d.score(), d.box()));
        }
        out.collect(new DetectionEvent(m.cameraId(), m.sequence(), m.captureTimestamp(), in.ingestTimestamp(), now,
                in.decodeMillis(), millis, model, new DetectionEvent.Image(result.width(), result.height()),
                new DetectionEvent.Source(f.topic(), f.partition(), f.offset()), items));
        eventsOut.inc();
        detectLatency.update(Math.round(millis));
        endToEndLatency.update(Math.max(0, now - m.captureTimestamp()));
    }

    @Override
    public void close() throws Exception {
        if (detector != null) {
            detector.close();
        }
    }
}
