package org.visionstream.operators.flink.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalInt;

/**
 * Pins threads to cores of this process, one thread per core, for the detector workers: on a small
 * machine the scheduler otherwise moves a detector between cores and runs the job's other threads
 * (compiler, source, sinks, broker) on its core, which costs it its caches. Measured on the project's
 * 2-core machine (docs/performance.md): the D2Go detector took 62 to 71 ms per frame in a
 * parallelism-1 job (five runs), 54 to 63 alone; pinned, 56 to 61 ms (four runs). With as many
 * detectors as cores the other threads have no core left but the detectors': there it did not help.
 *
 * <p>The cores are this process's own: the ones {@code sched_getaffinity} allows it, each handed to at
 * most one pinned thread at a time by this class (one per class loader: on a Flink cluster, per job).
 * Other JVMs on the same machine, and other jobs, do not know them, so pinning is for a TaskManager
 * that owns its machine's or its cpuset's cores and runs one job. Linux only; where the native call
 * cannot be made, nothing is pinned: a speed option never fails a job.
 */
public final class CorePinning {

    /** Room for 1024 CPUs, glibc's cpu_set_t. */
    private static final int MASK_WORDS = 16;

    private static final Object LOCK = new Object();
    /** Cores held by a pinned thread of this JVM; guarded by {@link #LOCK}. */
    private static final BitSet TAKEN = new BitSet();

    static {
        // JNA unpacks its native library under ~/.cache unless told otherwise; the temp folder is ours
        if (System.getProperty("jna.tmpdir") == null) {
            System.setProperty("jna.tmpdir", System.getProperty("java.io.tmpdir"));
        }
    }

    private CorePinning() {}

    /**
     * The cores this process may run on (its main thread's affinity, which new threads inherit unless
     * pinned), ascending; empty where that cannot be known (not Linux).
     */
    public static List<Integer> allowedCores() {
        try {
            return Platform.isLinux() ? affinity(LibC.INSTANCE.getpid()) : List.of();
        } catch (LinkageError e) {
            return List.of(); // JNA's native library could not be loaded
        }
    }

    /** The calling thread's cores, ascending; empty where that cannot be known (not Linux). */
    public static List<Integer> currentThreadCores() {
        try {
            // pid 0 is the calling thread: on Linux each thread is a task with an affinity of its own
            return Platform.isLinux() ? affinity(0) : List.of();
        } catch (LinkageError e) {
            return List.of();
        }
    }

    private static List<Integer> affinity(int pid) {
        long[] mask = new long[MASK_WORDS];
        try {
            LibC.INSTANCE.sched_getaffinity(pid, new NativeLong(mask.length * Long.BYTES), mask);
        } catch (LastErrorException e) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        BitSet.valueOf(mask).stream().forEach(out::add);
        return out;
    }

    /**
     * Pins the calling thread to the lowest allowed core that no thread pinned by this class holds.
     * Release it with {@link #release} once the thread no longer runs.
     *
     * @return the core, or empty when every allowed core is taken, the process may run on one core only
     *     (nothing to gain), or the system cannot pin threads (not Linux, no native library, or the call
     *     was refused)
     */
    public static OptionalInt pinCurrentThread() {
        List<Integer> allowed = allowedCores();
        if (allowed.size() < 2) {
            return OptionalInt.empty();
        }
        synchronized (LOCK) {
            for (int core : allowed) {
                if (!TAKEN.get(core)) {
                    long[] mask = new long[MASK_WORDS];
                    mask[core / Long.SIZE] = 1L << (core % Long.SIZE);
                    try {
                        LibC.INSTANCE.sched_setaffinity(0, new NativeLong(mask.length * Long.BYTES), mask);
                    } catch (LastErrorException e) {
                        return OptionalInt.empty();
                    }
                    TAKEN.set(core);
                    return OptionalInt.of(core);
                }
            }
        }
        return OptionalInt.empty();
    }

    /** Hands a core taken by {@link #pinCurrentThread} back for the next pinned thread. */
    public static void release(int core) {
        synchronized (LOCK) {
            TAKEN.clear(core);
        }
    }

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int getpid();

        int sched_getaffinity(int pid, NativeLong cpusetsize, long[] mask) throws LastErrorException;

        int sched_setaffinity(int pid, NativeLong cpusetsize, long[] mask) throws LastErrorException;
    }
}
