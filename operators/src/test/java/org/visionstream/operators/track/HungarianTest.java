package org.visionstream.operators.track;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.track.internal.Hungarian;

class HungarianTest {

    @Test
    void theOptimumIsNotTheGreedyChoice() {
        // Greedy takes (0,0) = 0.1 first and must then pay 0.9 for (1,1): 1.0 in all; the optimum is 0.4.
        double[] cost = {0.1, 0.2, 0.2, 0.9};
        assertArrayEquals(new int[] {1, 0}, Hungarian.assign(cost, 2, 2));
    }

    @Test
    void rectangularMatricesLeaveTheSurplusUnassigned() {
        assertArrayEquals(new int[] {2, 0}, Hungarian.assign(new double[] {5, 9, 1, 2, 8, 7}, 2, 3));
        assertArrayEquals(new int[] {-1, 0, 1}, Hungarian.assign(new double[] {9, 9, 1, 5, 5, 1}, 3, 2));
        assertArrayEquals(new int[0], Hungarian.assign(new double[0], 0, 4));
    }

    @Test
    void matchesBruteForceOnRandomMatrices() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int rows = 1 + random.nextInt(5);
            int cols = 1 + random.nextInt(5);
            double[] cost = new double[rows * cols];
            for (int i = 0; i < cost.length; i++) {
                cost[i] = random.nextInt(4) == 0 ? 1e6 : random.nextDouble();
            }
            int[] a = Hungarian.assign(cost, rows, cols);
            assertEquals(best(cost, rows, cols, 0, new boolean[cols]), total(cost, cols, a), 1e-9);
        }
    }

    private static double total(double[] cost, int cols, int[] assignment) {
        double sum = 0;
        for (int r = 0; r < assignment.length; r++) {
            sum += assignment[r] >= 0 ? cost[r * cols + assignment[r]] : 0;
        }
        return sum;
    }

    /** The minimum over all assignments of min(rows, cols) pairs, by enumeration. */
    private static double best(double[] cost, int rows, int cols, int row, boolean[] used) {
        if (row == rows) {
            return 0;
        }
        int free = 0;
        for (boolean u : used) {
            free += u ? 0 : 1;
        }
        double best = Double.POSITIVE_INFINITY;
        if (rows - row > free) {
            best = best(cost, rows, cols, row + 1, used); // this row may stay unassigned
        }
        for (int c = 0; c < cols; c++) {
            if (!used[c]) {
                used[c] = true;
                best = Math.min(best, cost[row * cols + c] + best(cost, rows, cols, row + 1, used));
                used[c] = false;
            }
        }
        return best;
    }
}
