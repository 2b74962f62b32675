package org.visionstream.jobs.produce;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.io.IOException;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.visionstream.jobs.produce.FrameProducerOptions.SourceKind;
import org.visionstream.operators.frames.FrameHeaders;

/**
 * A video file or stream decoded by FFmpeg, sampled by {@link FrameSampler} and re-encoded as JPEG by
 * OpenCV. A stream's frames are captured when grabbed; a file's when its first frame was grabbed plus
 * their media time since that frame.
 */
final class VideoSource implements FrameSource {

    private final String source;
    private final boolean stream;
    private long startMillis;
    private final FrameSampler sampler;
    private final FFmpegFrameGrabber grabber;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
    private final IntPointer jpegParams;
    private long firstTimestamp = Long.MIN_VALUE;

    VideoSource(FrameProducerOptions options) throws IOException {
        this.source = options.source();
        this.stream = options.sourceKind() == SourceKind.STREAM;
        this.sampler = new FrameSampler(options.fps());
        this.jpegParams = new IntPointer(IMWRITE_JPEG_QUALITY, options.jpegQuality());
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        // Otherwise OpenCV's codec libraries load on the first encode, after the first frame's capture time
        // is taken, and that frame seems late by the loading.
        Loader.load(opencv_imgcodecs.class);
        this.grabber = new FFmpegFrameGrabber(source);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            close();
            throw new IOException("cannot open video source " + source + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SourceFrame next() throws IOException {
        try {
            Frame frame;
            while ((frame = grabber.grabImage()) != null) {
                long grabbedAt = System.currentTimeMillis();
                if (firstTimestamp == Long.MIN_VALUE) {
                    firstTimestamp = frame.timestamp;
                    startMillis = grabbedAt;
                }
                if (sampler.keep(frame.timestamp)) {
                    long captureTimestamp =
                            stream ? grabbedAt : startMillis + (frame.timestamp - firstTimestamp) / 1000;
                    return new SourceFrame(encode(frame), FrameHeaders.JPEG, captureTimestamp);
                }
            }
            return null;
        } catch (FrameGrabber.Exception e) {
            throw new IOException("cannot read video source " + source + ": " + e.getMessage(), e);
        }
    }

    private byte[] encode(Frame frame) throws IOException {
        // the converter owns and reuses the Mat it returns: not ours to close
        try (BytePointer jpeg = new BytePointer()) {
            if (!imencode(".jpg", converter.convert(frame), jpeg, jpegParams)) {
                throw new IOException("OpenCV could not encode a frame of " + source + " as JPEG");
            }
            byte[] bytes = new byte[(int) jpeg.limit()];
            jpeg.get(bytes);
            return bytes;
        }
    }

    @Override
    public void close() {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception e) {
            // nothing left to read: a failed release changes nothing for the frames already sent
        }
        converter.close();
        jpegParams.close();
    }
}
