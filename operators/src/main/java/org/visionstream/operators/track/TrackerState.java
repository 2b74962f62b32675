package org.visionstream.operators.track;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.visionstream.operators.track.internal.Track;

/**
 * The tracker of one camera, as state: the tracks, the next id and the last frame processed. Its bytes
 * ({@link #toBytes()}, versioned) are what a Flink job checkpoints per camera: about 210 bytes per track
 * (the Kalman state is 20 floats: see {@code BoxKalman}), 4.2 KB for 20 live tracks.
 */
public final class TrackerState {

    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 1 + 3 * 8 + 2;

    long nextId = 1;
    /** Sequence and capture time of the last frame processed; {@code lastSequence < 0} before the first. */
    long lastSequence = -1;
    long lastTimestamp;
    final List<Track> tracks = new ArrayList<>();

    /** Tracks alive, confirmed or tentative. */
    public int liveTracks() {
        return tracks.size();
    }

    public byte[] toBytes() {
        int size = HEADER_BYTES;
        for (Track t : tracks) {
            size += t.serializedSize();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) VERSION);
        out.putLong(nextId);
        out.putLong(lastSequence);
        out.putLong(lastTimestamp);
        out.putShort((short) tracks.size());
        for (Track t : tracks) {
            t.write(out);
        }
        return out.array();
    }

    public static TrackerState fromBytes(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int version = Byte.toUnsignedInt(in.get());
            if (version != VERSION) {
                throw new IllegalStateException("tracker state version " + version + " is not " + VERSION);
            }
            TrackerState s = new TrackerState();
            s.nextId = in.getLong();
            s.lastSequence = in.getLong();
            s.lastTimestamp = in.getLong();
            int n = Short.toUnsignedInt(in.getShort());
            for (int i = 0; i < n; i++) {
                s.tracks.add(Track.read(in));
            }
            return s;
        } catch (BufferUnderflowException e) {
            throw new IllegalStateException("corrupt tracker state: " + bytes.length + " bytes", e);
        }
    }
}
