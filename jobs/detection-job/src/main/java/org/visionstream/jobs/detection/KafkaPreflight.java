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

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaPreflight() {}

    static void check(DetectionJobOptions o) throws JobConfigurationException {
        Map<String, Object> config = new HashMap<>(o.kafkaProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() / 3);
        List<String> topics = List.of(o.framesTopic(), o.eventsTopic(), o.deadLetterTopic());
        String where = "Kafka at " + o.bootstrapServers();
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new JobConfigurationException(where + " did not answer within " + TIMEOUT.toSeconds()
                    + " s: check bootstrap.servers, the network and the security protocol (kafka.security.protocol)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobConfigurationException("interrupted while checking " + where, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
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

    private static String describe(String where, Throwable cause) {
        if (cause instanceof AuthenticationException) {
            return where + " refused to authenticate the job: " + cause.getMessage()
                    + " (check the kafka.sasl.* / kafka.ssl.* settings)";
        }
        if (cause instanceof AuthorizationException) {
            return where + " does not authorise the job: " + cause.getMessage()
                    + " (it needs read on the frames topic and group, write and transactions on the others)";
        }
        String message = cause.getMessage();
        if (cause.getCause() != null && cause.getCause().getMessage() != null) {
            message += ": " + cause.getCause().getMessage();
        }
        return "cannot use " + where + ": " + message;
    }
}
