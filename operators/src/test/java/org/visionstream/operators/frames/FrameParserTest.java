package org.visionstream.operators.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visionstream.operators.frames.InvalidFrameException.Reason;
import org.visionstream.operators.testing.Frames;

/** Every ambiguous header is refused with a reason, and the unambiguous neighbour of each still parses. */
class FrameParserTest {

    /** The processing time; {@link #good()} was captured 0.6 s before it. */
    private static final long NOW = 1_700_000_002_000L;
    private static final long YEAR_3000 = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();

    private final FrameParser parser = new FrameParser(FrameParser.DEFAULT_MAX_CLOCK_SKEW);

    /** Camera "cam-1", sequence 7, captured at 1_700_000_001_400, JPEG. */
    private static RawFrame good() {
        return Frames.jpeg("cam-1", 7, new byte[] {1});
    }

    @Test
    void aGoodFrameParses() throws Exception {
        assertEquals(new FrameMetadata("cam-1", 7, 1_700_000_001_400L, FrameHeaders.JPEG), parser.parse(good(), NOW));
    }

    @ParameterizedTest
    @ValueSource(strings = {FrameHeaders.CAMERA_ID, FrameHeaders.SEQUENCE, FrameHeaders.CAPTURE_TIMESTAMP,
            FrameHeaders.CONTENT_TYPE})
    void aRepeatedHeaderIsRefusedEvenWithTheSameValue(String name) throws Exception {
        RawFrame frame = good();
        byte[] value = frame.headerValues(name).get(0);
        InvalidFrameException twice = refused(Frames.added(name, value, frame));
        assertEquals("header " + name + " appears 2 times", twice.getMessage());
        InvalidFrameException thrice = refused(Frames.added(name, value, Frames.added(name, value, frame)));
        assertEquals("header " + name + " appears 3 times", thrice.getMessage());
    }

    @Test
    void aMissingHeaderOrOneWithoutAValueIsMissing() {
        for (RawFrame frame : new RawFrame[] {
                Frames.without(FrameHeaders.SEQUENCE, good()), Frames.replaced(FrameHeaders.SEQUENCE, null, good())}) {
            InvalidFrameException e = assertThrows(InvalidFrameException.class, () -> parser.parse(frame, NOW));
            assertEquals(Reason.MISSING_HEADER, e.reason());
            assertEquals("header frame-seq is missing", e.getMessage());
        }
    }

