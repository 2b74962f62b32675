package org.visionstream.operators.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterStage;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.frames.FrameHeaders;
import org.visionstream.operators.frames.FrameParser;
import org.visionstream.operators.frames.InvalidFrameException;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.testing.Frames;
import org.visionstream.operators.testing.SharedData;

/** Header validation and decoding, with every kind of bad frame routed to the dead letters. */
class FrameDecodeFunctionTest {

    private static byte[] jpeg;

    @BeforeAll
    static void readImage() throws Exception {
        jpeg = Files.readAllBytes(SharedData.file("media/images/voc/000004.jpg"));
    }

    @Test
    void aGoodFrameIsDecodedWithItsMetadata() throws Exception {
        try (var harness = harness(1 << 20)) {
            harness.processElement(Frames.jpeg("cam-7", 42, jpeg), 0);
            List<DecodedFrame> out = harness.extractOutputValues();
            assertEquals(1, out.size());
            DecodedFrame f = out.get(0);
            assertEquals("cam-7", f.metadata().cameraId());
            assertEquals(42, f.metadata().sequence());
            assertEquals(1_700_000_000_000L + 42 * 200, f.metadata().captureTimestamp());
            assertEquals(500, f.image().width());
            assertEquals(406, f.image().height());
            assertTrue(harness.getSideOutput(DeadLetters.TAG) == null || harness.getSideOutput(DeadLetters.TAG).isEmpty());
        }
    }

    @Test
    void everyBadFrameBecomesADeadLetterWithItsReasonAndTheGoodOnesStillPass() throws Exception {
        byte[] corrupt = jpeg.clone();
        Arrays.fill(corrupt, 200, corrupt.length - 2, (byte) 0x55); // keep SOI and EOI, wreck the rest
        List<RawFrame> frames = List.of(
                Frames.jpeg("cam", 1, jpeg),
                Frames.jpeg("cam", 2, new byte[0]),
                Frames.jpeg("cam", 3, Arrays.copyOf(jpeg, jpeg.length / 2)),
                Frames.jpeg("cam", 4, corrupt),
                Frames.jpeg("cam", 5, Frames.utf8("not an image")),
                Frames.jpeg("cam", 6, new byte[(1 << 20) + 1]),
                Frames.without(FrameHeaders.SEQUENCE, Frames.jpeg("cam", 7, jpeg)),
                Frames.replaced(FrameHeaders.CAPTURE_TIMESTAMP, Frames.utf8("yesterday"), Frames.jpeg("cam", 8, jpeg)),
                Frames.replaced(FrameHeaders.CONTENT_TYPE, Frames.utf8("image/gif"), Frames.jpeg("cam", 9, jpeg)),
                Frames.jpeg("cam", 10, jpeg));
        try (var harness = harness(1 << 20)) {
            for (RawFrame f : frames) {
                harness.processElement(f, 0);
            }
            assertEquals(List.of(1L, 10L), harness.extractOutputValues().stream().map(d -> d.metadata().sequence()).toList());
            ConcurrentLinkedQueue<StreamRecord<DeadLetter>> dead = harness.getSideOutput(DeadLetters.TAG);
            List<String> reasons = dead.stream().map(r -> r.getValue().stage() + "/" + r.getValue().reason()).toList();
            assertEquals(List.of("DECODE/EMPTY", "DECODE/TRUNCATED", "DECODE/CORRUPT", "DECODE/UNSUPPORTED_FORMAT",
                    "DECODE/TOO_LARGE", "HEADERS/MISSING_HEADER", "HEADERS/INVALID_HEADER", "HEADERS/INVALID_HEADER"), reasons);
            List<DeadLetter> letters = dead.stream().map(StreamRecord::getValue).toList();
            for (int i = 0; i < letters.size(); i++) {
                RawFrame original = frames.get(i + 1);
                assertTrue(!letters.get(i).message().isBlank(), "a message says what is wrong");
                assertTrue(Arrays.equals(original.value(), letters.get(i).frame().value()), "the original bytes are kept");
                assertEquals(original.headers().size(), letters.get(i).frame().headers().size(), "and the headers");
            }
        }
    }

    @Test
    void aFrameCapturedInTheYear3000IsAHeadersDeadLetterAndTheFramesAroundItDecode() throws Exception {
        String year3000 = Long.toString(Instant.parse("3000-01-01T00:00:00Z").toEpochMilli());
        RawFrame future =
                Frames.replaced(FrameHeaders.CAPTURE_TIMESTAMP, Frames.utf8(year3000), Frames.jpeg("cam", 2, jpeg));
        try (var harness = harness(1 << 20)) {
            harness.processElement(Frames.jpeg("cam", 1, jpeg), 0);
            harness.processElement(future, 0);
            harness.processElement(Frames.jpeg("cam", 3, jpeg), 0);
            assertEquals(List.of(1L, 3L), harness.extractOutputValues().stream().map(d -> d.metadata().sequence()).toList());
            List<DeadLetter> dead = harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
            assertEquals(1, dead.size());
            DeadLetter letter = dead.get(0);
            assertEquals(DeadLetterStage.HEADERS, letter.stage());
            assertEquals(InvalidFrameException.Reason.INVALID_HEADER.name(), letter.reason());
            assertTrue(letter.message().contains("3000-01-01T00:00:00Z")
                    && letter.message().contains(Instant.ofEpochMilli(letter.timestamp()).toString()), letter.message());
        }
    }

