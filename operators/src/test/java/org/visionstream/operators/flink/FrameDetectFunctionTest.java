package org.visionstream.operators.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterStage;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.DetectionEventJson;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.testing.Frames;
import org.visionstream.operators.testing.SharedData;

/** The detector operator on the D2Go bundle: events for every frame, model failures as dead letters. */
class FrameDetectFunctionTest {

    @Test
    void theStreetPhotoGivesAnEventWithItsCarsThatMatchesTheSchema() throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.file("media/images/voc/000004.jpg"));
        try (var harness = harness()) {
            harness.processElement(decoded(Frames.jpeg("cam-3", 9, jpeg), new ImageDecoder().decode(jpeg)), 0);
            List<DetectionEvent> events = harness.extractOutputValues();
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

            ProducerRecord<byte[], byte[]> record = new DetectionEventSerializationSchema("detections").serialize(e, null, null);
            assertEquals("cam-3", new String(record.key(), StandardCharsets.UTF_8));
            assertEquals(e.captureTimestamp(), record.timestamp());
        }
    }

    @Test
    void aFrameWithNothingOfTheClassesStillGivesAnEmptyEvent() throws Exception {
        DecodedImage grey = new DecodedImage(64, 48, filled(64 * 48 * 3, (byte) 128));
        try (var harness = harness()) {
            harness.processElement(decoded(Frames.jpeg("cam", 1, new byte[] {1}), grey), 0);
            List<DetectionEvent> events = harness.extractOutputValues();
            assertEquals(1, events.size());
            assertEquals(List.of(), events.get(0).detections());
        }
    }

    @Test
    void aFrameTheModelCannotTakeBecomesAModelDeadLetterAndTheNextFrameStillWorks() throws Exception {
        // 6000x1 is a valid image, but scaling its short side to 320 would make a 1.9-gigapixel input.
        DecodedImage sliver = new DecodedImage(6000, 1, new byte[6000 * 3]);
        DecodedImage grey = new DecodedImage(64, 48, filled(64 * 48 * 3, (byte) 128));
        try (var harness = harness()) {
            harness.processElement(decoded(Frames.jpeg("cam", 1, new byte[] {1}), sliver), 0);
            harness.processElement(decoded(Frames.jpeg("cam", 2, new byte[] {2}), grey), 0);
            assertEquals(List.of(2L), harness.extractOutputValues().stream().map(DetectionEvent::sequence).toList());
            List<DeadLetter> dead = harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
            assertEquals(1, dead.size());
            assertEquals(DeadLetterStage.MODEL, dead.get(0).stage());
            assertEquals(DeadLetter.MODEL_ERROR, dead.get(0).reason());
            assertTrue(dead.get(0).message().contains("network input"), dead.get(0).message());

            ProducerRecord<byte[], byte[]> record = new DeadLetterSerializationSchema("dlq").serialize(dead.get(0), null, null);
            assertEquals("MODEL", header(record, "dlq-stage"));
            assertEquals("MODEL_ERROR", header(record, "dlq-reason"));
            assertEquals("frames/0@7", header(record, "dlq-source"));
            assertEquals("1", header(record, "frame-seq"), "the original headers travel along");
        }
    }

    private static OneInputStreamOperatorTestHarness<DecodedFrame, DetectionEvent> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forProcessFunction(new FrameDetectFunction(
                DetectorOptions.builder()
                        .bundle(SharedData.d2goBundle())
                        .classes(List.of("car", "bicycle", "motorcycle", "bus", "person"))
                        .build()));
    }

    private static DecodedFrame decoded(RawFrame frame, DecodedImage image) {
        FrameMetadata m = new FrameMetadata(new String(frame.key(), StandardCharsets.UTF_8),
                Long.parseLong(new String(frame.headerValues("frame-seq").get(0), StandardCharsets.UTF_8)), 1_700_000_000_000L, "image/jpeg");
        return new DecodedFrame(frame, m, image, 1_700_000_000_100L, 1.0);
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
