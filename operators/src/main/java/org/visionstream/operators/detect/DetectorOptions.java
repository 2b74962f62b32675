package org.visionstream.operators.detect;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.visionstream.operators.inference.ExecutionProvider;

/**
 * What a {@link Detector} loads and how it runs. Serializable so a Flink operator can carry it to its
 * subtasks; the bundle path must exist on every TaskManager.
 */
public final class DetectorOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The class name that stands for every class of the bundle (as an empty set does). */
    public static final String ALL_CLASSES = "all";

    private final String bundle;
    private final ExecutionProvider executionProvider;
    private final boolean requireGpu;
    private final int intraOpThreads;
    private final float scoreThreshold;
    private final Set<String> classes;

    private DetectorOptions(Builder b) {
        if (b.bundle == null) {
            throw new IllegalArgumentException("the model bundle must be set");
        }
        if (b.requireGpu && !b.executionProvider.isGpu()) {
            throw new IllegalArgumentException("requireGpu needs a GPU execution provider (cuda[:N] or tensorrt[:N]), "
                    + "got " + b.executionProvider);
        }
        this.bundle = b.bundle.toString();
        this.executionProvider = b.executionProvider;
        this.requireGpu = b.requireGpu;
        this.intraOpThreads = b.intraOpThreads;
        this.scoreThreshold = b.scoreThreshold;
        this.classes = Set.copyOf(b.classes);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path bundle() {
        return Path.of(bundle);
    }

    public ExecutionProvider executionProvider() {
        return executionProvider;
    }

    /**
     * Whether a GPU provider that cannot be loaded fails {@link Detector#create} instead of falling back
     * to CPU with a warning.
     */
    public boolean requireGpu() {
        return requireGpu;
    }

    /** ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose. */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** Detections scoring below this are dropped (on top of the bundle's own threshold). */
    public float scoreThreshold() {
        return scoreThreshold;
    }

    /** Class names to report; empty means every class of the bundle. */
    public Set<String> classes() {
        return classes;
    }

    public Builder toBuilder() {
        return new Builder()
                .bundle(bundle())
                .executionProvider(executionProvider)
                .requireGpu(requireGpu)
                .intraOpThreads(intraOpThreads)
                .scoreThreshold(scoreThreshold)
                .classes(classes);
    }

    /**
     * Builder with the defaults: CPU (a GPU provider falls back to CPU), ONNX Runtime's thread count,
     * threshold 0.5, all classes.
     */
    public static final class Builder {
        private Path bundle;
        private ExecutionProvider executionProvider = ExecutionProvider.CPU;
        private boolean requireGpu;
        private int intraOpThreads = 0;
        private float scoreThreshold = 0.5f;
        private Set<String> classes = new LinkedHashSet<>();

        public Builder bundle(Path bundle) {
            this.bundle = bundle;
            return this;
        }

        public Builder executionProvider(ExecutionProvider provider) {
            this.executionProvider = Objects.requireNonNull(provider);
            return this;
        }

        /** Fail at start rather than fall back to CPU when the GPU provider cannot be loaded (default false). */
        public Builder requireGpu(boolean require) {
            this.requireGpu = require;
            return this;
        }

        public Builder intraOpThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("intra-op threads must be >= 0");
            }
            this.intraOpThreads = threads;
            return this;
        }

        public Builder scoreThreshold(float threshold) {
            if (!(threshold >= 0f && threshold <= 1f)) {
                throw new IllegalArgumentException("score threshold must be in [0, 1], got " + threshold);
            }
            this.scoreThreshold = threshold;
            return this;
        }

        /** Class names to report; empty or just {@value #ALL_CLASSES} for every class of the bundle. */
        public Builder classes(Collection<String> names) {
            Set<String> set = new LinkedHashSet<>(names);
            if (set.contains(ALL_CLASSES)) {
                if (set.size() > 1) {
                    throw new IllegalArgumentException("classes: '" + ALL_CLASSES + "' stands for every class and cannot be "
                            + "combined with other names, got " + String.join(",", names));
                }
                set.clear();
            }
            this.classes = set;
            return this;
        }

        public DetectorOptions build() {
            return new DetectorOptions(this);
        }
    }
}
