package org.visionstream.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.produce.FrameSampler;
import org.visionstream.operators.frames.FrameHeaders;

/**
 * The load test's cameras: one process that replays frames encoded beforehand for many cameras, each at its own
 * pace, with capture time = send time as a camera would, so that a load costs the machine the sending and not the
 * video decoding and JPEG encoding of every camera.
 *
 * <p>Arguments: {@code BOOTSTRAP CLIP_TOPIC CLIP_FRAMES FRAMES_TOPIC FPS DURATION_MS WARMUP CAMERA_ID...}. The clip
 * topic holds every frame of each video as {@code visionstream produce --fps 0} sent it (camera id = the clip's
 * name, in video order; capture time = media time); each clip is sampled at FPS by the same {@link FrameSampler} as
 * {@code produce --fps FPS}, so the bytes are the ones that command would send. Camera {@code i} plays clip
 * {@code i mod clips} in a loop, the cameras on one clip spread evenly over it.
 *
 * <p>It sends WARMUP frames per camera at once, prints {@link #WARM}, waits for the end of its stdin, prints
 * {@link #STARTED} with the epoch millisecond the timed load starts, sends each camera's frames every 1/FPS s (the
 * cameras' first frames spread over one period) for DURATION_MS, then prints {@link #SENT} with the frames sent and
 * the most any send was behind its schedule (a fleet that cannot keep pace shows here).
 */
public final class CameraFleet {

    static final String WARM = "warm-up sent";
    static final String STARTED = "started=";
    static final String SENT = "sent=";

    private CameraFleet() {}

    public static void main(String[] args) throws Exception {
        String bootstrapServers = args[0];
        String clipTopic = args[1];
        int clipFrames = Integer.parseInt(args[2]);
        String framesTopic = args[3];
        double fps = Double.parseDouble(args[4]);
        long durationMillis = Long.parseLong(args[5]);
        int warmup = Integer.parseInt(args[6]);
        List<String> cameras = Arrays.asList(args).subList(7, args.length);

        List<List<byte[]>> clips = readClips(bootstrapServers, clipTopic, clipFrames, fps);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (Producer<byte[], byte[]> producer = FrameProducer.kafkaProducer(bootstrapServers, Map.of())) {
            Camera[] fleet = new Camera[cameras.size()];
            for (int i = 0; i < fleet.length; i++) {
                List<byte[]> clip = clips.get(i % clips.size());
                fleet[i] = new Camera(cameras.get(i), clip, startOffset(i, fleet.length, clips.size(), clip.size()));
            }
            for (Camera camera : fleet) {
                for (int k = 0; k < warmup; k++) {
                    camera.send(producer, framesTopic, failure);
                }
            }
            producer.flush();
            throwIf(failure);
            System.out.println(WARM);
            System.out.flush();
            while (System.in.read() >= 0) {
                // the benchmark closes our stdin once the job has detected the warm-up frames
            }
            long periodNanos = Math.round(1e9 / fps);
            long startNanos = System.nanoTime();
            System.out.println(STARTED + System.currentTimeMillis());
            System.out.flush();
            long endNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(durationMillis);
            long[] due = new long[fleet.length];
            for (int i = 0; i < fleet.length; i++) {
                due[i] = startNanos + periodNanos * i / fleet.length;
            }
            long sent = 0;
            long maxLateNanos = 0;
            while (true) {
                int next = 0;
                for (int i = 1; i < due.length; i++) {
                    next = due[i] < due[next] ? i : next;
                }
                if (due[next] >= endNanos) {
                    break;
                }
                long wait;
                while ((wait = due[next] - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                maxLateNanos = Math.max(maxLateNanos, -wait);
                fleet[next].send(producer, framesTopic, failure);
                sent++;
                due[next] += periodNanos;
                throwIf(failure);
            }
            producer.flush();
            throwIf(failure);
            System.out.println(SENT + sent + " max-late-ms=" + TimeUnit.NANOSECONDS.toMillis(maxLateNanos));
        }
    }

    /**
     * Where camera {@code camera} starts in its clip: the cameras that share a clip (every {@code clips}-th one) are
     * spread evenly over it, so that they do not send the same frames at the same time.
     */
    static int startOffset(int camera, int cameras, int clips, int clipLength) {
        int clip = camera % clips;
        int sharing = (cameras - clip + clips - 1) / clips;
        return (int) ((long) (camera / clips) * clipLength / sharing);
    }

    /** The clips in their camera ids' order, each sampled at {@code fps} by its frames' capture times. */
    private static List<List<byte[]>> readClips(String bootstrapServers, String topic, int frames, double fps) {
        List<ConsumerRecord<byte[], byte[]>> records;
        try (CommittedRecordsReader reader = new CommittedRecordsReader(bootstrapServers, List.of(topic),
                FrameProducer.MAX_REQUEST_BYTES)) {
            records = reader.readAtLeast(frames, Duration.ofSeconds(120));
        }
        if (records.size() != frames) {
            throw new IllegalStateException("read " + records.size() + " clip frames of " + frames);
        }
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byClip = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            byClip.computeIfAbsent(header(r, FrameHeaders.CAMERA_ID), c -> new ArrayList<>()).add(r);
        }
        List<List<byte[]>> clips = new ArrayList<>();
        for (List<ConsumerRecord<byte[], byte[]>> clip : byClip.values()) {
            clip.sort(Comparator.comparingLong(r -> Long.parseLong(header(r, FrameHeaders.SEQUENCE))));
            FrameSampler sampler = new FrameSampler(fps);
            long first = clip.get(0).timestamp();
            clips.add(clip.stream()
                    .filter(r -> sampler.keep((r.timestamp() - first) * 1000))
                    .map(ConsumerRecord::value)
                    .toList());
        }
        return clips;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static void throwIf(AtomicReference<Exception> failure) throws Exception {
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** One simulated camera: its id, its clip, where it is in it, and its next frame-seq. */
    private static final class Camera {
        private final String id;
        private final List<byte[]> clip;
        private final int offset;
        private long sequence;

        Camera(String id, List<byte[]> clip, int offset) {
            this.id = id;
            this.clip = clip;
            this.offset = offset;
        }

        void send(Producer<byte[], byte[]> producer, String topic, AtomicReference<Exception> failure) {
            byte[] jpeg = clip.get((int) ((offset + sequence) % clip.size()));
            long seq = sequence++;
            producer.send(FrameProducer.frameRecord(topic, id, seq, FrameHeaders.JPEG, jpeg, System.currentTimeMillis()),
                    (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, new IOException("frame " + seq + " of " + id + " not sent: " + e, e));
                        }
                    });
        }
    }
}
