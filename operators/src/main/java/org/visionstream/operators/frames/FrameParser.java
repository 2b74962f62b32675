package org.visionstream.operators.frames;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.visionstream.operators.frames.InvalidFrameException.Reason;

/**
 * Validates a frame record's headers against the frame format ({@link FrameHeaders}). Ambiguous input
 * is refused rather than guessed at: a repeated header, a camera id that is not exactly one UTF-8
 * string without control characters or surrounding whitespace, a number that is not plain ASCII
 * digits, a capture time too far in the future. Thread-safe.
 */
public final class FrameParser implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * How far ahead of the processing time a capture time may be: one hour, as Kafka's
     * {@code log.message.timestamp.after.max.ms}. Frames from the past are always accepted (a backlog).
     */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofHours(1);

    private static final Set<String> CONTENT_TYPES = Set.of(FrameHeaders.JPEG, FrameHeaders.PNG);

    /** Long.MAX_VALUE has 19 digits. */
    private static final int MAX_DIGITS = 19;

    /** How much of a bad value a message quotes. */
    private static final int QUOTED_CHARS = 64;

    private final long maxClockSkewMillis;

    /** @param maxClockSkew how far ahead of the processing time a capture time may be */
    public FrameParser(Duration maxClockSkew) {
        if (maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("the maximum clock skew must not be negative: " + maxClockSkew);
        }
        this.maxClockSkewMillis = maxClockSkew.toMillis();
    }

    /** @param now the processing time, epoch milliseconds */
    public FrameMetadata parse(RawFrame frame, long now) throws InvalidFrameException {
        String cameraId = cameraId(frame);
        long sequence = number(frame, FrameHeaders.SEQUENCE);
        long captureTs = number(frame, FrameHeaders.CAPTURE_TIMESTAMP);
        if (captureTs - now > maxClockSkewMillis) {
            throw invalid("header " + FrameHeaders.CAPTURE_TIMESTAMP + " is " + captureTs + " ("
                    + Instant.ofEpochMilli(captureTs) + "), more than " + Duration.ofMillis(maxClockSkewMillis)
                    + " after the processing time " + now + " (" + Instant.ofEpochMilli(now) + ")");
        }
        String contentType = text(frame, FrameHeaders.CONTENT_TYPE);
        if (!CONTENT_TYPES.contains(contentType)) {
            throw invalid("header " + FrameHeaders.CONTENT_TYPE + " is '" + quoted(contentType)
                    + "', expected one of " + CONTENT_TYPES);
        }
        return new FrameMetadata(cameraId, sequence, captureTs, contentType);
    }

    private static String cameraId(RawFrame frame) throws InvalidFrameException {
        String id = text(frame, FrameHeaders.CAMERA_ID);
        if (id.isEmpty() || id.length() > FrameHeaders.MAX_CAMERA_ID_LENGTH) {
            throw invalid("header " + FrameHeaders.CAMERA_ID + " has " + id.length() + " characters, expected 1 to "
                    + FrameHeaders.MAX_CAMERA_ID_LENGTH);
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                throw invalid(String.format("header %s has control character U+%04X at index %d",
                        FrameHeaders.CAMERA_ID, (int) id.charAt(i), i));
            }
        }
        // Trimming would make "cam" and " cam" one camera; refusing keeps ids one-to-one with cameras.
        if (!id.strip().equals(id)) {
            throw invalid("header " + FrameHeaders.CAMERA_ID + " '" + id + "' has leading or trailing whitespace");
        }
        return id;
    }

    /** Strict UTF-8: replacing bad bytes with U+FFFD would let two different ids collide. */
    private static String text(RawFrame frame, String name) throws InvalidFrameException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value(frame, name)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid("header " + name + " is not valid UTF-8");
        }
    }

    /** 1 to 19 ASCII digits that fit a long: no sign, no whitespace, no other script's digits. */
    private static long number(RawFrame frame, String name) throws InvalidFrameException {
        byte[] value = value(frame, name);
        boolean digits = value.length >= 1 && value.length <= MAX_DIGITS;
        for (int i = 0; digits && i < value.length; i++) {
            digits = value[i] >= '0' && value[i] <= '9';
        }
        String text = new String(value, StandardCharsets.UTF_8);
        if (digits) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw invalid("header " + name + " is " + text + ", more than " + Long.MAX_VALUE);
            }
        }
        throw invalid("header " + name + " is '" + quoted(text) + "', expected 1 to " + MAX_DIGITS
                + " ASCII decimal digits");
    }

    /** The header's one value: a repeated header is ambiguous (which one did the producer mean?). */
    private static byte[] value(RawFrame frame, String name) throws InvalidFrameException {
        List<byte[]> values = frame.headerValues(name);
        if (values.size() > 1) {
            throw invalid("header " + name + " appears " + values.size() + " times");
        }
        if (values.isEmpty() || values.get(0) == null) {
            throw new InvalidFrameException(Reason.MISSING_HEADER, "header " + name + " is missing");
        }
        return values.get(0);
    }

    private static String quoted(String value) {
        return value.length() <= QUOTED_CHARS ? value : value.substring(0, QUOTED_CHARS) + "...";
    }

    private static InvalidFrameException invalid(String message) {
        return new InvalidFrameException(Reason.INVALID_HEADER, message);
    }
}
