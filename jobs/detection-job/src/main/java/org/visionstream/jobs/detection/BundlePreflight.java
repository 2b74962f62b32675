package org.visionstream.jobs.detection;

import java.util.List;
import org.visionstream.jobs.command.UsageException;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.bundle.ModelManifest.ClassInfo;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;

/**
 * Checks the model bundle and the class names the user gave before anything starts: a wrong
 * {@code --model} or {@code --classes} would otherwise fail inside the running job, which restarts
 * forever. What is wrong is a {@link UsageException}.
 */
public final class BundlePreflight {

    private static final String MODEL_HINT = ": --model must name a converted bundle folder (see README, Model bundles)";

    private BundlePreflight() {}

    /** That the bundle loads (files and manifest) and has every requested class; opens no graph. */
    public static void check(DetectorOptions o) {
        ModelBundle bundle;
        try {
            bundle = ModelBundle.load(o.bundle());
        } catch (BundleException e) {
            throw new UsageException(e.getMessage() + MODEL_HINT, e);
        }
        List<String> known = bundle.manifest().classes().stream().map(ClassInfo::name).toList();
        for (String name : o.classes()) {
            if (!known.contains(name)) {
                throw new UsageException("class '" + name + "' is not in bundle " + bundle.manifest().name()
                        + ": use '" + DetectorOptions.ALL_CLASSES + "' or names from " + String.join(",", known));
            }
        }
    }

    /** {@link #check}, then the detector; graphs ONNX Runtime cannot open are a bad bundle too. */
    public static Detector open(DetectorOptions o) {
        check(o);
        try {
            return Detector.create(o);
        } catch (BundleException e) {
            throw new UsageException(e.getMessage() + MODEL_HINT, e);
        }
    }
}
