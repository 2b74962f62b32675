package org.visionstream.operators.preprocess;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Pixel arrays of decoded frames, used again once their frame has been detected. A camera frame's
 * pixels are hundreds of kilobytes to megabytes (768x432 BGR: 995 KB), and G1 allocates any array of
 * half a heap region or more (512 KB with the 1 MB regions of a heap under 2 GB) straight into the old
 * generation, and in a heap whose old generation is not empty a stream of them starts one concurrent
 * marking cycle after another. Measured in the demo on the 768x432 car video (2 cores; the in-process
 * broker shares the 1 GiB heap): G1's threads took 35 to 50 % of a core without this pool and 7 % with
 * it, and the detector's median went from 119 to 78 ms. Arrays handed back are taken again for the next
 * frame of the same size.
 *
 * <p>Only arrays this pool lent are taken back, each once: an array handed back twice, or one decoded
 * elsewhere, is ignored, so an image shared by two frames is never overwritten under the second. An
 * array never handed back (its frame failed or was dropped with its task) is left to the garbage
 * collector: the pool remembers lent arrays weakly. At most {@code maxBytes} wait here; beyond that the
 * oldest are dropped. Thread-safe: the decoder takes on the task thread, the detector's worker hands back.
 */
public final class PixelArrayPool {

    /**
     * 64 MiB: every array in circulation in a TaskManager's detect subtasks at any moment (a subtask holds
     * at most its batch being assembled, the batches in flight and the frame being decoded: three 1 MB
     * frames at batch size 1), with room for larger batches.
     */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;

    private static final PixelArrayPool SHARED = new PixelArrayPool(DEFAULT_MAX_BYTES);

    private final long maxBytes;
    /** Arrays out on loan; arrays compare by identity, so this is a weak identity set. */
    private final Map<byte[], Boolean> lent = new WeakHashMap<>();
    /** Arrays handed back, oldest first. */
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private long freeBytes;

    public PixelArrayPool(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * The pool of this class loader (on a Flink cluster, of the job in a TaskManager): the decode and the
     * detect operator of a subtask are separate objects that share it.
     */
    public static PixelArrayPool shared() {
        return SHARED;
    }

    /** An array of exactly {@code length} bytes, not zeroed: the caller overwrites all of it. */
    public synchronized byte[] take(int length) {
        byte[] array = null;
        for (Iterator<byte[]> it = free.descendingIterator(); it.hasNext(); ) {
            byte[] candidate = it.next();
            if (candidate.length == length) {
                it.remove();
                freeBytes -= length;
                array = candidate;
                break;
            }
        }
        if (array == null) {
            array = new byte[length];
        }
        lent.put(array, Boolean.TRUE);
        return array;
    }

    /**
     * Takes back an array from {@link #take} whose pixels nobody reads any more; any other array is ignored.
     * @return whether the array was taken back
     */
    public synchronized boolean giveBack(byte[] array) {
        if (lent.remove(array) == null) {
            return false;
        }
        if (array.length > maxBytes) {
            return false;
        }
        free.addLast(array);
        freeBytes += array.length;
        while (freeBytes > maxBytes) {
            freeBytes -= free.removeFirst().length;
        }
        return true;
    }

    /** Bytes waiting to be taken again. */
    public synchronized long freeBytes() {
        return freeBytes;
    }
}
