package org.visionstream.operators.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.preprocess.ImageDecodeException.Reason;
import org.visionstream.operators.testing.SharedData;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder();

    private static byte[] read(String shared) throws IOException {
        return Files.readAllBytes(SharedData.file(shared));
    }

    private Reason failure(ImageDecoder d, byte[] data) {
        return assertThrows(ImageDecodeException.class, () -> d.decode(data)).reason();
    }

    @Test
    void decodesJpegAndPngToBgr() throws Exception {
        DecodedImage jpeg = decoder.decode(read("media/images/voc/000004.jpg"));
        assertEquals(500, jpeg.width());
        assertEquals(406, jpeg.height());
        DecodedImage png = decoder.decode(read("media/images/street-bicycle-truck-dog.png"));
        assertEquals(png.width() * png.height() * 3, png.bgr().length);
    }

    @Test
    void classifiesBadInput() throws Exception {
        byte[] jpeg = read("media/images/voc/000004.jpg");
        byte[] png = read("media/images/street-bicycle-truck-dog.png");
        assertEquals(Reason.EMPTY, failure(decoder, new byte[0]));
        assertEquals(Reason.UNSUPPORTED_FORMAT, failure(decoder, "not an image at all".getBytes()));
        assertEquals(Reason.TRUNCATED, failure(decoder, Arrays.copyOf(jpeg, jpeg.length / 2)));
        assertEquals(Reason.TRUNCATED, failure(decoder, Arrays.copyOf(png, png.length / 2)));
        assertEquals(Reason.TOO_LARGE, failure(new ImageDecoder(1000, 1_000_000), jpeg));
        assertEquals(Reason.DIMENSIONS_TOO_LARGE, failure(new ImageDecoder(1 << 20, 500L * 405), jpeg));
        byte[] garbled = jpeg.clone();
        Arrays.fill(garbled, 20, garbled.length - 2, (byte) 0x55); // after the JFIF header
        assertEquals(Reason.CORRUPT, failure(decoder, garbled));
    }

    @Test
    void aSmallPngDeclaring49MegapixelsIsRefusedBeforeDecoding() throws Exception {
        byte[] png = read("media/images/street-bicycle-truck-dog.png");
        // Only the header check says DIMENSIONS_TOO_LARGE; decoding these bytes would fail otherwise.
        assertEquals(Reason.DIMENSIONS_TOO_LARGE, failure(decoder, withPngSize(png, 7000, 7000)));
        assertEquals(Reason.DIMENSIONS_TOO_LARGE, failure(decoder, withPngSize(png, 4097, 4096)));
        assertEquals(416 * 416 * 3, decoder.decode(withPngSize(png, 416, 416)).bgr().length, "the patch keeps a valid PNG");
    }

    @Test
    void aHeaderDeclaringNoPixelsOrAnImpossibleSizeIsCorrupt() throws Exception {
        byte[] png = read("media/images/street-bicycle-truck-dog.png");
        assertEquals(Reason.CORRUPT, failure(decoder, withPngSize(png, 0, 416)));
        assertEquals(Reason.CORRUPT, failure(decoder, withPngSize(png, 416, 0)));
        // 2^32 - 1 squared overflows a long into a negative pixel count, which a bare product check passes.
        assertEquals(Reason.CORRUPT, failure(decoder, withPngSize(png, 0xFFFFFFFFL, 0xFFFFFFFFL)));
        byte[] jpeg = read("media/images/voc/000004.jpg");
        int sof = indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xC0, 0, 17}); // baseline SOF, 3 components
        jpeg[sof + 5] = 0; // height, big-endian
        jpeg[sof + 6] = 0;
        assertEquals(Reason.CORRUPT, failure(decoder, jpeg));
    }

    @Test
    void aPngWhoseFirstChunkIsNotIhdrIsCorrupt() throws Exception {
        byte[] png = withPngSize(read("media/images/street-bicycle-truck-dog.png"), 7000, 7000);
        // A text chunk first, whose bytes where IHDR's size belongs would read as 1x1 pixels.
        byte[] text = chunk("tEXt", new byte[] {0, 0, 0, 1, 0, 0, 0, 1});
        byte[] shifted = new byte[png.length + text.length];
        System.arraycopy(png, 0, shifted, 0, 8);
        System.arraycopy(text, 0, shifted, 8, text.length);
        System.arraycopy(png, 8, shifted, 8 + text.length, png.length - 8);
        assertEquals(Reason.CORRUPT, failure(decoder, shifted));
    }

    /** The PNG with its IHDR width and height replaced and the chunk's CRC recomputed. */
    private static byte[] withPngSize(byte[] png, long width, long height) {
        byte[] patched = png.clone();
        ByteBuffer b = ByteBuffer.wrap(patched).putInt(16, (int) width).putInt(20, (int) height);
        CRC32 crc = new CRC32();
        crc.update(patched, 12, 17); // type and data
        b.putInt(29, (int) crc.getValue());
        return patched;
    }

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length)
                .putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 4, 4 + data.length);
        return b.putInt((int) crc.getValue()).array();
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        for (int i = 0; i + pattern.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        throw new AssertionError("pattern not found");
    }
}