    @Test
    void aCameraIdThatIsNotUtf8IsRefusedRatherThanTurnedIntoReplacementCharacters() throws Exception {
        byte[] malformed = {'c', 'a', 'm', (byte) 0xC3, (byte) 0x28};
        assertTrue(refused(cameraId(malformed)).getMessage().contains("not valid UTF-8"));
        byte[] overlong = {(byte) 0xC0, (byte) 0xAF}; // '/' in two bytes
        assertTrue(refused(cameraId(overlong)).getMessage().contains("not valid UTF-8"));
        byte[] wellFormed = {'c', 'a', 'm', (byte) 0xC3, (byte) 0xA9};
        assertEquals("cam\u00e9", parser.parse(cameraId(wellFormed), NOW).cameraId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cam\u0007", "cam\n1", "\u0000cam", "cam\u007F", "cam\u0085"})
    void aCameraIdWithAControlCharacterIsRefused(String id) throws Exception {
        assertTrue(refused(cameraId(Frames.utf8(id))).getMessage().contains("control character"));
    }

    @ParameterizedTest
    @ValueSource(strings = {" cam", "cam ", " cam ", "cam\u2003", "   "})
    void aCameraIdWithSurroundingWhitespaceIsRefusedSoThatItCannotCollideWithTheTrimmedOne(String id) throws Exception {
        assertTrue(refused(cameraId(Frames.utf8(id))).getMessage().contains("whitespace"));
        assertEquals("a cam", parser.parse(cameraId(Frames.utf8("a cam")), NOW).cameraId(), "inner spaces are fine");
    }

    @Test
    void aCameraIdHasOneTo256Characters() throws Exception {
        String longest = "c".repeat(FrameHeaders.MAX_CAMERA_ID_LENGTH);
        assertEquals(longest, parser.parse(cameraId(Frames.utf8(longest)), NOW).cameraId());
        refused(cameraId(Frames.utf8(longest + "c")));
        refused(cameraId(new byte[0]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+7", " 8 ", "8 ", "-1", "\u0667", "\uFF17", "7.0", "1e3", "0x7", "",
            "12345678901234567890", "9223372036854775808", "99999999999999999999999"})
    void aNumberIsOneTo19AsciiDigitsThatFitALong(String bad) throws Exception {
        refused(Frames.replaced(FrameHeaders.SEQUENCE, Frames.utf8(bad), good()));
        refused(Frames.replaced(FrameHeaders.CAPTURE_TIMESTAMP, Frames.utf8(bad), good()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "7", "007", "9223372036854775807"})
    void plainDigitsParse(String digits) throws Exception {
        assertEquals(Long.parseLong(digits),
                parser.parse(Frames.replaced(FrameHeaders.SEQUENCE, Frames.utf8(digits), good()), NOW).sequence());
    }

    @Test
    void aCaptureTimeInTheYear3000IsRefusedNamingBothTimes() throws Exception {
        String message = refused(captured(YEAR_3000)).getMessage();
        assertTrue(message.contains("3000-01-01T00:00:00Z") && message.contains(Instant.ofEpochMilli(NOW).toString()),
                message);
    }

    @Test
    void aCaptureTimeUpToTheClockSkewAheadIsAccepted() throws Exception {
        long hour = Duration.ofHours(1).toMillis();
        assertEquals(NOW + hour - 60_000, parser.parse(captured(NOW + hour - 60_000), NOW).captureTimestamp());
        assertEquals(NOW + hour, parser.parse(captured(NOW + hour), NOW).captureTimestamp());
        refused(captured(NOW + hour + 1));
    }

    @Test
    void aCaptureTimeFromThePastIsAcceptedForABacklog() throws Exception {
        long dayAgo = NOW - Duration.ofDays(1).toMillis();
        assertEquals(dayAgo, parser.parse(captured(dayAgo), NOW).captureTimestamp());
        assertEquals(0, parser.parse(captured(0), NOW).captureTimestamp());
    }

    @Test
    void theClockSkewIsConfigurable() throws Exception {
        FrameParser strict = new FrameParser(Duration.ZERO);
        assertEquals(NOW, strict.parse(captured(NOW), NOW).captureTimestamp());
        assertThrows(InvalidFrameException.class, () -> strict.parse(captured(NOW + 1), NOW));
        assertThrows(IllegalArgumentException.class, () -> new FrameParser(Duration.ofMillis(-1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"image/jpeg ", " image/png", "IMAGE/JPEG", "image/jpg", "image/gif", "image/jpeg; q=1"})
    void theContentTypeMatchesExactly(String bad) throws Exception {
        refused(Frames.replaced(FrameHeaders.CONTENT_TYPE, Frames.utf8(bad), good()));
        RawFrame png = Frames.replaced(FrameHeaders.CONTENT_TYPE, Frames.utf8(FrameHeaders.PNG), good());
        assertEquals(FrameHeaders.PNG, parser.parse(png, NOW).contentType());
    }

    /** Asserts that the parser refuses the frame as INVALID_HEADER with a message, and returns the failure. */
    private InvalidFrameException refused(RawFrame frame) {
        InvalidFrameException e = assertThrows(InvalidFrameException.class, () -> parser.parse(frame, NOW));
        assertEquals(Reason.INVALID_HEADER, e.reason(), e.getMessage());
        return e;
    }

    private static RawFrame cameraId(byte[] value) {
        return Frames.replaced(FrameHeaders.CAMERA_ID, value, good());
    }

    private static RawFrame captured(long timestamp) {
        return Frames.replaced(FrameHeaders.CAPTURE_TIMESTAMP, Frames.utf8(Long.toString(timestamp)), good());
    }
}
