package org.visionstream.operators.track.internal;

import java.util.Arrays;

/**
 * Minimum-cost assignment (Kuhn-Munkres with potentials, shortest augmenting paths): O(n² m) for n rows
 * and m columns, a few microseconds for the 20 x 20 matrices of a camera.
 */
public final class Hungarian {

    private Hungarian() {}

    /**
     * The assignment of each row to a distinct column minimising the summed cost; rows beyond the number
     * of columns stay unassigned.
     *
     * @param cost {@code rows x cols}, row-major
     * @return for each row its column, or -1
     */
    public static int[] assign(double[] cost, int rows, int cols) {
        int[] result = new int[rows];
        Arrays.fill(result, -1);
        if (rows == 0 || cols == 0) {
            return result;
        }
        boolean transposed = rows > cols;
        int n = transposed ? cols : rows;
        int m = transposed ? rows : cols;
        // 1-based arrays as in the textbook formulation; index 0 is the virtual start of each augmenting path.
        double[] u = new double[n + 1];
        double[] v = new double[m + 1];
        int[] p = new int[m + 1];
        int[] way = new int[m + 1];
        double[] minv = new double[m + 1];
        boolean[] used = new boolean[m + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            Arrays.fill(used, false);
            do {
                used[j0] = true;
                int i0 = p[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = 0;
                for (int j = 1; j <= m; j++) {
                    if (!used[j]) {
                        double c = (transposed ? cost[(j - 1) * cols + (i0 - 1)] : cost[(i0 - 1) * cols + (j - 1)])
                                - u[i0] - v[j];
                        if (c < minv[j]) {
                            minv[j] = c;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        for (int j = 1; j <= m; j++) {
            if (p[j] != 0) {
                if (transposed) {
                    result[j - 1] = p[j] - 1;
                } else {
                    result[p[j] - 1] = j - 1;
                }
            }
        }
        return result;
    }
}
