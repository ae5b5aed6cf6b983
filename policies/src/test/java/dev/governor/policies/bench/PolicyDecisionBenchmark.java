package dev.governor.policies.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.policies.OpaServerPolicyEngine;
import dev.governor.policies.PolicyDecision;
import dev.governor.policies.PolicyEngine;
import dev.governor.policies.PolicyInput;
import dev.governor.policies.WasmPolicyEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Decision latency and throughput of the gate on one thread: the whole test corpus, round
 * robin, through the in-process wasm engine and, when {@code --opa-url} is given, through an
 * OPA server over HTTP; prints p50, p99, max and decisions/s per engine and their ratio.
 *
 * <p>Run by {@code bench/policy/run}, which builds the test classpath and starts the OPA
 * server. Not a test: surefire does not pick it up. Each phase stops at its decision count
 * or its time limit, whichever comes first, and says which.
 *
 * <pre>
 * --decisions N         measured decisions per engine (default 100000)
 * --warmup-seconds S    unmeasured decisions first, for the JIT (default 15)
 * --max-seconds S       time limit of each measured phase (default 300)
 * --opa-url URL         also measure an OPA server serving scripts/policy server-bundle
 * --server-decisions N  measured decisions for the server (default: --decisions)
 * --cases TEXT          only the corpus cases whose name contains TEXT (for profiling one shape)
 * --slowest N           how many cases to list by mean time, slowest first (default 5)
 * </pre>
 */
