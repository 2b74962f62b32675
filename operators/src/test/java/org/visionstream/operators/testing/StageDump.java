package org.visionstream.operators.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.preprocess.PreprocessedImage;
import org.visionstream.operators.preprocess.Preprocessor;

/**
 * One image's tensors as a reference script's {@code --stages DIR} writes them: {@code <stem>.json} (image
 * size, network-input size, {@code shapes}) and {@code <stem>.<tensor>.f32}, raw little-endian float32.
 */
public record StageDump(Path dir, String stem, JsonNode meta) {

    public static StageDump of(Path dir, Path image) throws IOException {
        String name = image.getFileName().toString();
        String stem = name.substring(0, name.lastIndexOf('.'));
        return new StageDump(dir, stem, new ObjectMapper().readTree(dir.resolve(stem + ".json").toFile()));
    }

    public int inputHeight() {
        return meta.get("inputHeight").asInt();
    }

    public int inputWidth() {
        return meta.get("inputWidth").asInt();
    }

    public int[] shape(String tensor) {
        JsonNode dims = meta.get("shapes").get(tensor);
        int[] out = new int[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims.get(i).asInt();
        }
        return out;
    }

    /**
     * Java's network input for {@code image} under {@code preprocess}, checked to have the dump's size and
     * tensor length; how close its values must be is the caller's (it differs per model family).
     */
    public PreprocessedImage javaInput(ModelManifest.Preprocess preprocess, Path image) throws Exception {
        PreprocessedImage in = new Preprocessor(preprocess).apply(new ImageDecoder().decode(Files.readAllBytes(image)));
        assertEquals(inputHeight(), in.plan().height());
        assertEquals(inputWidth(), in.plan().width());
        assertEquals(tensor("input").length, in.chw().length);
        return in;
    }

    public float[] tensor(String name) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(stem + "." + name + ".f32")))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(out);
        return out;
    }
}
