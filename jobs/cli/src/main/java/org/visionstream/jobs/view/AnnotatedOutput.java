package org.visionstream.jobs.view;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Where {@code annotate} and {@code demo --annotate} write annotated frames: a video file when the path
 * ends in .mp4, .mkv, .mov or .avi (FFmpeg through JavaCV; H.264 when the bundled FFmpeg has an H.264
 * encoder, MPEG-4 Part 2 otherwise), else a folder of numbered JPEGs. A video has one size, the first
 * frame's: later frames of another size are scaled to it. Not thread-safe.
 */
final class AnnotatedOutput implements AutoCloseable {

    private static final int JPEG_QUALITY = 90;

    private final Path path;
    private final double fps;
    private final boolean video;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
    private FFmpegFrameRecorder recorder;
    private int width;
    private int height;
    private long frames;

    /** @param fps the video's frame rate (unused for JPEGs) */
    public AnnotatedOutput(Path path, double fps) throws IOException {
        if (!(fps > 0)) {
            throw new IllegalArgumentException("the frame rate must be positive, got " + fps);
        }
        this.path = path;
        this.fps = fps;
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        this.video = name.matches(".*\\.(mp4|mkv|mov|avi)");
        if (video) {
            Path parent = path.toAbsolutePath().getParent();
            Files.createDirectories(parent);
        } else {
            Files.createDirectories(path);
        }
    }

    /** Appends an annotated BGR frame. */
    public void write(Mat bgr) throws IOException {
        if (!video) {
            Path file = path.resolve(String.format(Locale.ROOT, "frame-%06d.jpg", frames));
            Files.write(file, Images.jpeg(bgr, JPEG_QUALITY));
            frames++;
            return;
        }
        try {
            if (recorder == null) {
                start(bgr.cols(), bgr.rows());
            }
            if (bgr.cols() == width && bgr.rows() == height) {
                recorder.record(converter.convert(bgr));
            } else {
                try (Mat scaled = new Mat(); Size size = new Size(width, height)) {
                    resize(bgr, scaled, size, 0, 0, INTER_AREA);
                    recorder.record(converter.convert(scaled));
                }
            }
            frames++;
        } catch (FrameRecorder.Exception e) {
            throw new IOException("cannot write frame " + frames + " to " + path + ": " + e.getMessage(), e);
        }
    }

    private void start(int w, int h) throws FrameRecorder.Exception {
        // yuv420p, which players expect, halves the chroma planes: both sides must be even.
        width = w & ~1;
        height = h & ~1;
        recorder = new FFmpegFrameRecorder(path.toString(), width, height, 0);
        boolean h264 = avcodec.avcodec_find_encoder(avcodec.AV_CODEC_ID_H264) != null;
        recorder.setVideoCodec(h264 ? avcodec.AV_CODEC_ID_H264 : avcodec.AV_CODEC_ID_MPEG4);
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(fps);
        // About a quarter of a bit per pixel and frame: boxes and label text stay sharp at any size.
        recorder.setVideoBitrate((int) Math.min(50e6, Math.max(1e6, 0.25 * width * height * fps)));
        recorder.start();
    }

    /** Frames written so far. */
    public long frames() {
        return frames;
    }

    /** The codec the video is written with, e.g. {@code h264}; null for JPEGs or before the first frame. */
    public String videoCodec() {
        return recorder == null ? null : avcodec.avcodec_get_name(recorder.getVideoCodec()).getString();
    }

    @Override
    public void close() throws IOException {
        try {
            if (recorder != null) {
                recorder.close();
            }
        } catch (FrameRecorder.Exception e) {
            throw new IOException("cannot finish " + path + ": " + e.getMessage(), e);
        } finally {
            converter.close();
        }
    }
}
