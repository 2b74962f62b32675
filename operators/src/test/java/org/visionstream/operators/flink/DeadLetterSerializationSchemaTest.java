package org.visionstream.operators.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterHeaders;
import org.visionstream.operators.deadletter.DeadLetterStage;
import org.visionstream.operators.frames.FrameHeaders;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.testing.Frames;

/**
 * A dead letter keeps the original record timestamp unless it is later than the rejection, which a
 * broker could refuse; the original is kept in a header either way.
 */
class DeadLetterSerializationSchemaTest {

    private static final long REJECTED = 1_700_000_000_500L;

    private final DeadLetterSerializationSchema schema = new DeadLetterSerializationSchema("frames-dlq");

    @Test
    void theRecordTimestampIsTheOriginalOne() {
        ProducerRecord<byte[], byte[]> record = serialize(1_700_000_000_000L);
        assertEquals(1_700_000_000_000L, record.timestamp());
        assertEquals("1700000000000", header(record, DeadLetterHeaders.ORIGINAL_TIMESTAMP));
        assertEquals(Long.toString(REJECTED), header(record, DeadLetterHeaders.TIMESTAMP));
    }

    @Test
    void aRecordTimestampInTheFutureIsClampedToTheRejectionTimeAndKeptInAHeader() {
        long year3000 = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();
        ProducerRecord<byte[], byte[]> record = serialize(year3000);
        assertEquals(REJECTED, record.timestamp());
        assertEquals(Long.toString(year3000), header(record, DeadLetterHeaders.ORIGINAL_TIMESTAMP));
        assertArrayEquals(Frames.utf8("cam"), record.key(), "the original record otherwise travels as it was");
        assertEquals("9", header(record, FrameHeaders.SEQUENCE));
    }

    @Test
    void aRecordWithoutATimestampGetsTheProducersTime() {
        ProducerRecord<byte[], byte[]> record = serialize(-1);
        assertNull(record.timestamp());
        assertNull(record.headers().lastHeader(DeadLetterHeaders.ORIGINAL_TIMESTAMP));
    }

    private ProducerRecord<byte[], byte[]> serialize(long recordTimestamp) {
        RawFrame frame = new RawFrame("frames", 0, 7, recordTimestamp, Frames.utf8("cam"), new byte[] {1},
                Frames.headers("cam", 9, FrameHeaders.JPEG));
        DeadLetter letter = new DeadLetter(frame, DeadLetterStage.HEADERS, "INVALID_HEADER", "bad", REJECTED);
        return schema.serialize(letter, null, null);
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
