package org.visionstream.operators.flink;

import ai.onnxruntime.OrtException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.WrappingRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterStage;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.detect.FrameDetections;
import org.visionstream.operators.detect.StageTimes;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.flink.internal.CorePinning;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.inference.ExecutionProvider;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageRejectedException;
import org.visionstream.operators.preprocess.PixelArrayPool;

/**
 * Runs the detector on decoded frames and emits one {@link DetectionEvent} per frame, empty when
 * nothing of the configured classes was seen. Each parallel subtask loads its own model in
 * {@link #open}; on a TaskManager with Flink's {@code gpu} external resource a GPU provider runs on the
 * GPU index Flink assigned instead of the configured one.
 *
 * <p>Micro-batching: frames queue until {@code batchSize} have arrived or the oldest has waited
 * {@code batchTimeout}, whichever comes first, and each batch is one {@link Detector#detect(List)} call
 * (frames of one network-input size share a backbone and head run). A stream operator rather than a
 * process function because the queue is flushed in {@link #prepareSnapshotPreBarrier}: its frames
 * become events before the checkpoint barrier passes, so no frame is held across a checkpoint and the
 * queue needs no state. Batch size 1 runs every frame at once, as before batching existed.
 *
 * <p>Overlap: the detector runs on one worker thread per subtask, so the task thread goes on decoding
 * (the decode operator is chained) and queueing the next frames while the model runs. At most
 * {@code pipelineDepth} batches are in flight while the next one is assembled; handing over one more
 * waits, yielding to the task's mailbox, for the oldest to come out. Results come back through the
 * mailbox and leave on the task thread in the order their frames came in. Before a checkpoint barrier
 * and in {@link #finish} the operator waits until nothing is in flight, so the barrier still follows
 * every event of the frames before it. Depth 0 waits for each batch, as on the task thread.
 *
 * <p>Core pinning (optional): the worker is pinned to a core of the TaskManager's own, one per subtask
 * ({@link CorePinning}), for a TaskManager that owns its cores; with one intra-op thread the whole
 * model then runs on that core, whose caches the scheduler no longer hands to other threads.
 *
 * <p>A frame the detector refuses for what it is ({@link ImageRejectedException}) goes to
 * {@link DeadLetters#TAG} with stage {@code MODEL} and the refusal's reason; the job goes on. Any other
 * failure (ONNX Runtime, a lost device, out of memory) is not the frame's fault: caught on the worker,
 * it is thrown on the task thread where the batch's events would have come out, so Flink restarts from
 * the last checkpoint rather than dead-lettering the whole stream. So is a run of
 * {@code maxConsecutiveRejections} refused frames: then the model, not the frames, is broken.
 *
 * <p>Besides the counters and latencies of {@link FrameMetrics}, gauges say where the model runs:
 * {@code gpu} (1 on a GPU provider, 0 on CPU, for alerts on a silent CPU fallback) and
 * {@code executionProvider} (e.g. {@code cuda:0}); histograms {@code batchSize} (frames per detector
 * call), {@code batchQueueLatencyMs} (how long a frame waited for its batch to be handed to the model)
 * and {@code detectWaitMs} (per batch, how long the task thread then waited for the model before it
 * could decode on: near 0 when decoding is the slower part, near the detector time when the model is),
 * and {@code detectorCore}, the core the worker is pinned to (-1: not pinned).
 */
