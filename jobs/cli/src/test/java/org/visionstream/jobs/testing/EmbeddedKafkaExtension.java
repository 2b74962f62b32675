package org.visionstream.jobs.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.visionstream.jobs.kafka.EmbeddedKafka;

/** One in-process broker for a test class: {@code @RegisterExtension static final EmbeddedKafkaExtension KAFKA}. */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = EmbeddedKafka.start(Path.of("target", "it-kafka"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
