package org.visionstream.operators.track.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
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

    public void write(DataOutput out) throws IOException {
        out.writeLong(id);
        out.writeBoolean(confirmed);
        out.writeInt(hits);
        writeFloats(out, kalman);
        out.writeLong(firstSeenTs);
        out.writeLong(firstSeenSeq);
        out.writeLong(lastSeenTs);
        out.writeLong(lastSeenSeq);
        writeFloats(out, lastBox);
        out.writeFloat(lastScore);
        out.writeFloat(bestScore);
        writeFloats(out, bestBox);
        out.writeLong(bestSeq);
        out.writeLong(bestTs);
        out.writeLong(lastReportTs);
        out.writeByte(labels.length);
        for (int i = 0; i < labels.length; i++) {
            out.writeUTF(labels[i]);
            out.writeInt(votes[i]);
        }
        out.writeLong(zones);
        out.writeByte(Long.bitCount(zones));
        for (int z = 0; z < 64; z++) {
            if (inZone(z)) {
                out.writeByte(z);
                out.writeLong(zoneSince[z]);
            }
        }
    }

    public static Track read(DataInput in) throws IOException {
        Track t = new Track();
        t.id = in.readLong();
        t.confirmed = in.readBoolean();
        t.hits = in.readInt();
        t.kalman = readFloats(in, BoxKalman.SIZE);
        t.firstSeenTs = in.readLong();
        t.firstSeenSeq = in.readLong();
        t.lastSeenTs = in.readLong();
        t.lastSeenSeq = in.readLong();
        t.lastBox = readFloats(in, 4);
        t.lastScore = in.readFloat();
        t.bestScore = in.readFloat();
        t.bestBox = readFloats(in, 4);
        t.bestSeq = in.readLong();
        t.bestTs = in.readLong();
        t.lastReportTs = in.readLong();
        int labels = in.readUnsignedByte();
        t.labels = new String[labels];
        t.votes = new int[labels];
        for (int i = 0; i < labels; i++) {
            t.labels[i] = in.readUTF();
            t.votes[i] = in.readInt();
        }
        t.zones = in.readLong();
        int inside = in.readUnsignedByte();
        t.zoneSince = new long[64 - Long.numberOfLeadingZeros(t.zones)];
        for (int i = 0; i < inside; i++) {
            int z = in.readUnsignedByte();
            t.zoneSince[z] = in.readLong();
        }
        return t;
    }

    private static void writeFloats(DataOutput out, float[] values) throws IOException {
        for (float v : values) {
            out.writeFloat(v);
        }
    }

    private static float[] readFloats(DataInput in, int n) throws IOException {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }
}
