package dev.governor.controlplane.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of the benchmarks' samples (milliseconds). */
final class Percentiles {

    private Percentiles() {
    }

    static double pct(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
