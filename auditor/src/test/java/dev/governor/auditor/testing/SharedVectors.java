package dev.governor.auditor.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared test vectors beside the repository; tests that need them skip, loudly, when absent. */
public final class SharedVectors {

    private SharedVectors() {
    }

    /** {@code <shared>/test-vectors/<relative>}; skips the calling test when it is not there. */
    public static Path require(String relative) {
        String shared = System.getProperty("governor.shared.dir");
        Assumptions.assumeTrue(shared != null && !shared.isBlank(),
                "System property governor.shared.dir is not set (the parent POM sets it to ../shared); "
                        + "skipping the tests that read the shared test vectors");
        Path path = Path.of(shared, "test-vectors", relative).toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.exists(path),
                "Shared test vectors not found at " + path + "; skipping the tests that read them");
        return path;
    }
}
