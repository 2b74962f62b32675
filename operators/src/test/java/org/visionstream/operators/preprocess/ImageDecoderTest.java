package org.visionstream.operators.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
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
}
