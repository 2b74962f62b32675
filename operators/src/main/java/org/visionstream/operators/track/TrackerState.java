package org.visionstream.operators.track;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.visionstream.operators.track.internal.Track;

/**
 * The tracker of one camera, as state: the tracks, the next id and the last frame processed. Its bytes
 * ({@link #toBytes()}, versioned) are what a Flink job checkpoints per camera: about 190 bytes per track
 * (the Kalman state is 20 floats: see {@code BoxKalman}), 3.9 KB for 20 live tracks.
 */
public final class TrackerState {

    private static final int VERSION = 1;

    long nextId = 1;
    /** Sequence and capture time of the last frame processed; {@code lastSequence < 0} before the first. */
    long lastSequence = -1;
    long lastTimestamp;
    final List<Track> tracks = new ArrayList<>();

    /** Tracks alive, confirmed or tentative. */
    public int liveTracks() {
        return tracks.size();
    }

    /** The sequence of the last frame processed; -1 before the first. */
    public long lastSequence() {
        return lastSequence;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 200 * tracks.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(nextId);
            out.writeLong(lastSequence);
            out.writeLong(lastTimestamp);
            out.writeShort(tracks.size());
            for (Track t : tracks) {
                t.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    public static TrackerState fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalStateException("tracker state version " + version + " is not " + VERSION);
            }
            TrackerState s = new TrackerState();
            s.nextId = in.readLong();
            s.lastSequence = in.readLong();
            s.lastTimestamp = in.readLong();
            int n = in.readUnsignedShort();
            for (int i = 0; i < n; i++) {
                s.tracks.add(Track.read(in));
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt tracker state", e);
        }
    }
}
