package org.visionstream.jobs.detection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
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
import org.visionstream.jobs.command.UsageException;

/**
 * Checks, before the job is submitted, that Kafka is reachable with the job's client settings and that
 * its topics exist. A wrong address, security setting or topic name would otherwise surface inside the
 * running job as a failure that restarts it forever. The other commands that talk to Kafka check the
 * address the same way. What is wrong is a {@link UsageException}.
 */
public final class KafkaPreflight {

    /** Long enough for a broker that is starting up, short enough for a person waiting at a prompt. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaPreflight() {}

    static void check(DetectionJobOptions o) {
        check(o, TIMEOUT);
    }

    static void check(DetectionJobOptions o, Duration timeout) {
        check(o.bootstrapServers(), o.kafkaProperties(),
                List.of(o.framesTopic(), o.eventsTopic(), o.deadLetterTopic(), o.objectsTopic()), timeout);
    }

    /** That Kafka at {@code bootstrapServers} answers with these client settings and has these topics. */
    public static void check(String bootstrapServers, Map<String, String> kafkaProperties, List<String> topics) {
        check(bootstrapServers, kafkaProperties, topics, TIMEOUT);
    }

    static void check(String bootstrapServers, Map<String, String> kafkaProperties, List<String> topics, Duration timeout) {
        String where = "Kafka at " + bootstrapServers;
        Map<String, Object> config = new HashMap<>(kafkaProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() / 3);
        try (Admin admin = Admin.create(config)) {
            // After Admin.create, which names unusable client settings more precisely than a connect would.
            requireListening(where, bootstrapServers, timeout);
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!topics.isEmpty()) {
                admin.describeTopics(topics).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            throw new UsageException(noAnswer(where, timeout), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted while checking " + where, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new UsageException(noAnswer(where, timeout), cause);
            }
            if (cause instanceof UnknownTopicOrPartitionException) {
                throw new UsageException("a topic of " + topics + " does not exist on " + where
                        + ": create them first (deploy/kafka/create-topics.sh)", cause);
            }
            throw new UsageException(describe(where, cause), cause);
        } catch (KafkaException e) {
            // Admin.create refuses unusable client settings (unresolvable servers, bad security config).
            throw new UsageException(describe(where, e) + " (check --bootstrap-servers and the Kafka client properties)", e);
        }
    }

    /**
     * A plain TCP connect to each bootstrap address: where nothing listens the refusal is immediate,
     * while the admin client would retry until its timeout.
     */
    private static void requireListening(String where, String bootstrapServers, Duration timeout) {
        List<String> refused = new ArrayList<>();
        for (String server : bootstrapServers.split(",")) {
            // Admin.create has checked that each one is HOST:PORT.
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            int port = Integer.parseInt(s.substring(colon + 1));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(s.substring(0, colon).replaceAll("^\\[|\\]$", ""), port),
                        (int) timeout.toMillis());
                return;
            } catch (IOException e) {
                refused.add(s + " (" + (e instanceof UnknownHostException ? "unknown host" : e.getMessage()) + ")");
            }
        }
        throw new UsageException(where + " cannot be reached: " + String.join(", ", refused)
                + "; start the broker or fix --bootstrap-servers");
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