    /**
     * Frames older than the maximum age are not decoded: each becomes its event at once, empty and marked
     * stale with its age; a young frame and one from the near future (within the clock skew) are decoded; a
     * stale frame that fails the checks made without decoding is still a dead letter.
     */
    @Test
    void aStaleFrameIsSkippedWithoutDecodingAndBecomesAnEventThatSaysSo(@TempDir Path bundle) throws Exception {
        try (InputStream manifest = FrameDecodeFunctionTest.class.getResourceAsStream("/manifests/gluoncv-voc.json")) {
            Files.copy(manifest, bundle.resolve(ModelBundle.MANIFEST));
        }
        long now = System.currentTimeMillis();
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 2);
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(new FrameDecodeFunction(1 << 20,
                ImageDecoder.DEFAULT_MAX_PIXELS, FrameParser.DEFAULT_MAX_CLOCK_SKEW, Duration.ofSeconds(10), bundle))) {
            harness.processElement(captured(Frames.jpeg("cam", 1, jpeg), now - 60_000), 0);
            harness.processElement(captured(Frames.jpeg("cam", 2, jpeg), now - 1_000), 0);
            harness.processElement(captured(Frames.jpeg("cam", 3, jpeg), now + 30_000), 0);
            harness.processElement(captured(Frames.jpeg("cam", 4, truncated), now - 60_000), 0);
            harness.processElement(Frames.jpeg("cam", 5, jpeg), 0); // captured in 2023

            assertEquals(List.of(2L, 3L), harness.extractOutputValues().stream().map(d -> d.metadata().sequence()).toList());
            List<DetectionEvent> skipped = harness.getSideOutput(FrameDecodeFunction.SKIPPED).stream()
                    .map(StreamRecord::getValue).toList();
            assertEquals(List.of(1L, 5L), skipped.stream().map(DetectionEvent::sequence).toList());
            DetectionEvent first = skipped.get(0);
            assertEquals(DetectionEvent.Skipped.Reason.STALE, first.skipped().reason());
            assertTrue(first.skipped().ageMillis() >= 60_000 && first.skipped().ageMillis() < 70_000, first.toString());
            assertEquals(first.ingestTimestamp() - first.captureTimestamp(), first.skipped().ageMillis());
            assertEquals(List.of(), first.detections());
            assertEquals(new DetectionEvent.Image(500, 406), first.image(), "the size the JPEG header declares");
            assertEquals(new DetectionEvent.Model("gluoncv-faster-rcnn-resnet50-v1b-voc", "gluoncv-0.7.0"), first.model());
            assertEquals(new DetectionEvent.Source("frames", 0, 7), first.source());
            assertEquals(0, first.decodeMillis());
            assertTrue(skipped.get(1).skipped().ageMillis() > 365L * 24 * 3600 * 1000, skipped.get(1).toString());
            List<String> dead = harness.getSideOutput(DeadLetters.TAG).stream()
                    .map(r -> r.getValue().stage() + "/" + r.getValue().reason()).toList();
            assertEquals(List.of("DECODE/TRUNCATED"), dead);
            assertEquals(List.of(new CameraOrderFunction.Rejected("cam", 4)), harness.getSideOutput(CameraOrderFunction.REJECTED)
                    .stream().map(StreamRecord::getValue).toList());
        }
    }

    @Test
    void skippingNeedsTheBundleThatTheEventsName() {
        assertThrows(IllegalArgumentException.class, () -> new FrameDecodeFunction(1 << 20, ImageDecoder.DEFAULT_MAX_PIXELS,
                FrameParser.DEFAULT_MAX_CLOCK_SKEW, Duration.ofSeconds(10), null));
    }

    private static RawFrame captured(RawFrame frame, long captureTs) {
        return Frames.replaced(FrameHeaders.CAPTURE_TIMESTAMP, Frames.utf8(Long.toString(captureTs)), frame);
    }

    private static OneInputStreamOperatorTestHarness<RawFrame, DecodedFrame> harness(int maxBytes) throws Exception {
        return ProcessFunctionTestHarnesses.forProcessFunction(new FrameDecodeFunction(maxBytes, ImageDecoder.DEFAULT_MAX_PIXELS,
                FrameParser.DEFAULT_MAX_CLOCK_SKEW, Duration.ZERO, null));
    }
}
