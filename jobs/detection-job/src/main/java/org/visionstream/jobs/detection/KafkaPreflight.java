package org.visionstream.jobs.detection;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks, before the job is submitted, that Kafka is reachable with the job's client settings and that
 * its topics exist. A wrong address, security setting or topic name would otherwise surface inside the
 * running job as a failure that restarts it forever.
 */
final class KafkaPreflight {

    /** Long enough for a broker that is starting up, short enough for a person waiting at a prompt. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaPreflight() {}

    static void check(DetectionJobOptions o) throws JobConfigurationException {
        check(o, TIMEOUT);
    }

    static void check(DetectionJobOptions o, Duration timeout) throws JobConfigurationException {
        Map<String, Object> config = new HashMap<>(o.kafkaProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() / 3);
        List<String> topics = List.of(o.framesTopic(), o.eventsTopic(), o.deadLetterTopic(), o.objectsTopic());
        String where = "Kafka at " + o.bootstrapServers();
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            admin.describeTopics(topics).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new JobConfigurationException(noAnswer(where, timeout), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobConfigurationException("interrupted while checking " + where, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new JobConfigurationException(noAnswer(where, timeout), cause);
            }
            if (cause instanceof UnknownTopicOrPartitionException) {
                throw new JobConfigurationException("a topic of " + topics + " does not exist on " + where
                        + ": create them first (deploy/kafka/create-topics.sh)", cause);
            }
            throw new JobConfigurationException(describe(where, cause), cause);
        } catch (KafkaException e) {
            // Admin.create refuses unusable client settings (unresolvable servers, bad security config).
            throw new JobConfigurationException(describe(where, e), e);
        }
    }

    private static String noAnswer(String where, Duration timeout) {
        return where + " did not answer within " + timeout.toSeconds()
                + " s: check bootstrap.servers, the network and the security protocol (kafka.security.protocol)";
    }

    private static String describe(String where, Throwable cause) {
        if (cause instanceof AuthenticationException) {
            return where + " refused to authenticate the job: " + cause.getMessage()
                    + " (check the kafka.sasl.* / kafka.ssl.* settings)";
        }
        if (cause instanceof AuthorizationException) {
            return where + " does not authorise the job: " + cause.getMessage()
                    + " (it needs read on the frames topic and group, write and transactions on the others)";
        }
        // The client wraps the reason (e.g. a missing JAAS entry) in "Failed to create ..." layers.
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "cannot use " + where + ": " + root.getMessage();
    }
}
