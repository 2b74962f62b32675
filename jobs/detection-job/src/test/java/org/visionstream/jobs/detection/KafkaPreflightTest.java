package org.visionstream.jobs.detection;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.visionstream.jobs.command.UsageException;

/** Kafka settings that cannot work are one clear message before submission, not a restart loop. */
class KafkaPreflightTest {

    @Test
    void anAddressWhereNothingListensFailsAtOnce() throws Exception {
        String nobody = "127.0.0.1:" + closedPort();
        long start = System.nanoTime();
        var e = assertThrows(UsageException.class,
                () -> KafkaPreflight.check(options(nobody).build(), Duration.ofSeconds(30)));
        assertTrue(e.getMessage().startsWith("Kafka at " + nobody + " cannot be reached: " + nobody + " (Connection refused"),
                e.getMessage());
        // A refused connection needs no waiting for the timeout.
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void aServerThatDoesNotSpeakKafkaIsNamed() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String where = "127.0.0.1:" + silent.getLocalPort();
            var e = assertThrows(UsageException.class,
                    () -> KafkaPreflight.check(options(where).build(), Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("Kafka at " + where + " did not answer within 1 s"), e.getMessage());
        }
    }

    @Test
    void aSecuritySettingTheClientCannotUseIsNamed() {
        DetectionJobOptions o = options("127.0.0.1:9092").kafkaProperty("security.protocol", "SASL_SSL")
                .kafkaProperty("sasl.mechanism", "PLAIN").build();
        var e = assertThrows(UsageException.class, () -> KafkaPreflight.check(o, Duration.ofSeconds(3)));
        assertTrue(e.getMessage().startsWith("cannot use Kafka at 127.0.0.1:9092: ") && e.getMessage().contains("JAAS"),
                e.getMessage());
    }

    private static DetectionJobOptions.Builder options(String servers) {
        DetectionJobOptions.Builder b = DetectionJobOptions.builder().bootstrapServers(servers);
        b.detector().bundle(Path.of("bundle"));
        return b;
    }

    /** A loopback port nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
