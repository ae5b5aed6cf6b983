package dev.governor.policies;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.policies.InlineDiffFacts.ChangedLine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangedLineFactsTest {

    private static JsonNode facts(String text) {
        return ChangedLineFacts.toJsonIfMatchable(new ChangedLine("src/a.py", 3, '+', text));
    }

    private static List<String> list(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void dottedNamesGiveTheirFirstPartAndFirstTwoParts() {
        assertThat(list(facts("    self.logger.info(\"x\", os.path.join(a))").get("words")))
                .containsExactly("self", "self.logger", "x", "os", "os.path", "a");
    }

    @Test
    void assignmentsKeywordArgumentsAndKeysAreAssignedNamesInSnakeCase() {
        assertThat(list(facts("TIMEOUT_SECONDS = 600").get("assigned"))).containsExactly("timeout_seconds");
        assertThat(list(facts("run(cmd, maxRetries=3, timeout = 5)").get("assigned"))).containsExactly("max_retries", "timeout");
        assertThat(list(facts("\"timeLimit\": 7200,").get("assigned"))).containsExactly("time_limit");
        assertThat(list(facts("time_limit_seconds: 600").get("assigned"))).containsExactly("time_limit_seconds");
        assertThat(list(facts("self.budget *= 2").get("assigned"))).containsExactly("budget");
        assertThat(list(facts("HTTPTimeout = 3").get("assigned"))).containsExactly("http_timeout");
    }

    @Test
    void comparisonsAndScopeSeparatorsAreNotAssignments() {
        assertThat(list(facts("if timeout == 5 or a::b or x <= y:").get("assigned"))).isEmpty();
    }

    @Test
    void numbersAndOverlongWordsAreNotWords() {
        assertThat(list(facts("x = 1e4 + 0x1F").get("words"))).containsExactly("x");
        assertThat(list(facts("a".repeat(65) + " b").get("words"))).containsExactly("b");
        assertThat(facts("a".repeat(65))).as("a line with nothing to match").isNull();
        assertThat(facts("  ) + 42 ")).isNull();
    }

    @Test
    void theTextIsTrimmedAndCutShort() {
        assertThat(facts("   logger.info(x)  ").get("text").asText()).isEqualTo("logger.info(x)");
        assertThat(facts("y = " + "z ".repeat(250)).get("text").asText()).hasSize(ChangedLineFacts.MAX_TEXT - 1);
        assertThat(facts("x " + "a".repeat(157) + "\uD83D\uDE00").get("text").asText()).hasSize(159);
    }
}