public final class FrameDetectFunction extends AbstractStreamOperator<DetectionEvent>
        implements OneInputStreamOperator<DecodedFrame, DetectionEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FrameDetectFunction.class);

    /** The name of Flink's GPU external resource (external-resource.gpu.*). */
    public static final String GPU_RESOURCE = "gpu";

    /** Refused frames in a row that fail the task unless configured otherwise. */
    public static final int DEFAULT_MAX_CONSECUTIVE_REJECTIONS = 100;

    /**
     * Batches in flight while the next is assembled: one keeps the model busy whenever decoding keeps up
     * (the next batch is handed over as soon as it is complete); more only hold more frames, as there is one
     * worker per subtask.
     */
    public static final int DEFAULT_PIPELINE_DEPTH = 1;

    private final DetectorOptions options;
    private final int maxConsecutiveRejections;
    private final int batchSize;
    private final long batchTimeoutMillis;
    private final int pipelineDepth;
    private final boolean pinCore;

    private transient Detector detector;
    private transient DetectionEvent.Model model;
    private transient int consecutiveRejections;
    private transient List<DecodedFrame> queue;
    private transient long[] queuedAt;
    private transient ScheduledFuture<?> batchTimer;
    /** Counts flushes, so that a timer that fires after its batch already ran leaves the next batch alone. */
    private transient long flushes;
    private transient MailboxExecutor mailbox;
    private transient ExecutorService worker;
    /** The core the worker is pinned to, -1 if none. */
    private transient int core = -1;
    /** Batches handed to the worker whose results have not come out yet; task thread only. */
    private transient int inFlight;
    private transient Counter eventsOut;
    private transient FrameMetrics.DeadLetterCounter deadLetters;
    private transient Histogram detectLatency;
    private transient Histogram endToEndLatency;
    private transient Histogram batchSizes;
    private transient Histogram queueLatency;
    private transient Histogram waitLatency;

    /** One frame per detector call. */
    public FrameDetectFunction(DetectorOptions options, int maxConsecutiveRejections) {
        this(options, maxConsecutiveRejections, 1, Duration.ZERO);
    }

    /**
     * @param maxConsecutiveRejections this many frames refused by the detector in a row fail the task
     *     (see {@link #DEFAULT_MAX_CONSECUTIVE_REJECTIONS}); 0 never does
     * @param batchSize frames per detector call at most; 1 runs each frame as it comes
     * @param batchTimeout how long the first frame of a batch waits for the batch to fill
     */
    public FrameDetectFunction(DetectorOptions options, int maxConsecutiveRejections, int batchSize, Duration batchTimeout) {
        this(options, maxConsecutiveRejections, batchSize, batchTimeout, DEFAULT_PIPELINE_DEPTH, false);
    }

    /**
     * @param pipelineDepth batches the model may still run while the next is assembled (see
     *     {@link #DEFAULT_PIPELINE_DEPTH}); 0 waits for each batch's events before taking the next frame
     * @param pinCore pin the detector's worker thread to a core of its own (see {@link CorePinning}); where
     *     no core is free or the system cannot pin, it runs unpinned, with a warning
     */
    public FrameDetectFunction(DetectorOptions options, int maxConsecutiveRejections, int batchSize, Duration batchTimeout,
            int pipelineDepth, boolean pinCore) {
        if (maxConsecutiveRejections < 0) {
            throw new IllegalArgumentException(
                    "maxConsecutiveRejections must be >= 0 (0: never fail), got " + maxConsecutiveRejections);
        }
        if (batchSize < 1 || batchTimeout.isNegative()) {
            throw new IllegalArgumentException("the batch size must be >= 1 and its timeout >= 0, got "
                    + batchSize + " and " + batchTimeout.toMillis() + " ms");
        }
        this.options = options;
        this.maxConsecutiveRejections = maxConsecutiveRejections;
        this.batchSize = batchSize;
        this.batchTimeoutMillis = batchTimeout.toMillis();
        if (pipelineDepth < 0) {
            throw new IllegalArgumentException("the pipeline depth must be >= 0, got " + pipelineDepth);
        }
        this.pipelineDepth = pipelineDepth;
        this.pinCore = pinCore;
    }

    /**
     * ONNX Runtime threads per detector when the options leave it to the job (0): the TaskManager's cores
     * shared by its slots, so that one detector per slot uses every core without two threads fighting for
     * one (ONNX Runtime's own default, all cores per session, oversubscribes as soon as two subtasks run).
     */
    static int intraOpThreads(int configured, int cores, int slots) {
        return configured > 0 ? configured : Math.max(1, cores / Math.max(1, slots));
    }

    @Override
    public void open() throws Exception {
        super.open();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int slots = getContainingTask().getEnvironment().getTaskManagerInfo().getConfiguration()
                .get(TaskManagerOptions.NUM_TASK_SLOTS);
        int threads = intraOpThreads(options.intraOpThreads(), Runtime.getRuntime().availableProcessors(), slots);
        DetectorOptions effective = options.toBuilder().intraOpThreads(threads).build();
        ExecutionProvider requested = options.executionProvider();
        if (requested.isGpu()) {
            Set<ExternalResourceInfo> gpus = getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE);
            List<Integer> indexes = new ArrayList<>();
            for (ExternalResourceInfo gpu : gpus) {
                gpu.getProperty("index").ifPresent(i -> indexes.add(Integer.parseInt(i.trim())));
            }
            if (!indexes.isEmpty()) {
                int device = indexes.get(subtask % indexes.size());
                effective = effective.toBuilder().executionProvider(requested.onDevice(device)).build();
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
        // Before the first frame: the task is RUNNING only once open() returns, so a frame never waits on it.
        StageTimes warmUp = detector.warmUp();
        LOG.info("subtask {} runs bundle {} {} on provider {} (requested {}), {} intra-op threads, batches of up to {}"
                + " frames or {} ms, {} in flight; warm-up {} ms", subtask, model.name(), model.version(), running,
                effective.executionProvider(), threads, batchSize, batchTimeoutMillis, pipelineDepth,
                warmUp.totalNanos() / 1_000_000);
        mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(getOperatorConfig().getChainIndex());
        ClassLoader userCode = getUserCodeClassloader();
        String name = "visionstream-detect-" + subtask;
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            thread.setContextClassLoader(userCode);
            return thread;
        });
        if (pinCore) {
            core = worker.submit(CorePinning::pinCurrentThread).get().orElse(-1);
            if (core >= 0) {
                LOG.info("subtask {} detects on core {} of {}", subtask, core, CorePinning.allowedCores());
            } else {
                LOG.warn("subtask {} detects unpinned: no free core among this process's {} (pinning needs Linux, "
                        + "two or more cores, and one per detector subtask of this TaskManager)", subtask,
                        CorePinning.allowedCores());
            }
        }
        queue = new ArrayList<>(batchSize);
        queuedAt = new long[batchSize];
        MetricGroup group = FrameMetrics.group(getMetricGroup());
        eventsOut = group.counter("eventsOut");
        deadLetters = new FrameMetrics.DeadLetterCounter(group);
        detectLatency = FrameMetrics.latency(group, "detectLatencyMs");
        endToEndLatency = FrameMetrics.latency(group, "captureToEventLatencyMs");
        batchSizes = FrameMetrics.latency(group, "batchSize");
        queueLatency = FrameMetrics.latency(group, "batchQueueLatencyMs");
        waitLatency = FrameMetrics.latency(group, "detectWaitMs");
        group.gauge("gpu", (Gauge<Integer>) () -> running.isGpu() ? 1 : 0);
        group.gauge("executionProvider", (Gauge<String>) running::toString);
        int pinned = core;
        group.gauge("detectorCore", (Gauge<Integer>) () -> pinned);
    }

    /**
     * @throws FlinkRuntimeException after {@code maxConsecutiveRejections} refused frames in a row
     * @throws Exception anything else the detector throws ({@code OrtException}, errors): not the frame's fault
     */
    @Override
    public void processElement(StreamRecord<DecodedFrame> record) throws Exception {
        queuedAt[queue.size()] = System.nanoTime();
        // The upstream decoder makes a new DecodedFrame per frame, so holding it here is safe with object reuse.
        queue.add(record.getValue());
        if (queue.size() >= batchSize) {
            flush();
        } else if (batchTimer == null) {
            long due = getProcessingTimeService().getCurrentProcessingTime() + batchTimeoutMillis;
            long batch = flushes;
            batchTimer = getProcessingTimeService().registerTimer(due, time -> {
                if (batch == flushes) {
                    flush();
                }
            });
        }
    }

    /** Runs the queued frames and waits for every batch: events (or dead letters) leave before the barrier. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        awaitInFlight(0);
    }

    /** End of a bounded input or stop-with-savepoint (drain): nothing stays queued or in flight. */
    @Override
    public void finish() throws Exception {
        flush();
        awaitInFlight(0);
        super.finish();
    }

    /** Hands the queued frames to the worker, then waits while more than {@code pipelineDepth} batches are out. */
    private void flush() throws Exception {
        flushes++;
        if (batchTimer != null) {
            batchTimer.cancel(false);
            batchTimer = null;
        }
        if (queue.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        // Taken off the queue first: a timer that fires while this waits below finds nothing to run.
        Batch batch = new Batch(queue);
        queue = new ArrayList<>(batchSize);
        for (int i = 0; i < batch.frames.size(); i++) {
            queueLatency.update((now - queuedAt[i]) / 1_000_000);
        }
        batchSizes.update(batch.frames.size());
        inFlight++;
        worker.execute(() -> detectOnWorker(batch));
        awaitInFlight(pipelineDepth);
        waitLatency.update((System.nanoTime() - now) / 1_000_000);
    }

    /**
     * Yields to the mailbox, where the worker's results arrive in the order the batches were handed over,
     * until at most {@code batches} are in flight. A failure on the worker is thrown here as it was thrown there.
     */
    private void awaitInFlight(int batches) throws Exception {
        while (inFlight > batches) {
            try {
                mailbox.yield();
            } catch (WrappingRuntimeException e) {
                ExceptionUtils.rethrowException(e.unwrap());
            }
        }
    }

    /** On the worker thread, the only one that uses the detector after {@link #open}. */
    private void detectOnWorker(Batch batch) {
        try {
            batch.detect(detector);
        } catch (Throwable t) { // errors too: whatever it is, the task thread throws it
            batch.failure = t;
        }
        // The detector has copied the pixels into its input: the decoder may fill the arrays again. From
        // here on only the frames' metadata and raw bytes are read (events, dead letters).
        for (DecodedFrame frame : batch.frames) {
            PixelArrayPool.shared().giveBack(frame.image().bgr());
        }
        try {
            // The single worker posts its mails in the order it took the batches, and the mailbox keeps that order.
            mailbox.execute(() -> complete(batch), "detect results");
        } catch (RejectedExecutionException e) {
            LOG.debug("the task ends: the results of a batch of {} frames are dropped", batch.frames.size());
        }
    }

    /** On the task thread: the batch's events and dead letters, in its frames' order. */
    private void complete(Batch batch) throws Exception {
        inFlight--;
        if (batch.failure != null) {
            ExceptionUtils.rethrowException(batch.failure);
        }
        for (int i = 0; i < batch.frames.size(); i++) {
            if (batch.refusals[i] != null) {
                reject(batch.frames.get(i), batch.refusals[i]);
            } else {
                emit(batch.frames.get(i), batch.results[i], batch.millis[i]);
            }
        }
    }

    /** @param millis the frame's detector time: its share of the batch's */
    private void emit(DecodedFrame in, FrameDetections result, double millis) {
        consecutiveRejections = 0;
        long now = System.currentTimeMillis();
        FrameMetadata m = in.metadata();
        RawFrame f = in.frame();
        output.collect(new StreamRecord<>(new DetectionEvent(m.cameraId(), m.sequence(), m.captureTimestamp(),
                in.ingestTimestamp(), now, in.decodeMillis(), millis, model,
                new DetectionEvent.Image(result.width(), result.height()),
                new DetectionEvent.Source(f.topic(), f.partition(), f.offset()), result.detections())));
        eventsOut.inc();
        detectLatency.update(Math.round(millis));
        endToEndLatency.update(Math.max(0, now - m.captureTimestamp()));
    }

    private void reject(DecodedFrame in, ImageRejectedException e) {
        deadLetters.inc(e.reason().name());
        output.collect(DeadLetters.TAG, new StreamRecord<>(new DeadLetter(in.frame(), DeadLetterStage.MODEL,
                e.reason().name(), e.getMessage(), System.currentTimeMillis())));
        output.collect(CameraOrderFunction.REJECTED, new StreamRecord<>(
                new CameraOrderFunction.Rejected(in.metadata().cameraId(), in.metadata().sequence())));
        // One odd frame is the camera's; every frame refused (say, by a bundle's bad resize rule) is the model's.
        if (maxConsecutiveRejections > 0 && ++consecutiveRejections >= maxConsecutiveRejections) {
            throw new FlinkRuntimeException(consecutiveRejections + " frames in a row were refused by model "
                    + model.name() + " " + model.version() + ", the last one as " + e.reason() + " (" + e.getMessage()
                    + "): the model, not the frames, is likely broken", e);
        }
    }

    @Override
    public void close() throws Exception {
        if (batchTimer != null) {
            batchTimer.cancel(false);
        }
        if (worker != null) {
            stopWorker();
        }
        if (core >= 0) {
            CorePinning.release(core); // the worker has ended: its core is free for the next detector
            core = -1;
        }
        if (detector != null) {
            detector.close();
        }
        super.close();
    }

    /**
     * Drops the batches not started (the task fails or ends; {@link #finish} already waited for the rest) and
     * waits, through the interrupts of a cancellation too, for the one running: closing ONNX Runtime's sessions
     * under a running graph would crash the JVM, and leaving them open would leak them at every restart.
     */
    private void stopWorker() {
        worker.shutdownNow();
        boolean interrupted = false;
        while (true) {
            try {
                if (worker.awaitTermination(1, TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Frames handed to the worker together. Its results are written on the worker and read on the task
     * thread after the mail that carries them, which orders the two.
     */
    private static final class Batch {
        final List<DecodedFrame> frames;
        final FrameDetections[] results;
        final ImageRejectedException[] refusals;
        /** Each frame's detector time: its share of the batch's, or its own when run alone. */
        final double[] millis;
        Throwable failure;

        Batch(List<DecodedFrame> frames) {
            this.frames = frames;
            this.results = new FrameDetections[frames.size()];
            this.refusals = new ImageRejectedException[frames.size()];
            this.millis = new double[frames.size()];
        }

        void detect(Detector detector) throws OrtException {
            int n = frames.size();
            List<DecodedImage> images = new ArrayList<>(n);
            for (DecodedFrame frame : frames) {
                images.add(frame.image());
            }
            long start = System.nanoTime();
            try {
                List<FrameDetections> all = detector.detect(images);
                double share = (System.nanoTime() - start) / 1e6 / n;
                for (int i = 0; i < n; i++) {
                    results[i] = all.get(i);
                    millis[i] = share;
                }
                return;
            } catch (ImageRejectedException e) {
                // One refused frame fails the whole call before any graph runs: run the batch frame by frame,
                // so that only the refused one becomes a dead letter (rare, so the lost batching costs nothing).
            }
            for (int i = 0; i < n; i++) {
                long one = System.nanoTime();
                try {
                    results[i] = detector.detect(images.get(i));
                } catch (ImageRejectedException e) {
                    refusals[i] = e;
                }
                millis[i] = (System.nanoTime() - one) / 1e6;
            }
        }
    }
}
