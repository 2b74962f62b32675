package org.visionstream.operators.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.testing.SharedData;

class PixelArrayPoolTest {

    @Test
    void anArrayHandedBackIsTakenAgainForTheSameLengthOnly() {
        PixelArrayPool pool = new PixelArrayPool(1 << 20);
        byte[] a = pool.take(300);
        assertEquals(300, a.length);
        assertTrue(pool.giveBack(a));
        assertEquals(300, pool.freeBytes());
        assertNotSame(a, pool.take(200), "another size is a new array");
        assertSame(a, pool.take(300));
        assertEquals(0, pool.freeBytes());
    }

    @Test
    void anArrayItDidNotLendOrGotBackAlreadyIsIgnored() {
        PixelArrayPool pool = new PixelArrayPool(1 << 20);
        assertFalse(pool.giveBack(new byte[300]), "decoded elsewhere");
        byte[] a = pool.take(300);
        assertTrue(pool.giveBack(a));
        assertFalse(pool.giveBack(a), "handed back twice");
        byte[] first = pool.take(300);
        byte[] second = pool.take(300);
        assertSame(a, first);
        assertNotSame(first, second, "two frames never share one array");
    }

    @Test
    void atMostMaxBytesWaitTheOldestDroppedFirst() {
        PixelArrayPool pool = new PixelArrayPool(250);
        byte[] a = pool.take(100);
        byte[] b = pool.take(100);
        byte[] c = pool.take(100);
        byte[] huge = pool.take(251);
        pool.giveBack(a);
        pool.giveBack(b);
        pool.giveBack(c);
        assertFalse(pool.giveBack(huge), "larger than the whole budget");
        assertEquals(200, pool.freeBytes(), "a, the oldest, was dropped");
        assertSame(c, pool.take(100), "the newest first");
        assertSame(b, pool.take(100));
        assertNotSame(a, pool.take(100));
    }

    @Test
    void aDecoderFillsAnArrayHandedBackWithTheNextFramesPixels() throws Exception {
        PixelArrayPool pool = new PixelArrayPool(64 << 20);
        ImageDecoder pooled = new ImageDecoder(ImageDecoder.DEFAULT_MAX_BYTES, ImageDecoder.DEFAULT_MAX_PIXELS, null, pool);
        byte[] street = Files.readAllBytes(SharedData.file("media/images/voc/000004.jpg"));
        DecodedImage first = pooled.decode(street);
        byte[] pixels = first.bgr().clone();
        // Overwrite the array as a stale reader would see it, then hand it back: the next decode must
        // write every byte again.
        java.util.Arrays.fill(first.bgr(), (byte) 7);
        assertTrue(pool.giveBack(first.bgr()));
        DecodedImage second = pooled.decode(street);
        assertSame(first.bgr(), second.bgr());
        assertArrayEquals(pixels, second.bgr());
        assertArrayEquals(new ImageDecoder().decode(street).bgr(), second.bgr());
    }
}
