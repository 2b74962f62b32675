package org.visionstream.operators.preprocess;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.preprocess.ImageDecodeException.Reason;
import org.visionstream.operators.preprocess.internal.ImageHeaders;

/**
 * Decodes JPEG and PNG bytes into BGR pixels with OpenCV. Limits are checked on the declared size in
 * the header before any pixel memory is allocated, so a hostile frame cannot exhaust the heap.
 * Thread-safe.
 *
 * <p>Given the model's resize rule, a JPEG much larger than the network input is decoded at 1/2, 1/4 or
 * 1/8 of its size (libjpeg scales in the DCT, which is several times cheaper than decoding every
 * pixel): the largest reduction that still leaves at least the network input's size in each direction,
 * so the resize to the network input only ever shrinks, as from the full image. An image at or below
 * that size is decoded in full, exactly as without a rule. The result keeps the original size, to
 * which the network input is planned and the boxes are mapped back.
 */
public final class ImageDecoder {

    /** 64 MiB of encoded bytes: far above any camera frame, far below a heap blow-up. */
    public static final int DEFAULT_MAX_BYTES = 64 << 20;

    /**
     * 4096 x 4096 = 16 Mpx, 48 MiB of BGR pixels: covers 4K UHD and 12 Mpx sensors. Compression makes
     * the byte limit no pixel limit: a 143 KB PNG can declare 49 Mpx, and decoding it costs 250 MB.
     */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096;

    /** libjpeg's scaled decodes, largest reduction first. */
    private static final int[] REDUCTIONS = {8, 4, 2};

    private final int maxBytes;
    private final long maxPixels;
    private final Resize reduceFor;
    private final PixelArrayPool pixels;

    public ImageDecoder() {
        this(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
    }

    public ImageDecoder(int maxBytes, long maxPixels) {
        this(maxBytes, maxPixels, null);
    }

    /** @param reduceFor the model's resize rule, to decode large JPEGs reduced; null decodes every pixel */
    public ImageDecoder(int maxBytes, long maxPixels, Resize reduceFor) {
        this(maxBytes, maxPixels, reduceFor, null);
    }

    /**
     * @param pixels where the decoded images' pixel arrays come from, for a caller that hands each back
     *     once its frame is done with them; null allocates a new array per image
     */
    public ImageDecoder(int maxBytes, long maxPixels, Resize reduceFor, PixelArrayPool pixels) {
        if (maxBytes <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
        this.reduceFor = reduceFor;
        this.pixels = pixels;
    }

    /**
     * The largest of 8, 4, 2 by which a {@code width x height} image can be reduced and still cover the
     * network input of {@code rule} in both directions (libjpeg rounds a reduced side up); 1 when none can.
     */
    static int reduction(Resize rule, int width, int height) {
        ResizePlan plan = ResizePlan.of(rule, width, height);
        for (int r : REDUCTIONS) {
            if (ceilDiv(width, r) >= plan.width() && ceilDiv(height, r) >= plan.height()) {
                return r;
            }
        }
        return 1;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    public DecodedImage decode(byte[] data) throws ImageDecodeException {
        ImageHeader header = readHeader(data);
        ImageFormat format = header.format();
        int reduction = format == ImageFormat.JPEG && reduceFor != null
                ? reduction(reduceFor, header.width(), header.height()) : 1;
        if (reduction > 1) {
            DecodedImage reduced = decode(data, format, reduction, header.width(), header.height());
            if (reduced != null) {
                return reduced;
            }
        }
        return decode(data, format, 1, header.width(), header.height());
    }

    /**
     * Every check {@link #decode} makes before it decodes (size, format, declared dimensions, a JPEG's end
     * marker), without decoding: microseconds, for a frame whose pixels are not needed.
     */
    public ImageHeader readHeader(byte[] data) throws ImageDecodeException {
        if (data == null || data.length == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "the frame has no bytes");
        }
        if (data.length > maxBytes) {
            throw new ImageDecodeException(
                    Reason.TOO_LARGE, "the frame has " + data.length + " bytes, the limit is " + maxBytes);
        }
        ImageFormat format = ImageFormat.sniff(data);
        if (format == null) {
            throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, "neither a JPEG nor a PNG signature");
        }
        long[] size = ImageHeaders.declaredSize(format, data);
        if (size[0] == 0 || size[1] == 0) {
            throw new ImageDecodeException(
                    Reason.CORRUPT, "the header declares " + size[0] + "x" + size[1] + ", an image without pixels");
        }
        if (size[0] * size[1] > maxPixels) {
            throw new ImageDecodeException(
                    Reason.DIMENSIONS_TOO_LARGE,
                    "the header declares " + size[0] + "x" + size[1] + ", more than " + maxPixels + " pixels");
        }
        if (format == ImageFormat.JPEG && !ImageHeaders.endsWithJpegEoi(data)) {
            // libjpeg fills a cut-off JPEG with grey and succeeds; a partial frame must not reach the model.
            throw new ImageDecodeException(Reason.TRUNCATED, "the JPEG has no end-of-image marker");
        }
        return new ImageHeader(format, (int) size[0], (int) size[1]);
    }

    /**
     * Decodes at {@code 1/reduction} of the declared {@code width x height}; null when a reduced decode
     * does not have the expected size (then the caller decodes in full). OpenCV turns the image by its
     * EXIF orientation, so the declared sides may come back swapped; the original size follows them.
     */
    private DecodedImage decode(byte[] data, ImageFormat format, int reduction, int width, int height)
            throws ImageDecodeException {
        int flags = switch (reduction) {
            case 8 -> IMREAD_REDUCED_COLOR_8;
            case 4 -> IMREAD_REDUCED_COLOR_4;
            case 2 -> IMREAD_REDUCED_COLOR_2;
            default -> IMREAD_COLOR;
        };
        try (BytePointer bytes = new BytePointer(data);
                Mat encoded = new Mat(1, data.length, CV_8UC1, bytes);
                Mat image = imdecode(encoded, flags)) {
            if (image == null || image.empty()) {
                throw new ImageDecodeException(
                        format == ImageFormat.PNG ? Reason.TRUNCATED : Reason.CORRUPT,
                        "OpenCV could not decode the " + format + " data");
            }
            if (image.type() != CV_8UC3 || !image.isContinuous()) {
                throw new ImageDecodeException(Reason.CORRUPT, "unexpected decoded layout, type " + image.type());
            }
            int cols = image.cols();
            int rows = image.rows();
            boolean upright = cols == ceilDiv(width, reduction) && rows == ceilDiv(height, reduction);
            boolean turned = cols == ceilDiv(height, reduction) && rows == ceilDiv(width, reduction);
            if (reduction > 1 && !upright && !turned) {
                return null;
            }
            int length = cols * rows * 3;
            byte[] bgr = pixels != null ? pixels.take(length) : new byte[length];
            image.data().get(bgr);
            if (reduction == 1) {
                return new DecodedImage(cols, rows, bgr);
            }
            return new DecodedImage(cols, rows, bgr, upright ? width : height, upright ? height : width);
        }
    }
}
