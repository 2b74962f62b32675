package org.visionstream.operators.track.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One tracked object of a camera: its filter, history and votes. Mutable; owned by one camera's state. */
public final class Track {

    /** Different classes a track remembers votes for; a fifth one replaces the least voted. */
    private static final int MAX_LABELS = 4;

    public long id;
    /** False while the track is tentative (fewer than the birth hits so far). */
    public boolean confirmed;
    public int hits;
    public float[] kalman;
    public long firstSeenTs;
    public long firstSeenSeq;
    public long lastSeenTs;
    public long lastSeenSeq;
    public float[] lastBox;
    public float lastScore;
    public float bestScore;
    public float[] bestBox;
    public long bestSeq;
    public long bestTs;
    /** Capture time of the last appeared or updated event. */
    public long lastReportTs;
    public String[] labels = new String[0];
    public int[] votes = new int[0];
    /** Bit {@code i}: inside zone {@code i} of the camera; {@code zoneSince[i]} when it entered. */
    public long zones;
    public long[] zoneSince = new long[0];

    /** The majority class; the earliest of equally voted ones. */
    public String label() {
        int best = 0;
        for (int i = 1; i < votes.length; i++) {
            if (votes[i] > votes[best]) {
                best = i;
            }
        }
        return labels.length == 0 ? null : labels[best];
    }

    public void vote(String label) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].equals(label)) {
                votes[i]++;
                return;
            }
        }
        if (labels.length < MAX_LABELS) {
            labels = Arrays.copyOf(labels, labels.length + 1);
            votes = Arrays.copyOf(votes, votes.length + 1);
        } else {
            int least = 0;
            for (int i = 1; i < votes.length; i++) {
                if (votes[i] < votes[least]) {
                    least = i;
                }
            }
            // Move the least voted class to the end so that the new one does not win ties by its position.
            labels = moveToEnd(labels, least);
            votes = moveToEnd(votes, least);
        }
        labels[labels.length - 1] = label;
        votes[votes.length - 1] = 1;
    }

    private static String[] moveToEnd(String[] a, int i) {
        String[] r = new String[a.length];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }

    private static int[] moveToEnd(int[] a, int i) {
        int[] r = new int[a.length];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }

    public boolean inZone(int zone) {
        return (zones & (1L << zone)) != 0;
    }

    public void enterZone(int zone, long timestamp) {
        if (zoneSince.length <= zone) {
            zoneSince = Arrays.copyOf(zoneSince, zone + 1);
        }
        zones |= 1L << zone;
        zoneSince[zone] = timestamp;
    }

    public void leaveZone(int zone) {
        zones &= ~(1L << zone);
    }

    /** Bytes {@link #write} takes. */
    public int serializedSize() {
        int size = 8 + 1 + 4 + 4 * BoxKalman.SIZE + 4 * 8 + 4 * 4 + 4 + 4 + 4 * 4 + 3 * 8 + 1 + 8 + 1 + 9 * Long.bitCount(zones);
        for (String label : labels) {
            size += 2 + label.getBytes(StandardCharsets.UTF_8).length + 4;
        }
        return size;
    }

    public void write(ByteBuffer out) {
        out.putLong(id);
        out.put((byte) (confirmed ? 1 : 0));
        out.putInt(hits);
        writeFloats(out, kalman);
        out.putLong(firstSeenTs);
        out.putLong(firstSeenSeq);
        out.putLong(lastSeenTs);
        out.putLong(lastSeenSeq);
        writeFloats(out, lastBox);
        out.putFloat(lastScore);
        out.putFloat(bestScore);
        writeFloats(out, bestBox);
        out.putLong(bestSeq);
        out.putLong(bestTs);
        out.putLong(lastReportTs);
        out.put((byte) labels.length);
        for (int i = 0; i < labels.length; i++) {
            byte[] utf8 = labels[i].getBytes(StandardCharsets.UTF_8);
            out.putShort((short) utf8.length);
            out.put(utf8);
            out.putInt(votes[i]);
        }
        out.putLong(zones);
        out.put((byte) Long.bitCount(zones));
        for (int z = 0; z < 64; z++) {
            if (inZone(z)) {
                out.put((byte) z);
                out.putLong(zoneSince[z]);
            }
        }
    }

    public static Track read(ByteBuffer in) {
        Track t = new Track();
        t.id = in.getLong();
        t.confirmed = in.get() != 0;
        t.hits = in.getInt();
        t.kalman = readFloats(in, BoxKalman.SIZE);
        t.firstSeenTs = in.getLong();
        t.firstSeenSeq = in.getLong();
        t.lastSeenTs = in.getLong();
        t.lastSeenSeq = in.getLong();
        t.lastBox = readFloats(in, 4);
        t.lastScore = in.getFloat();
        t.bestScore = in.getFloat();
        t.bestBox = readFloats(in, 4);
        t.bestSeq = in.getLong();
        t.bestTs = in.getLong();
        t.lastReportTs = in.getLong();
        int labels = Byte.toUnsignedInt(in.get());
        t.labels = new String[labels];
        t.votes = new int[labels];
        for (int i = 0; i < labels; i++) {
            byte[] utf8 = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(utf8);
            t.labels[i] = new String(utf8, StandardCharsets.UTF_8);
            t.votes[i] = in.getInt();
        }
        t.zones = in.getLong();
        int inside = Byte.toUnsignedInt(in.get());
        t.zoneSince = new long[64 - Long.numberOfLeadingZeros(t.zones)];
        for (int i = 0; i < inside; i++) {
            int z = Byte.toUnsignedInt(in.get());
            t.zoneSince[z] = in.getLong();
        }
        return t;
    }

    private static void writeFloats(ByteBuffer out, float[] values) {
        for (float v : values) {
            out.putFloat(v);
        }
    }

    private static float[] readFloats(ByteBuffer in, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.getFloat();
        }
        return values;
    }
}
