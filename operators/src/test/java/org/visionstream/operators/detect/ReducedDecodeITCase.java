package org.visionstream.operators.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.testing.SharedData;
import org.visionstream.operators.testing.TestImages;

/**
 * A JPEG four times the size of the street photo, decoded at a quarter of its size for the D2Go bundle:
 * its detections are exactly those of the same pixels taken as a small image, in the large image's
 * pixels. (The photo itself is no exact reference: upscaling, JPEG and the DCT-domain reduction change
 * the pixels a little, and in its crowd of overlapping cars a box edge then moves by up to a quarter of
 * a car, as decoding every pixel of the large JPEG does too.)
 */
class ReducedDecodeITCase {

    private static final int SCALE = 4;

    @Test
    void aReducedDecodeGivesItsPixelsDetectionsInTheLargeImagesPixels() throws Exception {
        DetectorOptions options = DetectorOptions.builder().bundle(SharedData.d2goBundle()).build();
        DecodedImage photo = new ImageDecoder().decode(Files.readAllBytes(SharedData.file("media/images/voc/000004.jpg")));
        byte[] large = TestImages.jpeg(TestImages.resized(photo, SCALE * photo.width(), SCALE * photo.height()), 95);
        ImageDecoder reducing = new ImageDecoder(ImageDecoder.DEFAULT_MAX_BYTES, ImageDecoder.DEFAULT_MAX_PIXELS,
                ModelBundle.load(options.bundle()).manifest().preprocess().resize());
        DecodedImage reduced = reducing.decode(large);
        assertEquals(photo.width(), reduced.width(), "decoded at a quarter of 2000 x 1624");
        assertEquals(photo.height(), reduced.height());
        try (Detector detector = Detector.create(options)) {
            FrameDetections got = detector.detect(reduced);
            // The same pixels as a 500 x 406 image: the same 394 x 320 network input, boxes in its pixels.
            List<Detection> small = detector.detect(new DecodedImage(reduced.width(), reduced.height(), reduced.bgr()))
                    .detections();
            assertEquals(SCALE * photo.width(), got.width());
            assertEquals(SCALE * photo.height(), got.height());
            assertTrue(small.stream().filter(d -> d.label().equals("car")).count() >= 3, "cars: " + small);
            assertEquals(small.size(), got.detections().size());
            for (int i = 0; i < small.size(); i++) {
                Detection e = small.get(i);
                Detection d = got.detections().get(i);
                assertEquals(e.label(), d.label());
                assertEquals(e.score(), d.score(), 0f, "the same network input");
                float[] expected = e.box();
                float[] box = d.box();
                for (int k = 0; k < 4; k++) {
                    // The two plans' scales (320/1624 and 320/406) are 4 apart up to float rounding.
                    assertEquals(SCALE * expected[k], box[k], 0.01f, e + " vs " + d);
                }
            }
        }
    }
}
