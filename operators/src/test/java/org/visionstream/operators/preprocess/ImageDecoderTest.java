package org.visionstream.operators.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.bundle.ModelManifest.ResizeMethod;
import org.visionstream.operators.bundle.ModelManifest.SizeRounding;
import org.visionstream.operators.preprocess.ImageDecodeException.Reason;
import org.visionstream.operators.testing.SharedData;
import org.visionstream.operators.testing.TestImages;

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

    /** D2Go's rule: the short side to 320 pixels. */
    private static final Resize SHORT_SIDE_320 = new Resize(320, 0, ResizeMethod.BILINEAR_ALIGN_CORNERS, SizeRounding.FLOOR);

    @Test
    void theLargestReductionThatStillCoversTheNetworkInputIsChosen() {
        assertEquals(2, ImageDecoder.reduction(SHORT_SIDE_320, 1920, 1080), "540 >= 320, 270 is not");
        assertEquals(4, ImageDecoder.reduction(SHORT_SIDE_320, 3840, 2160));
        assertEquals(8, ImageDecoder.reduction(SHORT_SIDE_320, 4096, 2560));
        assertEquals(2, ImageDecoder.reduction(SHORT_SIDE_320, 1080, 1920), "portrait as landscape");
        assertEquals(2, ImageDecoder.reduction(SHORT_SIDE_320, 1280, 640), "640 / 2 = 320 still covers 320");
        assertEquals(1, ImageDecoder.reduction(SHORT_SIDE_320, 1280, 639), "1280 / 2 = 640 misses the 641 pixels 639 -> 320 needs");
        assertEquals(1, ImageDecoder.reduction(SHORT_SIDE_320, 500, 406), "at or below twice the input: every pixel");
        // A rule with a maximum size lowers the input, so a wide image can be reduced further.
        Resize capped = new Resize(800, 1333, ResizeMethod.BILINEAR, SizeRounding.FLOOR);
        assertEquals(2, ImageDecoder.reduction(capped, 3840, 1080), "1333 x 374 from 1920 x 540");
    }

    @Test
    void aLargeJpegIsDecodedReducedButKeepsItsOriginalSizeAndASmallOneIsDecodedAsWithoutARule() throws Exception {
        ImageDecoder reducing = new ImageDecoder(ImageDecoder.DEFAULT_MAX_BYTES, ImageDecoder.DEFAULT_MAX_PIXELS, SHORT_SIDE_320);
        byte[] large = read("media/images/voc/000004.jpg");
        DecodedImage small = reducing.decode(large);
        DecodedImage full = decoder.decode(large);
        assertEquals(full, new DecodedImage(small.width(), small.height(), full.bgr()));
        assertTrue(Arrays.equals(full.bgr(), small.bgr()), "500x406: decoded in full, bit for bit as before");
        assertEquals(500, small.originalWidth());

        byte[] upscaled = TestImages.jpeg(TestImages.resized(full, 2000, 1624), 95);
        DecodedImage reduced = reducing.decode(upscaled);
        assertEquals(4, ImageDecoder.reduction(SHORT_SIDE_320, 2000, 1624), "406 >= 320");
        assertEquals(500, reduced.width());
        assertEquals(406, reduced.height());
        assertEquals(2000, reduced.originalWidth());
        assertEquals(1624, reduced.originalHeight());
        DecodedImage unreduced = decoder.decode(upscaled);
        assertEquals(2000, unreduced.width());
        assertEquals(2000, unreduced.originalWidth());

        byte[] png = TestImages.png(TestImages.resized(full, 2000, 1624));
        assertEquals(2000, reducing.decode(png).width(), "PNG has no cheap reduced decode: every pixel");
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
