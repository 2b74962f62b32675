package org.visionstream.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.testing.EmbeddedKafkaExtension;
import org.visionstream.jobs.testing.TestData;

/**
 * {@code visionstream job} as a user runs it, against a broker in another process than the job: killed
 * with SIGKILL or stopped with SIGTERM mid-stream and started again with the same command, three times
 * in a row. After each restart a read_committed consumer sees exactly one event per good frame and one
 * dead letter per poison frame, and each tracked object appears once, disappears at most once and keeps its
 * track id: the checkpoint directory carries the job, its tracker state included, across the restarts.
 */
class JobCommandRestartITCase {

    private static final Duration ACCOUNTED_WITHIN = Duration.ofMinutes(3);
    private static final int ROUNDS = 3;

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void killDashNineMidStreamAndRestartIsExactlyOnce() throws Exception {
        restartRounds("kill", false);
    }

    @Test
    void sigtermStopsWithASavepointAndTheRestartResumesFromIt() throws Exception {
        restartRounds("term", true);
    }

    @Test
    void aMissingTopicIsOneLineAndExitCode2BeforeAnythingStarts() throws Exception {
        Path dir = Path.of("target", "reliability", "cli-missing").toAbsolutePath();
        try (JobProcess job = JobProcess.start(dir.resolve("job.log"), List.of("--bootstrap-servers", KAFKA.bootstrapServers(),
                "--model", TestData.D2GO_BUNDLE.toString(), "--frames-topic", "no-such-frames"))) {
            assertEquals(2, job.exitCode(Duration.ofMinutes(1)), job.log());
            assertEquals("visionstream job: a topic of [no-such-frames, detections, frames-dlq, objects] does not exist on Kafka at "
                    + KAFKA.bootstrapServers() + ": create them first (deploy/kafka/create-topics.sh)", job.log().strip());
        }
    }

    private void restartRounds(String name, boolean graceful) throws Exception {
        String frames = name + "-frames";
        String events = name + "-detections";
        String dlq = name + "-dlq";
        String objects = name + "-objects";
        for (String topic : List.of(frames, events, dlq, objects)) {
            KAFKA.kafka().createTopic(topic, 2, FrameProducer.MAX_REQUEST_BYTES);
        }
        Path dir = JobProcess.emptyDirectory(Path.of("target", "reliability", "cli-" + name).toAbsolutePath());
        List<String> args = List.of("--bootstrap-servers", KAFKA.bootstrapServers(), "--model", TestData.D2GO_BUNDLE.toString(),
                "--frames-topic", frames, "--events-topic", events, "--dead-letter-topic", dlq, "--objects-topic", objects, "--group-id", name,
                "--checkpoint-dir", dir.resolve("checkpoints").toString(), "--checkpoint-interval-ms", "1000",
                "--parallelism", "1", "--threads", "1");
        Ledger ledger = new Ledger();
        try (FrameCorpus corpus = new FrameCorpus(KAFKA.bootstrapServers(), frames, TestData.STREET_JPEG)) {
            JobProcess job = JobProcess.start(dir.resolve("job-0.log"), args);
            for (int round = 1; round <= ROUNDS; round++) {
                int before = ledger.expected();
                // Frames keep coming while the job dies: some are in flight, some wait in the topic.
                CompletableFuture<Void> sending = corpus.sendRoundAsync(ledger);
                Ledger.awaitCommitted(KAFKA.bootstrapServers(), events, dlq, before + 4, ACCOUNTED_WITHIN);
                if (graceful) {
                    assertEquals(0, job.terminate(), job.log());
                    assertTrue(job.log().contains("stopped with savepoint"), job.log());
                } else {
                    job.kill();
                }
                sending.get(2, TimeUnit.MINUTES);
                job = JobProcess.start(dir.resolve("job-" + round + ".log"), args);
                assertTrue(ledger.verify(KAFKA.bootstrapServers(), events, dlq, objects, ACCOUNTED_WITHIN, name + " round " + round) > 0, "the street frames give tracks");
                assertTrue(job.isAlive(), job.log());
                assertTrue(job.log().contains("resuming from"), "round " + round + " resumes: " + job.log());
            }
            assertEquals(0, job.terminate(), job.log());
        }
    }
}
