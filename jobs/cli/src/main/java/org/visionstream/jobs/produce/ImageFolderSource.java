package org.visionstream.jobs.produce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.visionstream.operators.frames.FrameHeaders;

/**
 * The .jpg, .jpeg and .png files of a folder in file-name order, sent as they are (no re-encoding). Frame
 * i is captured at i/fps after the start, or when it is read if fps is 0.
 */
public final class ImageFolderSource implements FrameSource {

    private final List<Path> files;
    private final double fps;
    private long startMillis;
    private int index;

    ImageFolderSource(Path folder, double fps) throws IOException {
        this.files = images(folder);
        this.fps = fps;
    }

    @Override
    public SourceFrame next() throws IOException {
        if (index == files.size()) {
            return null;
        }
        Path file = files.get(index);
        if (index == 0) {
            startMillis = System.currentTimeMillis();
        }
        long captureTimestamp = fps > 0 ? startMillis + Math.round(index * 1000 / fps) : System.currentTimeMillis();
        index++;
        return new SourceFrame(Files.readAllBytes(file), contentType(file), captureTimestamp);
    }

    @Override
    public void close() {}

    /** The folder's .jpg, .jpeg and .png files in file-name order; at least one. */
    public static List<Path> images(Path folder) throws IOException {
        List<Path> files;
        try (Stream<Path> entries = Files.list(folder)) {
            files = entries.filter(p -> contentType(p) != null && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new IOException("cannot list image folder " + folder + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new IOException("image folder " + folder + " has no .jpg, .jpeg or .png files");
        }
        return files;
    }

    /** The frame content type by file extension, or null for other files. */
    private static String contentType(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return FrameHeaders.JPEG;
        }
        return name.endsWith(".png") ? FrameHeaders.PNG : null;
    }
}
