package org.visionstream.jobs.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A single-node Kafka broker in KRaft mode (one process acting as broker and controller) running inside this JVM, so
 * the embedded demo and the integration tests need neither an installed Kafka nor Docker.
 *
 * <p>It listens on 127.0.0.1 only, on two ports picked free just before startup: {@link #bootstrapServers()} for
 * clients and one for the KRaft controller quorum. Its settings suit one node: every internal topic has one replica
 * and one partition, consumer groups rebalance at once, topics are never created implicitly and record batches may be
 * up to {@link #MAX_MESSAGE_BYTES}.
 *
 * <p>Each {@link #start} formats a fresh storage directory under the given folder, so runs never see each other's
 * data; {@link #close} deletes that directory again and nothing else (the folder itself stays the caller's).
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The broker's {@code transaction.max.timeout.ms}: Kafka's default, the most a producer's transaction may take. */
    public static final int TRANSACTION_MAX_TIMEOUT_MS = 900_000;

    /** The largest record batch the broker accepts and replicates ({@code message.max.bytes}); topics may set less. */
    public static final int MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final Path storageDir;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Admin admin;
    private boolean closed;

    private EmbeddedKafka(Path storageDir, KafkaRaftServer server, String bootstrapServers, Admin admin) {
        this.storageDir = storageDir;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.admin = admin;
    }

    /**
     * Formats a new KRaft storage directory under {@code dataDir} (created if missing), starts the broker and returns
     * once it serves clients.
     *
     * @throws IllegalStateException if the storage cannot be formatted or the broker does not serve clients within 60 s
     */
    public static EmbeddedKafka start(Path dataDir) {
        Path storageDir;
        try {
            Files.createDirectories(dataDir);
            storageDir = Files.createTempDirectory(dataDir, "kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a Kafka storage directory under " + dataDir, e);
        }
        KafkaRaftServer server = null;
        Admin admin = null;
        try {
            int[] ports = freeLoopbackPorts(2);
            String bootstrapServers = "127.0.0.1:" + ports[0];
            KafkaConfig config = brokerConfig(storageDir, bootstrapServers, ports[1]);
            format(storageDir);
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
            awaitBroker(admin, bootstrapServers);
            return new EmbeddedKafka(storageDir, server, bootstrapServers, admin);
        } catch (RuntimeException | Error e) {
            try {
                stop(server, admin, storageDir);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The {@code bootstrap.servers} value for clients of this broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates a topic (one replica) unless it exists.
     *
     * @param maxMessageBytes the topic's {@code max.message.bytes}, at most {@link #MAX_MESSAGE_BYTES}
     */
    public void createTopic(String name, int partitions, int maxMessageBytes) {
        KafkaTopics.ensure(admin, name, partitions, maxMessageBytes);
    }

    /** Stops the broker, waits for its threads to end and deletes the storage directory {@link #start} made. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stop(server, admin, storageDir);
        }
    }

    private static KafkaConfig brokerConfig(Path storageDir, String bootstrapServers, int controllerPort) {
        String controller = "127.0.0.1:" + controllerPort;
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + controller);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", "PLAINTEXT://" + bootstrapServers + "," + CONTROLLER_LISTENER + "://" + controller);
        p.put("advertised.listeners", "PLAINTEXT://" + bootstrapServers);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", storageDir.toAbsolutePath().toString());
        p.put("server.max.startup.time.ms", Long.toString(STARTUP_TIMEOUT.toMillis()));
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("transaction.max.timeout.ms", Integer.toString(TRANSACTION_MAX_TIMEOUT_MS));
        p.put("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        // The log cleaner compacts only the small group and transaction topics here; its default 128 MiB
        // buffer would take an eighth of the demo's 1 GiB heap, shared with the job, for good.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 << 20));
        return KafkaConfig.fromProps(p, false);
    }

    /** What {@code kafka-storage format} does: writes meta.properties and the bootstrap metadata checkpoint. */
    private static void format(Path storageDir) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .addDirectory(storageDir.toAbsolutePath().toString())
                    .setMetadataLogDirectory(storageDir.toAbsolutePath().toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format KRaft storage in " + storageDir, e);
        }
    }

    /**
     * Binds and releases ephemeral loopback ports. Another process could take one before the broker binds it; the
     * window is a few milliseconds, and the broker then fails to start with a clear bind error.
     */
    private static int[] freeLoopbackPorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        } finally {
            for (ServerSocket socket : sockets) {
                Utils.closeQuietly(socket, "port probe");
            }
        }
    }

    /** Polls until the broker lists itself as a live node: only then will it accept topics and produce requests. */
    private static void awaitBroker(Admin admin, String bootstrapServers) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                        .nodes()
                        .get()
                        .isEmpty()) {
                    return;
                }
            } catch (ExecutionException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Kafka at " + bootstrapServers, e);
            }
            Utils.sleep(100);
        }
        throw new IllegalStateException(
                "Kafka broker at " + bootstrapServers + " did not accept clients within "
                        + STARTUP_TIMEOUT.toSeconds() + " s",
                last);
    }

    private static void stop(KafkaRaftServer server, Admin admin, Path storageDir) {
        Utils.closeQuietly(admin, "Kafka admin client");
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
        try {
            Utils.delete(storageDir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete Kafka storage " + storageDir, e);
        }
    }
}
