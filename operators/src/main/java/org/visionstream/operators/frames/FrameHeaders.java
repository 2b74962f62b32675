package org.visionstream.operators.frames;

/**
 * The Kafka headers of a frame record. Each appears exactly once. Values are UTF-8 text: the camera id
 * as is (no control characters, no leading or trailing whitespace), numbers as 1 to 19 ASCII decimal
 * digits, the content type as a MIME type. The record key is the camera id too (so one camera's frames
 * stay in order on one partition) and the record timestamp is the capture time.
 */
public final class FrameHeaders {

    /** Camera id, the same as the record key. */
    public static final String CAMERA_ID = "camera-id";

    /** The longest camera id the job accepts. */
    public static final int MAX_CAMERA_ID_LENGTH = 256;

    /** Frame sequence number within the camera's stream, a non-negative decimal integer. */
    public static final String SEQUENCE = "frame-seq";

    /**
     * Capture time, epoch milliseconds, a non-negative decimal integer; at most the parser's maximum
     * clock skew ahead of the processing time ({@link FrameParser#DEFAULT_MAX_CLOCK_SKEW}).
     */
    public static final String CAPTURE_TIMESTAMP = "capture-ts";

    /** {@code image/jpeg} or {@code image/png}. */
    public static final String CONTENT_TYPE = "content-type";

    public static final String JPEG = "image/jpeg";
    public static final String PNG = "image/png";

    private FrameHeaders() {}
}
