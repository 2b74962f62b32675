package org.visionstream.operators.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.track.Tracker;
import org.visionstream.operators.track.TrackerOptions;
import org.visionstream.operators.track.TrackerResult;
import org.visionstream.operators.track.TrackerState;

/**
 * One camera with 20 live tracks at 10 fps: 20 objects in a grid swaying on periodic paths (so the frames can
 * loop forever), each missed in 5 % of the frames, detected with 1.5 px jitter, plus two low-score false
 * positives per frame. {@code update}: the tracker on its state in memory; {@code updateThroughBytes}: what
 * the Flink operator does per frame (state from bytes, update, state to bytes). The state's size and the CPU
 * time per frame (this thread's, which waiting for a core on a loaded machine does not inflate) are printed at
 * setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrackerBenchmark {

    private static final int OBJECTS = 20;
    private static final int FRAMES = 100; // one period of the paths at 10 fps

    private final Tracker tracker = new Tracker(TrackerOptions.builder().build());
    private final List<List<Detection>> frames = new ArrayList<>();
    private TrackerState state;
    private byte[] stateBytes;
    private long sequence;

    @Setup
    public void setup() {
        Random random = new Random(42);
        for (int f = 0; f < FRAMES; f++) {
            double phase = 2 * Math.PI * f / FRAMES;
            List<Detection> dets = new ArrayList<>();
            for (int i = 0; i < OBJECTS; i++) {
                if (random.nextDouble() < 0.05) {
                    continue;
                }
                float cx = (float) (60 + 110 * (i % 5) + 30 * Math.sin(phase + i));
                float cy = (float) (60 + 110 * (i / 5) + 20 * Math.cos(phase + 2 * i));
                float j = 1.5f;
                dets.add(new Detection(i % 3 == 0 ? "car" : "person", 1, 0.7f + 0.3f * random.nextFloat(),
                        cx - 25 + j * (float) random.nextGaussian(), cy - 40 + j * (float) random.nextGaussian(),
                        cx + 25 + j * (float) random.nextGaussian(), cy + 40 + j * (float) random.nextGaussian()));
            }
            for (int k = 0; k < 2; k++) {
                float x = 600 * random.nextFloat();
                float y = 450 * random.nextFloat();
                dets.add(new Detection("person", 1, 0.3f, x, y, x + 30, y + 60));
            }
            frames.add(dets);
        }
        state = new TrackerState();
        for (int f = 0; f < FRAMES; f++) {
            step(state);
        }
        stateBytes = state.toBytes();
        System.out.printf("%nstate of one camera: %d live tracks, %d bytes%n", state.liveTracks(), stateBytes.length);
        // CPU time of this thread as well: on a shared machine the wall-clock scores above include waiting for a core.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 3; round++) {
            long cpu = threads.getCurrentThreadCpuTime();
            for (int f = 0; f < 20_000; f++) {
                update();
            }
            long mid = threads.getCurrentThreadCpuTime();
            for (int f = 0; f < 20_000; f++) {
                updateThroughBytes();
            }
            long end = threads.getCurrentThreadCpuTime();
            System.out.printf("CPU time per frame: %.1f us in memory, %.1f us through bytes%n",
                    (mid - cpu) / 20_000 / 1e3, (end - mid) / 20_000 / 1e3);
        }
    }

    private TrackerResult step(TrackerState s) {
        long seq = sequence++;
        return tracker.update(s, "cam", seq, 100 * seq, frames.get((int) (seq % FRAMES)));
    }

    @Benchmark
    public TrackerResult update() {
        return step(state);
    }

    @Benchmark
    public byte[] updateThroughBytes() {
        TrackerState s = TrackerState.fromBytes(stateBytes);
        step(s);
        stateBytes = s.toBytes();
        return stateBytes;
    }
}
