package org.visionstream.operators.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.visionstream.operators.frames.FrameHeaders;
import org.visionstream.operators.frames.RawFrame;

/** Frame records as a producer following the frame format writes them. */
public final class Frames {

    private Frames() {}

    public static RawFrame jpeg(String camera, long sequence, byte[] value) {
        return frame(camera, value, headers(camera, sequence, FrameHeaders.JPEG));
    }

    /** A record with exactly these headers (key = camera). */
    public static RawFrame frame(String camera, byte[] value, List<RawFrame.Header> headers) {
        return new RawFrame("frames", 0, 7, 1_700_000_000_000L, utf8(camera), value, headers);
    }

    /** The four frame-format headers, capture time 1_700_000_000_000 + sequence * 200 ms. */
    public static List<RawFrame.Header> headers(String camera, long sequence, String contentType) {
        List<RawFrame.Header> h = new ArrayList<>();
        h.add(new RawFrame.Header(FrameHeaders.CAMERA_ID, utf8(camera)));
        h.add(new RawFrame.Header(FrameHeaders.SEQUENCE, utf8(Long.toString(sequence))));
        h.add(new RawFrame.Header(FrameHeaders.CAPTURE_TIMESTAMP, utf8(Long.toString(1_700_000_000_000L + sequence * 200))));
        h.add(new RawFrame.Header(FrameHeaders.CONTENT_TYPE, utf8(contentType)));
        return h;
    }

    /** {@code frame} without header {@code name}. */
    public static RawFrame without(String name, RawFrame frame) {
        return edit(frame, h -> h.key().equals(name) ? null : h);
    }

    /** {@code frame} with every value of header {@code name} replaced by {@code value}. */
    public static RawFrame replaced(String name, byte[] value, RawFrame frame) {
        return edit(frame, h -> h.key().equals(name) ? new RawFrame.Header(name, value) : h);
    }

    /** {@code frame} with one more header {@code name} after the others. */
    public static RawFrame added(String name, byte[] value, RawFrame frame) {
        List<RawFrame.Header> headers = new ArrayList<>(frame.headers());
        headers.add(new RawFrame.Header(name, value));
        return withHeaders(frame, headers);
    }

    private static RawFrame edit(RawFrame frame, UnaryOperator<RawFrame.Header> change) {
        return withHeaders(frame, frame.headers().stream().map(change).filter(Objects::nonNull).toList());
    }

    private static RawFrame withHeaders(RawFrame f, List<RawFrame.Header> headers) {
        return new RawFrame(f.topic(), f.partition(), f.offset(), f.timestamp(), f.key(), f.value(), headers);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
