package org.visionstream.operators.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterStage;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.DetectionEventJson;
import org.visionstream.operators.events.TrackedDetectionEvent;
import org.visionstream.operators.flink.internal.CorePinning;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.inference.ExecutionProvider;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.preprocess.PixelArrayPool;
import org.visionstream.operators.testing.Frames;
import org.visionstream.operators.testing.OrtRuntime;
import org.visionstream.operators.testing.Python;
import org.visionstream.operators.testing.SharedData;
import org.visionstream.operators.testing.TestImages;

/**
 * The detector operator on the D2Go bundle: events for every frame, frames the model refuses as dead
 * letters, failures of the model or the machinery out of the function.
 */
class FrameDetectFunctionITCase {

    // 6000x1 is a valid image, but scaling its short side to 320 would make a 1.9-gigapixel input.
    private static final DecodedImage SLIVER = new DecodedImage(6000, 1, new byte[6000 * 3]);
    private static final DecodedImage GREY = new DecodedImage(64, 48, filled(64 * 48 * 3, (byte) 128));

    /** What the function registers in its {@code visionstream} metric group, by name. */
    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();
    private MockEnvironment environment;

    @BeforeEach
    void environmentThatKeepsTheMetrics() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> {
                    String[] scope = group.getScopeComponents();
                    if (scope[scope.length - 1].equals("visionstream")) {
                        metrics.put(name, metric);
                    }
                })
                .build();
        environment = new MockEnvironmentBuilder()
                .setMetricGroup(TaskManagerMetricGroup
                        .createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate())
                        .addJob(new JobID(), "job")
                        .addTask(ExecutionAttemptID.randomId(), "detect"))
                .build();
    }

    @AfterEach
    void closeEnvironment() throws Exception {
        environment.close();
    }

    @Test
    void theStreetPhotoGivesAnEventWithItsCarsThatMatchesTheSchema() throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.file("media/images/voc/000004.jpg"));
        try (var harness = harness()) {
            harness.processElement(decoded(Frames.jpeg("cam-3", 9, jpeg), new ImageDecoder().decode(jpeg)), 0);
            List<DetectionEvent> events = eventsBeforeBarrier(harness);
            assertEquals(1, events.size());
            DetectionEvent e = events.get(0);
            assertEquals("cam-3", e.cameraId());
            assertEquals(9, e.sequence());
            assertEquals("d2go-fbnetv3a-c4-coco", e.model().name());
            assertEquals(new DetectionEvent.Image(500, 406), e.image());
            long cars = e.detections().stream().filter(d -> d.label().equals("car")).count();
            assertTrue(cars >= 3, "cars in " + e.detections());
            assertTrue(e.detections().stream().allMatch(d -> d.score() >= 0.5f
                    && Set.of("car", "bicycle", "motorcycle", "bus", "person").contains(d.label())));

            byte[] json = DetectionEventJson.toBytes(e);
            assertEquals(List.of(), DetectionEventJson.validate(json));
            byte[] unsure = new String(json, StandardCharsets.UTF_8).replace("\"score\":", "\"confidence\":")
                    .getBytes(StandardCharsets.UTF_8);
            assertTrue(!DetectionEventJson.validate(unsure).isEmpty(), "the schema rejects a renamed field");
            assertEquals(e.detections().size(), DetectionEventJson.fromBytes(json).detections().size());

            ProducerRecord<byte[], byte[]> record = new DetectionEventSerializationSchema("detections")
                    .serialize(TrackedDetectionEvent.untracked(e), null, null);
            assertEquals("cam-3", new String(record.key(), StandardCharsets.UTF_8));
            assertEquals(e.captureTimestamp(), record.timestamp());
        }
    }

    @Test
    void aFramesPixelsGoBackToTheDecodersPoolOnceItIsDetected() throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.file("media/images/voc/000004.jpg"));
        ImageDecoder pooled = new ImageDecoder(ImageDecoder.DEFAULT_MAX_BYTES, ImageDecoder.DEFAULT_MAX_PIXELS, null,
                PixelArrayPool.shared());
        DecodedImage first = pooled.decode(jpeg);
        DecodedImage second = pooled.decode(jpeg);
        try (var harness = harness()) {
            harness.processElement(decoded(Frames.jpeg("cam", 1, jpeg), first), 0);
            harness.processElement(decoded(Frames.jpeg("cam", 2, jpeg), second), 0);
            List<DetectionEvent> events = eventsBeforeBarrier(harness);
            assertEquals(events.get(0).detections(), events.get(1).detections(), "two frames, two arrays, same boxes");
        }
        // The next frames of that size are decoded into the arrays of the frames detected, the newest first.
        assertSame(second.bgr(), pooled.decode(jpeg).bgr());
        assertSame(first.bgr(), pooled.decode(jpeg).bgr());
    }

    @Test
    void framesDecodedIntoPooledArraysWhileOthersAreDetectedEachGetTheirOwnPixelsDetections() throws Exception {
        byte[] street = Files.readAllBytes(SharedData.file("media/images/voc/000004.jpg"));
        byte[] mirror = TestImages.jpeg(mirrored(new ImageDecoder().decode(street)), 95);
        List<byte[]> jpegs = List.of(street, mirror);
        List<List<Detection>> expected = new ArrayList<>();
        try (Detector detector = Detector.create(options(SharedData.d2goBundle()))) {
            for (byte[] jpeg : jpegs) {
                expected.add(detector.detect(new ImageDecoder().decode(jpeg)).detections());
            }
        }
        assertTrue(!expected.get(0).equals(expected.get(1)) && !expected.get(0).isEmpty(), "the two images differ: " + expected);
        ImageDecoder pooled = new ImageDecoder(ImageDecoder.DEFAULT_MAX_BYTES, ImageDecoder.DEFAULT_MAX_PIXELS, null,
                PixelArrayPool.shared());
        int frames = 12;
        try (var harness = harness(new FrameDetectFunction(options(SharedData.d2goBundle()), 100, 2, Duration.ofMillis(50)))) {
            for (int i = 0; i < frames; i++) {
                // Decoded just before it is handed on, while the batch before it runs on the worker: as the
                // chained decode operator does, into arrays that earlier frames gave back.
                byte[] jpeg = jpegs.get(i % 2);
                harness.processElement(decoded(Frames.jpeg("cam", i, jpeg), pooled.decode(jpeg)), 0);
            }
            List<DetectionEvent> events = eventsBeforeBarrier(harness);
            assertEquals(frames, events.size());
            for (DetectionEvent e : events) {
                List<Detection> want = expected.get((int) (e.sequence() % 2));
                assertEquals(want.size(), e.detections().size(), "frame " + e.sequence());
                for (int k = 0; k < want.size(); k++) {
                    assertEquals(want.get(k).label(), e.detections().get(k).label(), "frame " + e.sequence());
                    assertEquals(want.get(k).score(), e.detections().get(k).score(), 1e-6f, "frame " + e.sequence());
                    assertTrue(Arrays.equals(want.get(k).box(), e.detections().get(k).box()), "frame " + e.sequence());
                }
            }
        }
    }

    @Test
    void aFrameWithNothingOfTheClassesStillGivesAnEmptyEventAndDepthZeroWaitsForIt() throws Exception {
        try (var harness = harness(new FrameDetectFunction(options(SharedData.d2goBundle()), 100, 1, Duration.ZERO, 0, false))) {
            harness.processElement(decoded(Frames.jpeg("cam", 1, new byte[] {1}), GREY), 0);
            List<DetectionEvent> events = harness.extractOutputValues(); // out before the next frame is taken
            assertEquals(1, events.size());
            assertEquals(List.of(), events.get(0).detections());
        }
    }

    @Test
    void aFrameTheModelRefusesBecomesAModelDeadLetterWithItsReasonAndTheNextFrameStillWorks() throws Exception {
        try (var harness = harness()) {
            harness.processElement(decoded(Frames.jpeg("cam", 1, new byte[] {1}), SLIVER), 0);
            harness.processElement(decoded(Frames.jpeg("cam", 2, new byte[] {2}), GREY), 0);
            assertEquals(List.of(2L), eventsBeforeBarrier(harness).stream().map(DetectionEvent::sequence).toList());
            List<DeadLetter> dead = deadLetters(harness);
            assertEquals(1, dead.size());
            assertEquals(DeadLetterStage.MODEL, dead.get(0).stage());
            assertEquals("NETWORK_INPUT_TOO_LARGE", dead.get(0).reason());
            assertTrue(dead.get(0).message().contains("1920000x320 network input"), dead.get(0).message());

            ProducerRecord<byte[], byte[]> record =
                    new DeadLetterSerializationSchema("dlq").serialize(dead.get(0), null, null);
            assertEquals("MODEL", header(record, "dlq-stage"));
            assertEquals("NETWORK_INPUT_TOO_LARGE", header(record, "dlq-reason"));
            assertEquals("frames/0@7", header(record, "dlq-source"));
            assertEquals("1", header(record, "frame-seq"), "the original headers travel along");
            assertEquals(1, ((Counter) metrics.get("deadLetters")).getCount());
            assertEquals(1, ((Counter) metrics.get("eventsOut")).getCount());
        }
    }

    @Test
    void aBatchRunsWhenFullOrWhenItsTimeoutPassesOrBeforeACheckpointBarrierAndGivesTheSameEventsAsSingleFrames()
            throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.file("media/images/voc/000004.jpg"));
        DecodedImage street = new ImageDecoder().decode(jpeg);
        List<DetectionEvent> single;
        try (var harness = harness()) {
            harness.processElement(decoded(Frames.jpeg("cam", 1, jpeg), street), 0);
            single = eventsBeforeBarrier(harness);
        }
        metrics.clear();
        try (var harness = harness(new FrameDetectFunction(options(SharedData.d2goBundle()), 100, 3, Duration.ofMillis(50)))) {
            harness.setProcessingTime(1_000);
            // Full: three frames of two cameras, one detector call.
            harness.processElement(decoded(Frames.jpeg("a", 1, jpeg), street), 0);
            harness.processElement(decoded(Frames.jpeg("b", 7, jpeg), GREY), 0);
            assertEquals(List.of(), harness.extractOutputValues(), "two of three frames wait for the batch");
            harness.processElement(decoded(Frames.jpeg("a", 2, jpeg), street), 0);
            assertEquals(List.of(), harness.extractOutputValues(), "the full batch is in flight");
            // Timeout: one frame runs once 50 ms of processing time have passed; handing it over waits
            // for the batch before it, as one batch may be in flight while the next is assembled.
            harness.processElement(decoded(Frames.jpeg("a", 3, jpeg), GREY), 0);
            harness.setProcessingTime(1_049);
            assertEquals(List.of(), harness.extractOutputValues());
            harness.setProcessingTime(1_050);
            List<DetectionEvent> events = harness.extractOutputValues();
            assertEquals(List.of("a#1", "b#7", "a#2"), events.stream().map(e -> e.cameraId() + "#" + e.sequence()).toList());
            for (DetectionEvent e : List.of(events.get(0), events.get(2))) {
                assertEquals(single.get(0).detections().size(), e.detections().size());
                for (int i = 0; i < e.detections().size(); i++) {
                    assertTrue(Arrays.equals(single.get(0).detections().get(i).box(), e.detections().get(i).box()),
                            "a batch gives the single frame's boxes");
                }
            }
            assertEquals(List.of(), events.get(1).detections());
            // Barrier: the frame in flight and a waiting one become events before the checkpoint's barrier leaves.
            harness.processElement(decoded(Frames.jpeg("a", 4, jpeg), GREY), 0);
            harness.prepareSnapshotPreBarrier(1);
            assertEquals(5, harness.extractOutputValues().size());
            // A refused frame in a batch: the others still become events, it alone a dead letter.
            harness.processElement(decoded(Frames.jpeg("a", 5, jpeg), GREY), 0);
            harness.processElement(decoded(Frames.jpeg("a", 6, jpeg), SLIVER), 0);
            harness.processElement(decoded(Frames.jpeg("a", 7, jpeg), GREY), 0);
            assertEquals(List.of(1L, 7L, 2L, 3L, 4L, 5L, 7L),
                    eventsBeforeBarrier(harness).stream().map(DetectionEvent::sequence).toList());
            assertEquals(List.of(6L), deadLetters(harness).stream()
                    .map(d -> Long.parseLong(new String(d.frame().headerValues("frame-seq").get(0), StandardCharsets.UTF_8)))
                    .toList());
            assertEquals(List.of(new CameraOrderFunction.Rejected("a", 6)),
                    harness.getSideOutput(CameraOrderFunction.REJECTED).stream().map(StreamRecord::getValue).toList());
            Histogram sizes = (Histogram) metrics.get("batchSize");
            assertEquals(4, sizes.getCount());
            assertEquals(3, sizes.getStatistics().getMax());
            assertEquals(1, sizes.getStatistics().getMin());
            assertTrue(((Histogram) metrics.get("batchQueueLatencyMs")).getStatistics().getMax() >= 0);
        }
    }

    @Test
    void withBatchesInFlightAndAPinnedWorkerEventsComeOutInInputOrderARefusedFrameAloneIsADeadLetterAndABarrierWaitsForAll()
            throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.file("media/images/voc/000004.jpg"));
        DecodedImage street = new ImageDecoder().decode(jpeg);
        // Batches of two, three in flight; slow street photos and quick grey frames, so that a batch
        // overtaking another would show; the refused frame shares the second batch with a good one.
        List<DecodedImage> images = List.of(street, street, GREY, SLIVER, GREY, street, GREY, GREY);
        try (var harness = harness(new FrameDetectFunction(options(SharedData.d2goBundle()), 100, 2,
                Duration.ofMillis(50), 3, true))) {
            // pinned, on a machine with cores to pin to: the worker holds one of the process's cores
            int core = (Integer) ((Gauge<?>) metrics.get("detectorCore")).getValue();
            assertEquals(CorePinning.allowedCores().size() >= 2, CorePinning.allowedCores().contains(core),
                    "detector core " + core + " of " + CorePinning.allowedCores());
            for (int i = 0; i < 6; i++) {
                harness.processElement(decoded(Frames.jpeg(i % 2 == 0 ? "a" : "b", i + 1, jpeg), images.get(i)), 0);
            }
            assertEquals(List.of(), harness.extractOutputValues(), "three batches in flight, none waited for");
            assertEquals(List.of(), deadLetters(harness));
            for (int i = 6; i < 8; i++) {
                harness.processElement(decoded(Frames.jpeg(i % 2 == 0 ? "a" : "b", i + 1, jpeg), images.get(i)), 0);
            }
            List<Long> early = harness.extractOutputValues().stream().map(DetectionEvent::sequence).toList();
            assertTrue(early.size() >= 2 && early.subList(0, 2).equals(List.of(1L, 2L)),
                    "handing over a fourth batch waits for the first: " + early);
            harness.prepareSnapshotPreBarrier(1);
            assertEquals(List.of(1L, 2L, 3L, 5L, 6L, 7L, 8L),
                    harness.extractOutputValues().stream().map(DetectionEvent::sequence).toList(),
                    "every frame before the barrier has its event, in input order");
            assertEquals(List.of(4L), deadLetters(harness).stream()
                    .map(d -> Long.parseLong(new String(d.frame().headerValues("frame-seq").get(0), StandardCharsets.UTF_8)))
                    .toList());
            assertEquals(4, ((Histogram) metrics.get("detectWaitMs")).getCount(), "one wait per batch");
        }
    }

    @Test
    void intraOpThreadsDefaultToTheCoresPerSlotAndAnExplicitCountWins() {
        assertEquals(1, FrameDetectFunction.intraOpThreads(0, 2, 2));
        assertEquals(4, FrameDetectFunction.intraOpThreads(0, 8, 2));
        assertEquals(1, FrameDetectFunction.intraOpThreads(0, 2, 4), "never zero threads");
        assertEquals(3, FrameDetectFunction.intraOpThreads(3, 2, 2));
    }

    @Test
    void aFailingOnnxRuntimeSessionFailsTheTaskAtItsWarmUpBeforeTheFirstFrame() throws Exception {
        // The backbone passes the image through: the RPN, which takes 112 channels, then gets 3, and
        // ONNX Runtime fails every run, the warm-up's in open() first.
        Path bundle = SharedData.copyOfD2GoBundle("identity-backbone");
        Python.run(List.of("-c", String.join("\n",
                "import sys, onnx",
                "from onnx import helper, TensorProto",
                "shape = ['n', 3, 'h', 'w']",
                "graph = helper.make_graph([helper.make_node('Identity', ['image'], ['features'])], 'identity',",
                "    [helper.make_tensor_value_info('image', TensorProto.FLOAT, shape)],",
                "    [helper.make_tensor_value_info('features', TensorProto.FLOAT, shape)])",
                "onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)]), sys.argv[1])"),
                bundle.resolve("backbone.onnx").toString()));
        FrameDetectFunction function = new FrameDetectFunction(options(bundle), 100);
        OrtException e = assertThrows(OrtException.class, () -> harness(function));
        assertTrue(e.getMessage().contains("features"), e.getMessage());
    }

    @Test
    void anOnnxRuntimeFailureOnTheWorkerFailsTheTaskInsteadOfDeadLetteringTheFrames() throws Exception {
        // The backbone's input squeezed on the batch axis: the one-image warm-up passes, then a batch of two
        // frames fails in ONNX Runtime on the worker thread, as a lost device would.
        Path bundle = SharedData.copyOfD2GoBundle("single-image-backbone");
        Python.run(List.of("-c", String.join("\n",
                "import sys, onnx",
                "from onnx import helper, TensorProto",
                "model = onnx.load(sys.argv[1])",
                "graph = model.graph",
                "for node in graph.node:",
                "    node.input[:] = ['one' if i == 'image' else i for i in node.input]",
                "graph.initializer.append(helper.make_tensor('axis0', TensorProto.INT64, [1], [0]))",
                "graph.node.insert(0, helper.make_node('Squeeze', ['image', 'axis0'], ['squeezed']))",
                "graph.node.insert(1, helper.make_node('Unsqueeze', ['squeezed', 'axis0'], ['one']))",
                "onnx.save(model, sys.argv[1])"),
                bundle.resolve("backbone.onnx").toString()));
        try (var harness = harness(new FrameDetectFunction(options(bundle), 100, 2, Duration.ofMillis(50)))) {
            harness.processElement(decoded(Frames.jpeg("cam", 1, new byte[] {1}), GREY), 0);
            harness.processElement(decoded(Frames.jpeg("cam", 2, new byte[] {2}), GREY), 0);
            // Handed over, it failed on the worker; the task thread throws it where the events would come out.
            OrtException e = assertThrows(OrtException.class, () -> harness.prepareSnapshotPreBarrier(1));
            assertTrue(e.getMessage().contains("Squeeze"), e.getMessage());
            assertTrue(Arrays.stream(e.getStackTrace()).anyMatch(f -> f.getClassName().endsWith(".Detector")),
                    "thrown as the detector threw it");
            assertEquals(List.of(), harness.extractOutputValues());
            assertEquals(List.of(), deadLetters(harness));
        }
    }

    @Test
    void aRunOfRefusedFramesFailsTheTaskAsABrokenModelButAGoodFrameBetweenResetsTheCount() throws Exception {
        try (var harness = harness(new FrameDetectFunction(options(SharedData.d2goBundle()), 3))) {
            long seq = 0;
            for (DecodedImage image : List.of(SLIVER, SLIVER, GREY, SLIVER, SLIVER)) {
                harness.processElement(decoded(Frames.jpeg("cam", ++seq, new byte[] {1}), image), 0);
            }
            harness.processElement(decoded(Frames.jpeg("cam", 6, new byte[] {1}), SLIVER), 0);
            FlinkRuntimeException e = assertThrows(FlinkRuntimeException.class, () -> harness.prepareSnapshotPreBarrier(1));
            assertTrue(e.getMessage().startsWith("3 frames in a row were refused by model d2go-fbnetv3a-c4-coco"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("as NETWORK_INPUT_TOO_LARGE"), e.getMessage());
            assertTrue(e.getMessage().endsWith("the model, not the frames, is likely broken"), e.getMessage());
            assertEquals(5, deadLetters(harness).size());
        }
    }

    @Test
    void zeroNeverFailsTheTaskOnRefusedFramesAndANegativeCountIsRefused() throws Exception {
        try (var harness = harness(new FrameDetectFunction(options(SharedData.d2goBundle()), 0))) {
            for (long seq = 1; seq <= 5; seq++) {
                harness.processElement(decoded(Frames.jpeg("cam", seq, new byte[] {1}), SLIVER), 0);
            }
            harness.prepareSnapshotPreBarrier(1);
            assertEquals(5, deadLetters(harness).size());
        }
        DetectorOptions options = options(SharedData.d2goBundle());
        assertThrows(IllegalArgumentException.class, () -> new FrameDetectFunction(options, -1));
        assertThrows(IllegalArgumentException.class, () -> new FrameDetectFunction(options, 0, 1, Duration.ZERO, -1, false));
    }

    @Test
    void gaugesTellTheProviderTheGraphsRunOnNotTheOneRequested() throws Exception {
        OrtRuntime.assumeCpuOnly();
        DetectorOptions cuda = options(SharedData.d2goBundle()).toBuilder()
                .executionProvider(ExecutionProvider.parse("cuda"))
                .build();
        try (var harness = harness(new FrameDetectFunction(cuda, 100))) {
            assertEquals(0, ((Gauge<?>) metrics.get("gpu")).getValue(), "the CUDA request fell back to CPU");
            assertEquals("cpu", ((Gauge<?>) metrics.get("executionProvider")).getValue());
        }
    }

    @Test
    void aBundleMissingOnTheTaskManagerFailsWithoutRestartsAndARequiredGpuToo() throws Exception {
        Path copy = SharedData.copyOfD2GoBundle("vanishing");
        FrameDetectFunction missing = new FrameDetectFunction(options(copy), 0);
        Files.delete(copy.resolve("model.json")); // the options were checked on the client; the TaskManager lacks it
        var e = assertThrows(SuppressRestartsException.class, () -> harness(missing));
        assertTrue(e.getCause() instanceof BundleException, String.valueOf(e.getCause()));

        OrtRuntime.assumeCpuOnly();
        FrameDetectFunction gpu = new FrameDetectFunction(DetectorOptions.builder().bundle(SharedData.d2goBundle())
                .executionProvider(ExecutionProvider.parse("cuda")).requireGpu(true).build(), 0);
        e = assertThrows(SuppressRestartsException.class, () -> harness(gpu));
        assertTrue(e.getCause().getMessage().contains("is required but cannot be loaded"), e.getCause().getMessage());
    }

    private OneInputStreamOperatorTestHarness<DecodedFrame, DetectionEvent> harness() throws Exception {
        return harness(new FrameDetectFunction(options(SharedData.d2goBundle()),
                FrameDetectFunction.DEFAULT_MAX_CONSECUTIVE_REJECTIONS));
    }

    private OneInputStreamOperatorTestHarness<DecodedFrame, DetectionEvent> harness(FrameDetectFunction function)
            throws Exception {
        var harness = new OneInputStreamOperatorTestHarness<>(function, environment);
        harness.open();
        return harness;
    }

    private static DetectorOptions options(Path bundle) {
        return DetectorOptions.builder()
                .bundle(bundle)
                .classes(List.of("car", "bicycle", "motorcycle", "bus", "person"))
                .build();
    }

    /** The events once a checkpoint barrier may leave: every frame handed to the model has come out. */
    private static List<DetectionEvent> eventsBeforeBarrier(
            OneInputStreamOperatorTestHarness<DecodedFrame, DetectionEvent> harness) throws Exception {
        harness.prepareSnapshotPreBarrier(0);
        return harness.extractOutputValues();
    }

    private static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<DecodedFrame, ?> harness) {
        var side = harness.getSideOutput(DeadLetters.TAG);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private static DecodedFrame decoded(RawFrame frame, DecodedImage image) {
        FrameMetadata m = new FrameMetadata(new String(frame.key(), StandardCharsets.UTF_8),
                Long.parseLong(new String(frame.headerValues("frame-seq").get(0), StandardCharsets.UTF_8)), 1_700_000_000_000L, "image/jpeg");
        return new DecodedFrame(frame, m, image, 1_700_000_000_100L, 1.0);
    }

    /** The image turned left to right: other boxes, the same size. */
    private static DecodedImage mirrored(DecodedImage image) {
        byte[] out = new byte[image.bgr().length];
        int w = image.width();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(image.bgr(), (y * w + x) * 3, out, (y * w + (w - 1 - x)) * 3, 3);
            }
        }
        return new DecodedImage(w, image.height(), out);
    }

    private static byte[] filled(int n, byte v) {
        byte[] b = new byte[n];
        Arrays.fill(b, v);
        return b;
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
