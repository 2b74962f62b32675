package org.visionstream.operators.postprocess;

import java.util.Arrays;

/**
 * Orders scores descending, ties by lower index (a stable sort, as torchvision and MXNet sort), lazily: one
 * linear pass buckets the scores by their leading bits, and a bucket is sorted only when a caller first reads
 * a rank in it. Proposal selection reads a few hundred to a few thousand ranks of 28,500, and a full
 * comparison sort of them took 2 ms. NaN is rejected and -0 ranks as 0. Reusable scratch, not thread-safe.
 */
final class ScoreRanking {

    /** Buckets by the top 11 bits of the key (sign, exponent, 2 mantissa bits): 2048 counters fit in L1. */
    private static final int BUCKET_SHIFT = 21;
    private static final int BUCKETS = 1 << (32 - BUCKET_SHIFT);

    private final int[] bucketEnds = new int[BUCKETS + 1];
    private int[] keys = new int[0];
    /** {@code key << 32 | index}, key with its sign bit flipped: signed long order is rank order. */
    private long[] entries = new long[0];
    private int sortedEnd;
    private int nextBucket;

    /** Ranks the first {@code n} scores; read them with {@link #get}. */
    void rank(float[] scores, int n) {
        if (keys.length < n) {
            keys = new int[n];
            entries = new long[n];
        }
        Arrays.fill(bucketEnds, 0);
        for (int i = 0; i < n; i++) {
            float s = scores[i];
            if (Float.isNaN(s)) {
                throw new IllegalArgumentException("NaN score at index " + i);
            }
            int bits = Float.floatToRawIntBits(s == 0f ? 0f : s);
            // Unsigned ascending keys for descending scores: positives count down from 0x7fffffff, negatives
            // keep their bits (sign set, larger magnitude larger).
            int key = bits < 0 ? bits : bits ^ 0x7fffffff;
            keys[i] = key;
            bucketEnds[(key >>> BUCKET_SHIFT) + 1]++;
        }
        for (int b = 0; b < BUCKETS; b++) {
            bucketEnds[b + 1] += bucketEnds[b];
        }
        // Scatter in index order, moving each bucket's start up to its end as it fills.
        for (int i = 0; i < n; i++) {
            int key = keys[i];
            entries[bucketEnds[key >>> BUCKET_SHIFT]++] = ((long) (key ^ Integer.MIN_VALUE) << 32) | i;
        }
        sortedEnd = 0;
        nextBucket = 0;
    }

    /** The index of rank {@code r} ({@code 0 <= r < n}): the {@code r}-th best score. */
    int get(int r) {
        while (r >= sortedEnd) {
            int end = bucketEnds[nextBucket++];
            if (end - sortedEnd > 1) {
                Arrays.sort(entries, sortedEnd, end);
            }
            sortedEnd = end;
        }
        return (int) entries[r];
    }
}
