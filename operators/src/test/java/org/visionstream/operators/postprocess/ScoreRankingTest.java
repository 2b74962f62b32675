package org.visionstream.operators.postprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ScoreRankingTest {

    @Test
    void ranksAsAStableSortByDescendingScore() {
        Random random = new Random(11);
        ScoreRanking ranking = new ScoreRanking(); // reused: buckets of one call must not leak into the next
        for (int trial = 0; trial < 200; trial++) {
            int n = random.nextInt(trial % 20 == 0 ? 30000 : 500);
            float[] scores = new float[n];
            int spread = 1 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                scores[i] = switch (spread) {
                    // All in one bucket (same leading bits): the bucket's own sort decides.
                    case 1 -> 1f + random.nextInt(1000) / 4096f;
                    // Logit-like, with ties.
                    case 2 -> random.nextInt(200) / 8f - 12f;
                    case 3 -> (float) random.nextGaussian() * 1e3f;
                    // Only zeros of both signs: one tie.
                    default -> random.nextBoolean() ? -0f : 0f;
                };
                if (random.nextInt(50) == 0) {
                    scores[i] = random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                }
            }
            ranking.rank(scores, n);
            Integer[] expected = ReferenceNms.stableOrder(scores, n);
            for (int r = 0; r < n; r++) {
                assertEquals(expected[r].intValue(), ranking.get(r), "trial " + trial + " rank " + r);
            }
        }
    }

    @Test
    void readsOnlyWhatItNeedsButAgreesWithAFullRead() {
        float[] scores = {0.5f, 3f, -1f, 3f, 0.25f, -0f, 0f};
        ScoreRanking ranking = new ScoreRanking();
        ranking.rank(scores, scores.length);
        assertEquals(1, ranking.get(0));
        ranking.rank(scores, scores.length);
        assertEquals(2, ranking.get(6));
        assertEquals(3, ranking.get(1));
        assertEquals(5, ranking.get(4));
        assertEquals(6, ranking.get(5));
    }
}
