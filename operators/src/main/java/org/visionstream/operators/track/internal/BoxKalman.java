package org.visionstream.operators.track.internal;

/**
 * Constant-velocity Kalman filter of a box as centre x, centre y, aspect ratio w/h and height, with their
 * velocities per second (the state and noise model of SORT and ByteTrack, with time in seconds so that a gap
 * in the frames ages the estimate by time, not by frame count).
 *
 * <p>The transition, measurement and both noise matrices are block-diagonal in the four coordinates, and the
 * first covariance is diagonal, so the 8 x 8 covariance stays four independent 2 x 2 blocks (position,
 * velocity) forever: 12 numbers instead of 64 per track, which keeps a camera's state small.
 *
 * <p>State layout, {@value #SIZE} floats: means {@code x y a h vx vy va vh}, then per coordinate {@code i} the
 * block {@code [pp, pv, vv]} at {@code 8 + 3 i}. Floats (computed in double) so that a state restored from its
 * bytes continues exactly as the one in memory.
 */
public final class BoxKalman {

    public static final int SIZE = 20;

    /** ByteTrack's noise, tuned per frame at 30 fps (MOT17): std as a fraction of the box height. */
    private static final double FRAME_RATE = 30;
    private static final double STD_POSITION = 1.0 / 20;
    private static final double STD_VELOCITY = 1.0 / 160;
    private static final double STD_ASPECT = 1e-2;
    private static final double STD_ASPECT_VELOCITY = 1e-5;
    private static final double STD_ASPECT_MEASUREMENT = 1e-1;

    private BoxKalman() {}

    /** A new state at the measured box, at rest, with the wide velocity uncertainty of a first sighting. */
    public static float[] start(float[] box) {
        float[] s = new float[SIZE];
        double[] z = measurement(box);
        double h = z[3];
        for (int i = 0; i < 4; i++) {
            s[i] = (float) z[i];
            double pos = i == 2 ? STD_ASPECT : 2 * STD_POSITION * h;
            double vel = (i == 2 ? STD_ASPECT_VELOCITY : 10 * STD_VELOCITY * h) * FRAME_RATE;
            s[8 + 3 * i] = (float) (pos * pos);
            s[8 + 3 * i + 2] = (float) (vel * vel);
        }
        return s;
    }

    /**
     * Moves the state {@code seconds} ahead. The per-frame noise of ByteTrack becomes a random walk: its
     * variance grows with the time elapsed, so one 0.2 s step and six 1/30 s steps end up equally uncertain.
     */
    public static void predict(float[] s, double seconds) {
        if (seconds <= 0) {
            return;
        }
        double h = s[3];
        double frames = seconds * FRAME_RATE;
        for (int i = 0; i < 4; i++) {
            double pos = i == 2 ? STD_ASPECT : STD_POSITION * h;
            double vel = (i == 2 ? STD_ASPECT_VELOCITY : STD_VELOCITY * h) * FRAME_RATE;
            int k = 8 + 3 * i;
            double pp = s[k], pv = s[k + 1], vv = s[k + 2];
            s[i] = (float) (s[i] + seconds * s[4 + i]);
            s[k] = (float) (pp + 2 * seconds * pv + seconds * seconds * vv + pos * pos * frames);
            s[k + 1] = (float) (pv + seconds * vv);
            s[k + 2] = (float) (vv + vel * vel * frames);
        }
        if (s[3] < 1) {
            s[3] = 1; // a shrinking box must not turn the height, and with it every noise term, negative
        }
    }

    /** Corrects the state with a measured box. */
    public static void update(float[] s, float[] box) {
        double[] z = measurement(box);
        double h = s[3];
        for (int i = 0; i < 4; i++) {
            double r = i == 2 ? STD_ASPECT_MEASUREMENT : STD_POSITION * h;
            int k = 8 + 3 * i;
            double pp = s[k], pv = s[k + 1], vv = s[k + 2];
            double innovationVariance = pp + r * r;
            double gainP = pp / innovationVariance;
            double gainV = pv / innovationVariance;
            double y = z[i] - s[i];
            s[i] = (float) (s[i] + gainP * y);
            s[4 + i] = (float) (s[4 + i] + gainV * y);
            s[k] = (float) (pp * (1 - gainP));
            s[k + 1] = (float) (pv * (1 - gainP));
            s[k + 2] = (float) (vv - gainV * pv);
        }
    }

    /** The state's box as {@code x1, y1, x2, y2}. */
    public static float[] box(float[] s) {
        float h = s[3];
        float w = s[2] * h;
        return new float[] {s[0] - w / 2, s[1] - h / 2, s[0] + w / 2, s[1] + h / 2};
    }

    private static double[] measurement(float[] box) {
        double w = Math.max(box[2] - box[0], 1e-3);
        double h = Math.max(box[3] - box[1], 1e-3);
        return new double[] {(box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0, w / h, h};
    }
}
