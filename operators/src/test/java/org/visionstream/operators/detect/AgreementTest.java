package org.visionstream.operators.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-to-one agreement the parity test holds the Java detector to, on hand-made detections. */
class AgreementTest {

    private static final Agreement.Criterion STRICT = new Agreement.Criterion("strict", 0.3f, 0.9f, 0.05f);
    private static final Agreement.Criterion PRACTICAL = new Agreement.Criterion("practical", 0.5f, 0.5f, 0.2f);

    private static Detection car(float score, float x1) {
        return new Detection("car", 3, score, x1, 0, x1 + 100, 100);
    }

    private static Detection person(float score, float x1) {
        return new Detection("person", 1, score, x1, 0, x1 + 100, 100);
    }

    @Test
    void aDuplicatedBoxDoesNotRaiseAgreement() {
        List<Detection> reference = List.of(car(0.9f, 0), person(0.8f, 300));
        List<Detection> found = List.of(car(0.9f, 2));
        assertEquals(new Agreement(3, 2), PRACTICAL.of(reference, found));
        // "Has a counterpart" would count the copy as agreeing (3 of 4); one to one it is a third confident
        // car without a partner.
        List<Detection> duplicated = List.of(car(0.9f, 2), car(0.9f, 2));
        assertEquals(new Agreement(4, 2), PRACTICAL.of(reference, duplicated));
        assertEquals(new Agreement(4, 2), PRACTICAL.of(duplicated, reference), "the same either way round");
    }

    @Test
    void duplicatingEveryBoxNeverRaisesStrictAgreementWithDetectionsAsTheModelsNmsLeavesThem() {
        Random random = new Random(1);
        for (int trial = 0; trial < 500; trial++) {
            List<Detection> reference = nms(randomCars(random));
            List<Detection> found = randomCars(random);
            List<Detection> twice = new ArrayList<>(found);
            twice.addAll(found);
            assertTrue(STRICT.of(reference, twice).fraction() <= STRICT.of(reference, found).fraction(),
                    reference + " vs " + found);
        }
    }

    @Test
    void thePairingIsTheBestOneToOneNotFirstCome() {
        // The 0.9 car overlaps both reference cars; taking the better-scored one first would leave the
        // 0.8 car, which only overlaps that one, without a partner.
        List<Detection> reference = List.of(car(0.9f, 0), car(0.8f, 40));
        List<Detection> found = List.of(car(0.9f, 20), car(0.8f, -20));
        assertEquals(new Agreement(4, 4), PRACTICAL.of(reference, found));
    }

    @Test
    void aPairNeedsTheSameClassEnoughOverlapAndCloseScores() {
        Detection ref = car(0.9f, 0);
        assertEquals(0, PRACTICAL.of(List.of(ref), List.of(person(0.9f, 0))).matched(), "class");
        assertEquals(0, PRACTICAL.of(List.of(ref), List.of(car(0.9f, 40))).matched(), "IoU 60/140 < 0.5");
        assertEquals(2, PRACTICAL.of(List.of(ref), List.of(car(0.9f, 30))).matched(), "IoU 70/130 >= 0.5");
        assertEquals(0, PRACTICAL.of(List.of(ref), List.of(car(0.65f, 0))).matched(), "scores 0.25 apart");
    }

    @Test
    void aCounterpartBelowTheConfidentScoreStillConfirmsButIsNotCounted() {
        assertEquals(new Agreement(1, 1), PRACTICAL.of(List.of(car(0.55f, 0)), List.of(car(0.45f, 0))));
        assertEquals(new Agreement(0, 0), PRACTICAL.of(List.of(car(0.3f, 0)), List.of(car(0.3f, 0))));
        assertEquals(1.0, Agreement.NONE.fraction(), "no confident detection on either side: nothing to disagree on");
    }

    @Test
    void theAssignmentIsOptimalAgainstExhaustiveSearch() {
        Random random = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int rows = random.nextInt(5);
            int cols = rows + random.nextInt(3);
            int[][] weight = new int[rows][cols];
            for (int[] row : weight) {
                for (int j = 0; j < cols; j++) {
                    row[j] = random.nextInt(3);
                }
            }
            assertEquals(bruteForce(weight, 0, new boolean[cols]), Agreement.maxWeightAssignment(weight), "trial " + trial);
        }
    }

    private static int bruteForce(int[][] weight, int row, boolean[] taken) {
        if (row == weight.length) {
            return 0;
        }
        int best = 0;
        for (int j = 0; j < taken.length; j++) {
            if (!taken[j]) {
                taken[j] = true;
                best = Math.max(best, weight[row][j] + bruteForce(weight, row + 1, taken));
                taken[j] = false;
            }
        }
        return best;
    }

    /** Up to six cars on a line, a few pixels apart, with scores a few hundredths apart around the thresholds. */
    private static List<Detection> randomCars(Random random) {
        List<Detection> out = new ArrayList<>();
        for (int k = random.nextInt(7); k > 0; k--) {
            out.add(car(0.25f + 0.02f * random.nextInt(15), 2 * random.nextInt(30)));
        }
        return out;
    }

    /** What NMS at IoU 0.5, as the model's, keeps of {@code cars}. */
    private static List<Detection> nms(List<Detection> cars) {
        List<Detection> kept = new ArrayList<>();
        for (Detection c : cars.stream().sorted((a, b) -> Float.compare(b.score(), a.score())).toList()) {
            if (kept.stream().allMatch(k -> Agreement.iou(k, c) < 0.5f)) {
                kept.add(c);
            }
        }
        return kept;
    }
}