public final class PolicyDecisionBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Inputs above this size (the corpus's 256 KiB diffs) are also left out in a second view of the same run. */
    private static final int LARGE_INPUT_BYTES = 64 * 1024;

    private record Case(String name, JsonNode input, String expectedOutcome, boolean large) {}

    /** {@code seconds} is the wall time of the phase, or for a subset the time spent in its decisions. */
    private record Result(String engine, int decisions, double seconds, long[] sortedNanos, boolean timeLimited) {

        double perSecond() {
            return decisions / seconds;
        }

        double percentileMillis(double p) {
            int index = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
            return sortedNanos[Math.max(0, Math.min(index, sortedNanos.length - 1))] / 1e6;
        }

        double maxMillis() {
            return sortedNanos[sortedNanos.length - 1] / 1e6;
        }

        String line() {
            return String.format(Locale.ROOT,
                    "%-26s decisions=%d  p50=%.3f ms  p99=%.3f ms  max=%.3f ms  throughput=%.0f decisions/s%s",
                    engine, decisions, percentileMillis(50), percentileMillis(99), maxMillis(), perSecond(),
                    timeLimited ? "  (stopped by the time limit)" : "");
        }
    }

    public static void main(String[] args) throws Exception {
        int decisions = 100_000;
        int serverDecisions = -1;
        int warmupSeconds = 15;
        int maxSeconds = 300;
        String opaUrl = null;
        String only = null;
        int slowest = 5;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--decisions" -> decisions = positive(args[i], value);
                case "--server-decisions" -> serverDecisions = positive(args[i], value);
                case "--warmup-seconds" -> warmupSeconds = positive(args[i], value);
                case "--max-seconds" -> maxSeconds = positive(args[i], value);
                case "--opa-url" -> opaUrl = required(args[i], value);
                case "--cases" -> only = required(args[i], value);
                case "--slowest" -> slowest = positive(args[i], value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --decisions N --warmup-seconds S --max-seconds S --opa-url URL --server-decisions N --cases TEXT --slowest N");
            }
            i++;
        }
        if (serverDecisions < 0) {
            serverDecisions = decisions;
        }

        String filter = only;
        List<Case> corpus = loadCorpus().stream().filter(c -> filter == null || c.name().contains(filter)).toList();
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("no corpus case name contains '" + filter + "'");
        }
        System.out.printf(Locale.ROOT, "corpus: %d cases; %d measured decisions per engine, warm-up %d s, limit %d s per phase%n",
                corpus.size(), decisions, warmupSeconds, maxSeconds);

        Result[] wasm;
        long start = System.nanoTime();
        try (WasmPolicyEngine engine = WasmPolicyEngine.fromClasspath(1)) {
            System.out.printf(Locale.ROOT, "wasm engine ready in %.1f s (revision %s)%n",
                    (System.nanoTime() - start) / 1e9, engine.revision());
            wasm = measure(engine, corpus, decisions, warmupSeconds, maxSeconds, slowest);
        }
        print(wasm);

        if (opaUrl == null) {
            System.out.println("no --opa-url: OPA server not measured");
            return;
        }
        Result[] server;
        try (OpaServerPolicyEngine engine = new OpaServerPolicyEngine(URI.create(opaUrl), Duration.ofSeconds(10))) {
            System.out.printf(Locale.ROOT, "OPA server at %s (revision %s)%n", opaUrl, engine.revision());
            server = measure(engine, corpus, serverDecisions, Math.max(1, warmupSeconds / 3), maxSeconds, slowest);
        }
        System.out.println();
        System.out.println("== results (one thread) ==");
        print(wasm);
        print(server);
        for (int i = 0; i < Math.min(wasm.length, server.length); i++) {
            System.out.printf(Locale.ROOT,
                    "ratio in-process / OPA server (%s): throughput x%.2f, p50 latency x%.2f lower, p99 latency x%.2f lower%n",
                    wasm[i].engine().substring(wasm[i].engine().indexOf(' ') + 1),
                    wasm[i].perSecond() / server[i].perSecond(),
                    server[i].percentileMillis(50) / wasm[i].percentileMillis(50),
                    server[i].percentileMillis(99) / wasm[i].percentileMillis(99));
        }
    }

    private static Result[] measure(PolicyEngine engine, List<Case> corpus, int decisions, int warmupSeconds, int maxSeconds,
            int slowest) {
        System.out.printf(Locale.ROOT, "[%s] warm-up %d s%n", engine.name(), warmupSeconds);
        long warmupEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        int warm = 0;
        while (System.nanoTime() < warmupEnd) {
            check(engine.decide(PolicyInput.of(corpus.get(warm % corpus.size()).input())), corpus.get(warm % corpus.size()));
            warm++;
        }
        System.out.printf(Locale.ROOT, "[%s] warm-up done: %d decisions; measuring %d%n", engine.name(), warm, decisions);

        long[] nanos = new long[decisions];
        long[] nanosPerCase = new long[corpus.size()];
        int[] countPerCase = new int[corpus.size()];
        long begin = System.nanoTime();
        long deadline = begin + maxSeconds * 1_000_000_000L;
        long nextReport = begin + 2_000_000_000L;
        int done = 0;
        boolean timeLimited = false;
        while (done < decisions) {
            Case c = corpus.get(done % corpus.size());
            long t0 = System.nanoTime();
            // Timed from the input as the control plane has it: reading the inline diff for the
            // policy (PolicyInput) is part of deciding, and for large diffs most of it.
            PolicyDecision decision = engine.decide(PolicyInput.of(c.input()));
            long t1 = System.nanoTime();
            nanos[done] = t1 - t0;
            nanosPerCase[done % corpus.size()] += t1 - t0;
            countPerCase[done % corpus.size()]++;
            done++;
            check(decision, c);
            if (t1 >= nextReport) {
                System.out.printf(Locale.ROOT, "[%s] %d/%d decisions, %.0f /s so far%n",
                        engine.name(), done, decisions, done / ((t1 - begin) / 1e9));
                nextReport = t1 + 2_000_000_000L;
            }
            if (t1 >= deadline) {
                timeLimited = done < decisions;
                break;
            }
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        printSlowestCases(engine.name(), corpus, nanosPerCase, countPerCase, slowest);
        long[] measured = Arrays.copyOf(nanos, done);
        long[] small = new long[done];
        int smallCount = 0;
        long smallNanos = 0;
        for (int i = 0; i < done; i++) {
            if (!corpus.get(i % corpus.size()).large()) {
                small[smallCount++] = nanos[i];
                smallNanos += nanos[i];
            }
        }
        small = Arrays.copyOf(small, smallCount);
        Arrays.sort(measured);
        Arrays.sort(small);
        Result all = new Result(engine.name() + " all cases", done, seconds, measured, timeLimited);
        if (smallCount == 0 || smallCount == done) {
            return new Result[] {all};
        }
        return new Result[] {all, new Result(engine.name() + " inputs <= 64 KiB", smallCount, smallNanos / 1e9, small, timeLimited)};
    }

    private static void print(Result[] results) {
        for (Result r : results) {
            System.out.println(r.line());
        }
    }

    private static void printSlowestCases(String engine, List<Case> corpus, long[] nanosPerCase, int[] countPerCase, int slowest) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            if (countPerCase[i] > 0) {
                order.add(i);
            }
        }
        order.sort((a, b) -> Double.compare(
                (double) nanosPerCase[b] / countPerCase[b], (double) nanosPerCase[a] / countPerCase[a]));
        StringBuilder line = new StringBuilder("[" + engine + "] slowest cases (mean ms):");
        for (int i : order.subList(0, Math.min(slowest, order.size()))) {
            line.append(String.format(Locale.ROOT, " %s %.3f;", corpus.get(i).name(), nanosPerCase[i] / 1e6 / countPerCase[i]));
        }
        System.out.println(line);
    }

    /** A benchmark of wrong answers would be worthless: every decision is checked against the corpus. */
    private static void check(PolicyDecision decision, Case c) {
        if (!decision.outcome().name().equals(c.expectedOutcome())) {
            throw new IllegalStateException("corpus case " + c.name() + ": expected " + c.expectedOutcome()
                    + ", engine decided " + decision.outcome());
        }
    }

    private static List<Case> loadCorpus() throws IOException, URISyntaxException {
        URL dir = PolicyDecisionBenchmark.class.getClassLoader().getResource("corpus");
        if (dir == null) {
            throw new IllegalStateException("test resource folder corpus/ is not on the classpath");
        }
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode node = JSON.readTree(file.toFile());
                JsonNode input = node.required("input");
                cases.add(new Case(node.required("name").asText(), input,
                        node.required("expected").required("outcome").asText(),
                        JSON.writeValueAsBytes(input).length > LARGE_INPUT_BYTES));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return cases;
    }

    private static int positive(String option, String value) {
        int n = Integer.parseInt(required(option, value));
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, was " + n);
        }
        return n;
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
