package org.visionstream.jobs.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Frame-sized records through the embedded broker with the exactly-once settings the pipeline relies on. */
class EmbeddedKafkaITCase {

    private static final String TOPIC = "frames";
    private static final int MIB = 1024 * 1024;

    @Test
    void readCommittedConsumerGetsOnlyTheCommittedTransaction() throws IOException {
        Path dataDir = Path.of("target", "embedded-kafka-it");
        Files.createDirectories(dataDir);
        Set<Path> before = entries(dataDir);

        byte[] frame = new byte[12 * MIB];
        new Random(42).nextBytes(frame);
        Headers headers = new RecordHeaders()
                .add("camera", "cam-7".getBytes(UTF_8))
                .add("content-type", "image/jpeg".getBytes(UTF_8));

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir)) {
            kafka.createTopic(TOPIC, 1, 20 * MIB);

            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-it",
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 20 * MIB,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, null, "frame-1".getBytes(UTF_8), frame, headers));
                producer.send(new ProducerRecord<>(TOPIC, "small".getBytes(UTF_8), "ok".getBytes(UTF_8)));
                producer.commitTransaction();

                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "aborted".getBytes(UTF_8), "no".getBytes(UTF_8)));
                producer.flush();
                producer.abortTransaction();
            }

            List<ConsumerRecord<byte[], byte[]>> received = readCommitted(kafka.bootstrapServers());

            assertEquals(2, received.size(), "committed records");
            ConsumerRecord<byte[], byte[]> big = received.get(0);
            assertArrayEquals("frame-1".getBytes(UTF_8), big.key());
            assertArrayEquals(frame, big.value());
            assertArrayEquals(headers.toArray(), big.headers().toArray());
            ConsumerRecord<byte[], byte[]> small = received.get(1);
            assertArrayEquals("small".getBytes(UTF_8), small.key());
            assertArrayEquals("ok".getBytes(UTF_8), small.value());
            assertEquals(0, small.headers().toArray().length);
        }

        assertEquals(before, entries(dataDir), "close() removes the storage directory it created, nothing else");
    }

    /** Reads the partition up to its last stable offset, i.e. past the aborted record and both transaction markers. */
    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrapServers) {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "embedded-kafka-it",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * MIB,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * MIB,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.subscribe(List.of(TOPIC));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            do {
                assertTrue(System.nanoTime() < deadline, "read up to offset " + end + " within 60 s");
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            } while (!consumer.assignment().contains(partition) || consumer.position(partition) < end);
        }
        return received;
    }

    private static Set<Path> entries(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.collect(Collectors.toSet());
        }
    }
}
