package org.visionstream.operators.bundle;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model bundle folder: {@code backbone.onnx}, {@code rpn.onnx}, {@code head.onnx} and the manifest
 * {@code model.json}. Loading checks that all four exist and that the manifest follows the format.
 */
public record ModelBundle(Path directory, ModelManifest manifest) {

    public static final String MANIFEST = "model.json";
    public static final String BACKBONE = "backbone.onnx";
    public static final String RPN = "rpn.onnx";
    public static final String HEAD = "head.onnx";

    public static ModelBundle load(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new BundleException("model bundle " + directory + " is not a directory");
        }
        for (String graph : new String[] {BACKBONE, RPN, HEAD}) {
            if (!Files.isRegularFile(directory.resolve(graph))) {
                throw new BundleException("model bundle " + directory + " has no " + graph);
            }
        }
        return new ModelBundle(directory, ManifestReader.read(directory.resolve(MANIFEST)));
    }

    public Path backbone() {
        return directory.resolve(BACKBONE);
    }

    public Path rpn() {
        return directory.resolve(RPN);
    }

    public Path head() {
        return directory.resolve(HEAD);
    }
}
