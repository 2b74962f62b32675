package org.visionstream.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visionstream.jobs.kafka.KafkaTopics;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.testing.TestData;

/**
 * The deployable job jar on a real standalone cluster (deploy/local-cluster/cluster.sh: a Kafka broker,
 * a JobManager and two TaskManagers, each its own JVM), through the failures an operator meets: a
 * TaskManager killed with SIGKILL, the broker killed and restarted, stop-with-savepoint and resume, and
 * rescaling 1 -> 2 -> 1 -> 2 through savepoints, each three times in a row while frames keep coming. After
 * each, a read_committed consumer sees exactly one event per good frame and one dead letter per poison frame,
 * and each tracked object appears once, disappears at most once and keeps its track id (the tracker state is
 * restored with the checkpoint, rescaled by camera).
 */
class StandaloneClusterFailureITCase {

    private static final Path JOB_JAR = Path.of(System.getProperty("visionstream.job.jar",
            "../detection-job/target/visionstream-detection-job-job.jar")).toAbsolutePath();
    private static final Duration ACCOUNTED_WITHIN = Duration.ofMinutes(3);
    private static final int ROUNDS = 3;
    private static final Path DIR = Path.of("target", "reliability").toAbsolutePath();

    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalCluster.start(DIR.resolve("cluster"), 2, 2);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aTaskManagerKilledMidStreamIsExactlyOnce() throws Exception {
        Scenario s = new Scenario("tm-kill");
        String job = cluster.submit(JOB_JAR, 2, null, s.args(2));
        try {
            s.rounds(round -> {
                cluster.killTaskManager(1);
                return () -> cluster.startTaskManager(1, 2);
            });
        } finally {
            cluster.cancelQuietly(job);
        }
    }

    @Test
    void theBrokerKilledAndRestartedMidStreamIsExactlyOnce() throws Exception {
        Scenario s = new Scenario("broker-kill");
        String job = cluster.submit(JOB_JAR, 2, null, s.args(2));
        try {
            s.rounds(round -> {
                cluster.killBroker();
                Thread.sleep(5_000);
                cluster.startBroker();
                return () -> { };
            });
        } finally {
            cluster.cancelQuietly(job);
        }
    }

    @Test
    void stopWithSavepointAndResumeIsExactlyOnceAndRescales() throws Exception {
        Scenario s = new Scenario("savepoint");
        int[] parallelism = {1, 2, 1, 2};
        String[] job = {cluster.submit(JOB_JAR, parallelism[0], null, s.args(parallelism[0]))};
        try {
            s.rounds(round -> {
                String savepoint = cluster.stopWithSavepoint(job[0]);
                job[0] = cluster.submit(JOB_JAR, parallelism[round], savepoint, s.args(parallelism[round]));
                return () -> { };
            });
        } finally {
            cluster.cancelQuietly(job[0]);
        }
    }

    /** A failure injected mid-stream; returns what repairs it after the check (e.g. a new TaskManager). */
    @FunctionalInterface
    interface Failure {
        Repair inject(int round) throws Exception;
    }

    @FunctionalInterface
    interface Repair {
        void run() throws Exception;
    }

    /** One scenario's topics (two partitions), job arguments and ledger. */
    private static final class Scenario {
        final String name;
        final String frames;
        final String events;
        final String dlq;
        final String objects;
        final Ledger ledger = new Ledger();

        Scenario(String name) throws IOException {
            JobProcess.emptyDirectory(DIR.resolve("checkpoints-" + name));
            this.name = name;
            this.frames = name + "-frames";
            this.events = name + "-detections";
            this.dlq = name + "-dlq";
            this.objects = name + "-objects";
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
                for (String topic : List.of(frames, events, dlq, objects)) {
                    KafkaTopics.ensure(admin, topic, 2, FrameProducer.MAX_REQUEST_BYTES);
                }
            }
        }

        List<String> args(int parallelism) {
            List<String> args = new ArrayList<>(List.of("--parallelism", Integer.toString(parallelism), "--bootstrap-servers", cluster.bootstrapServers(), "--model", TestData.D2GO_BUNDLE.toString(),
                    "--frames-topic", frames, "--events-topic", events, "--dead-letter-topic", dlq, "--objects-topic", objects, "--group-id", name,
                    "--checkpoint-dir", DIR.resolve("checkpoints-" + name).toString(), "--checkpoint-interval-ms", "1000",
                    "--threads", "1"));
            args.addAll(JobProcess.EVERY_FRAME);
            return args;
        }

        void rounds(Failure failure) throws Exception {
            try (FrameCorpus corpus = new FrameCorpus(cluster.bootstrapServers(), frames, TestData.STREET_JPEG)) {
                for (int round = 1; round <= ROUNDS; round++) {
                    int before = ledger.expected();
                    CompletableFuture<Void> sending = corpus.sendRoundAsync(ledger);
                    Ledger.awaitCommitted(cluster.bootstrapServers(), events, dlq, before + 4, ACCOUNTED_WITHIN);
                    Repair repair = failure.inject(round);
                    sending.get(3, TimeUnit.MINUTES);
                    assertTrue(ledger.verify(cluster.bootstrapServers(), events, dlq, objects, ACCOUNTED_WITHIN, name + " round " + round) > 0, "the street frames give tracks");
                    repair.run();
                }
            }
        }
    }
}
