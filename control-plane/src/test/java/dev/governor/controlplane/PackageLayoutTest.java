package dev.governor.controlplane;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages of the control plane are stacked in the order data flows (docs/architecture.md,
 * "Packages"): each may use only the ones named below it, so the flow reads top to bottom and no
 * two packages import each other.
 */
class PackageLayoutTest {

    private static final String ROOT = "dev.governor.controlplane";
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void eachStageUsesOnlyTheStagesBeforeItAndTheFoundations() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("config").definedBy(ROOT + ".config")
                .layer("problem").definedBy(ROOT + ".problem")
                .layer("security").definedBy(ROOT + ".security")
                .layer("kafka").definedBy(ROOT + ".kafka")
                .layer("audit").definedBy(ROOT + ".audit")
                .layer("killswitch").definedBy(ROOT + ".killswitch")
                .layer("loop").definedBy(ROOT + ".loop")
                .layer("proposal").definedBy(ROOT + ".proposal")
                .layer("gate").definedBy(ROOT + ".gate")
                .layer("intake").definedBy(ROOT + ".intake")
                .layer("review").definedBy(ROOT + ".review")
                .layer("promotion").definedBy(ROOT + ".promotion")
                .layer("proposal.api").definedBy(ROOT + ".proposal.api")
                .layer("console").definedBy(ROOT + ".console")
                .layer("demo").definedBy(ROOT + ".demo")

                .whereLayer("demo").mayNotBeAccessedByAnyLayer()
                .whereLayer("console").mayNotBeAccessedByAnyLayer()
                .whereLayer("proposal.api").mayOnlyBeAccessedByLayers("demo")
                .whereLayer("promotion").mayOnlyBeAccessedByLayers("proposal.api")
                .whereLayer("review").mayOnlyBeAccessedByLayers("promotion", "proposal.api")
                .whereLayer("intake").mayNotBeAccessedByAnyLayer()
                .whereLayer("gate").mayOnlyBeAccessedByLayers("intake", "review", "promotion", "proposal.api")
                .whereLayer("proposal").mayOnlyBeAccessedByLayers("gate", "intake", "review", "promotion", "proposal.api", "demo")
                .whereLayer("loop").mayOnlyBeAccessedByLayers("proposal", "intake", "review", "proposal.api", "console", "demo")
                .whereLayer("killswitch").mayOnlyBeAccessedByLayers("gate", "intake", "promotion")
                .whereLayer("audit").mayOnlyBeAccessedByLayers("killswitch", "loop", "gate", "intake", "review", "promotion",
                        "proposal.api")
                .whereLayer("kafka").mayOnlyBeAccessedByLayers("audit", "killswitch", "intake", "promotion", "proposal.api")
                .whereLayer("security").mayOnlyBeAccessedByLayers("audit", "killswitch", "loop", "proposal", "gate", "intake", "review",
                        "promotion", "proposal.api", "console", "demo")
                .whereLayer("problem").mayOnlyBeAccessedByLayers("audit", "killswitch", "loop", "proposal", "gate", "review",
                        "promotion", "proposal.api")
                .check(MAIN);
    }

    /** A long class is a smell unless its javadoc says why it is one piece; the sentence keeps the reason next to the code. */
    @Test
    void aClassOver400LinesSaysInItsJavadocWhy() throws IOException {
        Path sources = Path.of("src/main/java");
        List<String> unexplained;
        try (Stream<Path> files = Files.walk(sources)) {
            unexplained = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    List<String> lines = Files.readAllLines(f);
                    return lines.size() > 400 && !String.join(" ", lines).replaceAll("\\s*\\*\\s*", " ")
                            .contains("longer than 400 lines because");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(f -> sources.relativize(f).toString()).toList();
        }
        assertThat(unexplained).as("classes over 400 lines without 'longer than 400 lines because' in their javadoc").isEmpty();
    }
}
