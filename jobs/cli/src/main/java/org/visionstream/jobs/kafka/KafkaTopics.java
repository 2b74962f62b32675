package org.visionstream.jobs.kafka;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the pipeline's topics with room for whole frames. */
public final class KafkaTopics {

    private static final long TIMEOUT_SECONDS = 60;

    private KafkaTopics() {}

    /**
     * Creates {@code name} unless it exists, with the cluster's default replication and
     * {@code max.message.bytes = maxMessageBytes}.
     *
     * @throws KafkaException when the broker refuses or does not answer within 60 s
     */
    public static void ensure(Admin admin, String name, int partitions, int maxMessageBytes) {
        NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty())
                .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes)));
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return;
            }
            throw e.getCause() instanceof KafkaException k ? k : new KafkaException("cannot create topic " + name, e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("topic " + name + " not created within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating topic " + name, e);
        }
    }
}
