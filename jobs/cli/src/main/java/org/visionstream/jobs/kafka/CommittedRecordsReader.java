package org.visionstream.jobs.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics from the beginning as a read_committed consumer without a group: what a downstream
 * consumer of the job's exactly-once output sees. Used by the demo and the integration tests.
 * Not thread-safe (a Kafka consumer).
 */
public final class CommittedRecordsReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Long> endAtStart;

    public CommittedRecordsReader(String bootstrapServers, List<String> topics, int maxRecordBytes) {
        this(bootstrapServers, topics, maxRecordBytes, -1);
    }

    /**
     * Starts {@code lastRecords} records before the end of each partition (a live view needs only the
     * latest), or at the beginning when that is negative.
     */
    public CommittedRecordsReader(String bootstrapServers, List<String> topics, int maxRecordBytes, long lastRecords) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(maxRecordBytes + (1 << 20)));
        p.setProperty(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(Math.max(maxRecordBytes + (1 << 20), 52428800)));
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos.isEmpty()) {
                consumer.close();
                throw new IllegalArgumentException("topic " + topic + " does not exist on " + bootstrapServers);
            }
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        endAtStart = consumer.endOffsets(partitions);
        if (lastRecords >= 0) {
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, Math.max(consumer.position(tp), endAtStart.get(tp) - lastRecords));
            }
        }
    }

    /** Whether every partition has been read up to where it ended (its last stable offset) when this reader started. */
    public boolean caughtUp() {
        return endAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /** Hands every committed record that arrives within {@code timeout} to {@code sink}; returns how many. */
    public int poll(Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            sink.accept(r);
            n++;
        }
        return n;
    }

    /** Reads until {@code count} records arrived or {@code timeout} passed; returns those read. */
    public List<ConsumerRecord<byte[], byte[]>> readAtLeast(int count, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < count && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(500), out::add);
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
