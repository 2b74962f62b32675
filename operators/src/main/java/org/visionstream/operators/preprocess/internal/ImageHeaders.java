package org.visionstream.operators.preprocess.internal;

import org.visionstream.operators.preprocess.ImageDecodeException;
import org.visionstream.operators.preprocess.ImageDecodeException.Reason;
import org.visionstream.operators.preprocess.ImageFormat;

/** Reads the declared width and height from JPEG and PNG headers without decoding pixels. */
public final class ImageHeaders {

    private static final long PNG_IHDR_LENGTH = 13;
    private static final long PNG_IHDR = 0x49484452L; // "IHDR"

    private ImageHeaders() {}

    /** {@code {width, height}} as the header declares them. */
    public static long[] declaredSize(ImageFormat format, byte[] data) throws ImageDecodeException {
        return format == ImageFormat.PNG ? pngSize(data) : jpegSize(data);
    }

    public static boolean endsWithJpegEoi(byte[] data) {
        // Encoders may append padding after EOI; look at the last few bytes.
        for (int i = data.length - 2; i >= Math.max(0, data.length - 64); i--) {
            if ((data[i] & 0xFF) == 0xFF && (data[i + 1] & 0xFF) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    private static long[] pngSize(byte[] data) throws ImageDecodeException {
        // Signature (8), then IHDR, which must come first: length (4) = 13, "IHDR" (4), width (4), height (4).
        if (data.length < 24) {
            throw new ImageDecodeException(Reason.TRUNCATED, "the PNG ends inside its header");
        }
        if (u32(data, 8) != PNG_IHDR_LENGTH || u32(data, 12) != PNG_IHDR) {
            throw new ImageDecodeException(Reason.CORRUPT, "the PNG does not start with an IHDR chunk");
        }
        long width = u32(data, 16);
        long height = u32(data, 20);
        // The spec's limit; it also keeps width * height within a long.
        if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new ImageDecodeException(Reason.CORRUPT, "the PNG declares " + width + "x" + height);
        }
        return new long[] {width, height};
    }

    private static long[] jpegSize(byte[] data) throws ImageDecodeException {
        int i = 2;
        while (i + 4 <= data.length) {
            if ((data[i] & 0xFF) != 0xFF) {
                throw new ImageDecodeException(Reason.CORRUPT, "bad JPEG marker at byte " + i);
            }
            int marker = data[i + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                i++;
                continue;
            }
            int length = u16(data, i + 2);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (i + 9 > data.length) {
                    break;
                }
                return new long[] {u16(data, i + 7), u16(data, i + 5)};
            }
            if (length < 2) {
                throw new ImageDecodeException(Reason.CORRUPT, "bad JPEG segment length at byte " + i);
            }
            i += 2 + length;
        }
        throw new ImageDecodeException(Reason.TRUNCATED, "the JPEG ends before its frame header");
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }
}
