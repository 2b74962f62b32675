package org.visionstream.jobs.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.visionstream.jobs.kafka.EmbeddedKafka;

/**
 * The benchmark's Kafka broker as its own process, so that its CPU is not the job's or the benchmark's: the
 * same single-node KRaft broker as the demo's. Prints {@code bootstrap.servers=HOST:PORT} once it serves
 * clients, stops (deleting its storage) when its stdin ends, which also happens when the benchmark dies.
 */
public final class BrokerMain {

    static final String READY = "bootstrap.servers=";

    private BrokerMain() {}

    public static void main(String[] args) throws IOException {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]))) {
            System.out.println(READY + kafka.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // the parent never writes: wait for end of file
            }
        }
    }
}
