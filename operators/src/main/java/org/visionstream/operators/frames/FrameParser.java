package org.visionstream.operators.frames;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.visionstream.operators.frames.InvalidFrameException.Reason;

/** Validates a frame record's headers against the frame format ({@link FrameHeaders}). Thread-safe. */
public final class FrameParser {

    private static final Set<String> CONTENT_TYPES = Set.of(FrameHeaders.JPEG, FrameHeaders.PNG);

    public FrameMetadata parse(RawFrame frame) throws InvalidFrameException {
        String cameraId = text(frame, FrameHeaders.CAMERA_ID);
        if (cameraId.isBlank() || cameraId.length() > FrameHeaders.MAX_CAMERA_ID_LENGTH) {
            throw new InvalidFrameException(Reason.INVALID_HEADER,
                    "header " + FrameHeaders.CAMERA_ID + " must be 1 to " + FrameHeaders.MAX_CAMERA_ID_LENGTH + " characters");
        }
        long sequence = number(frame, FrameHeaders.SEQUENCE);
        long captureTs = number(frame, FrameHeaders.CAPTURE_TIMESTAMP);
        String contentType = text(frame, FrameHeaders.CONTENT_TYPE);
        if (!CONTENT_TYPES.contains(contentType)) {
            throw new InvalidFrameException(Reason.INVALID_HEADER, "header " + FrameHeaders.CONTENT_TYPE
                    + " is '" + contentType + "', expected one of " + CONTENT_TYPES);
        }
        return new FrameMetadata(cameraId, sequence, captureTs, contentType);
    }

    private static String text(RawFrame frame, String name) throws InvalidFrameException {
        byte[] value = frame.header(name);
        if (value == null) {
            throw new InvalidFrameException(Reason.MISSING_HEADER, "header " + name + " is missing");
        }
        return new String(value, StandardCharsets.UTF_8).trim();
    }

    private static long number(RawFrame frame, String name) throws InvalidFrameException {
        String text = text(frame, name);
        try {
            long v = Long.parseLong(text);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the header's name
        }
        throw new InvalidFrameException(
                Reason.INVALID_HEADER, "header " + name + " is '" + text + "', expected a non-negative integer");
    }
}
