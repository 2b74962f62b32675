package org.visionstream.jobs.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One load of the multi-camera load test: {@code cameras} simulated cameras sending {@code fps} frames per second
 * each. Written {@code NxF}, e.g. {@code 4x2.5}.
 */
record Load(int cameras, double fps) {

    private static final Pattern SPEC = Pattern.compile("(\\d+)x(\\d+(?:\\.\\d+)?)");

    Load {
        if (cameras < 1) {
            throw new IllegalArgumentException("a load needs at least one camera, got " + cameras);
        }
        if (!(fps > 0 && Double.isFinite(fps))) {
            throw new IllegalArgumentException("a camera's fps must be above 0, got " + fps);
        }
    }

    /** Parses {@code NxF}; anything else is refused with the expected form. */
    static Load parse(String spec) {
        Matcher m = SPEC.matcher(spec.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("a load is CAMERASxFPS, e.g. 4x2.5, got '" + spec + "'");
        }
        try {
            return new Load(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a load is CAMERASxFPS, e.g. 4x2.5, got '" + spec + "'", e);
        }
    }

    /** Frames per second all cameras together offer. */
    double offered() {
        return cameras * fps;
    }

    @Override
    public String toString() {
        return cameras + "x" + (fps == Math.rint(fps) ? Long.toString((long) fps) : Double.toString(fps));
    }
}
