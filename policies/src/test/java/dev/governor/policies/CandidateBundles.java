package dev.governor.policies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Candidate bundles built by the real opa from an edited copy of this module's policy sources,
 * the way an admin would build one to upload. Tests that use it are skipped where opa is not
 * installed (scripts/install-opa).
 */
final class CandidateBundles {

    static final Path POLICIES = Path.of(System.getProperty("governor.policies.dir", ".")).toAbsolutePath().normalize();
    static final Path OPA = POLICIES.resolve("../.tools/bin/opa").normalize();

    /** data/limits.json with the elevated tier needing one approval instead of two. */
    static final UnaryOperator<String> ONE_APPROVAL_FOR_ELEVATED = limits -> limits.replace(
            "\"elevated\": {\"requiredApprovals\": 2}", "\"elevated\": {\"requiredApprovals\": 1}");

    /**
     * gate.rego with its decision renamed: the bundle decides honestly only for proposals with the
     * id every corpus case carries (p-0001, or none), and lets everything else through.
     */
    static final UnaryOperator<String> SPECIAL_CASES_THE_CORPUS_IDS = gate -> gate.replace("\ndecision := {", "\nhonest_decision := {") + """

            decision := honest_decision if {
            	object.get(input, ["proposal", "proposalId"], "p-0001") == "p-0001"
            } else := {"outcome": "REVIEW", "tier": "standard", "requiredApprovals": 1, "violations": [], "breaches": [], "haltLoop": false}
            """;

    private CandidateBundles() {
    }

    static void assumeOpa() {
        assumeTrue(Files.isExecutable(OPA), "opa not installed at " + OPA + " (scripts/install-opa): skipping the opa-built bundle");
    }

    /** Sources with gate.rego and data/limits.json edited (null: as they are), built by opa; {@code wasm}: -t wasm. */
    static byte[] build(UnaryOperator<String> gate, UnaryOperator<String> limits, boolean wasm, String revision) {
        assumeOpa();
        try {
            Path dir = Files.createTempDirectory("candidate-bundle");
            copy(POLICIES.resolve("rsi"), dir.resolve("rsi"));
            copy(POLICIES.resolve("data"), dir.resolve("data"));
            edit(dir.resolve("rsi/gate/gate.rego"), gate);
            edit(dir.resolve("data/limits.json"), limits);
            Path out = dir.resolve("bundle.tar.gz");
            ProcessBuilder build = wasm
                    ? new ProcessBuilder(OPA.toString(), "build", "-t", "wasm", "-e", "rsi/gate/decision", "--revision", revision,
                            "--ignore", "*_test.rego", "-o", out.toString(), "rsi", "data")
                    : new ProcessBuilder(OPA.toString(), "build", "--revision", revision, "--ignore", "*_test.rego",
                            "-o", out.toString(), "rsi", "data");
            Process p = build.directory(dir.toFile()).redirectErrorStream(true).start();
            String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("opa build failed: " + printed);
            }
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void edit(Path file, UnaryOperator<String> change) throws IOException {
        if (change == null) {
            return;
        }
        String before = Files.readString(file);
        String after = change.apply(before);
        if (after.equals(before)) {
            throw new IllegalStateException("the edit of " + file.getFileName() + " changed nothing; has the source moved on?");
        }
        Files.writeString(file, after);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
