package dev.governor.auditor.canonical;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-pass check must agree with the reference: a text is canonical exactly when parsing and
 * canonicalising it succeeds and gives the text back. Checked on canonical documents, on every
 * small mutation of them, and on hand-picked edge cases.
 */
class CanonicalCheckPropertyTest {

    /** The reference definition. */
    private static boolean reference(String text) {
        try {
            return CanonicalJson.canonicalString(text).equals(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Property(tries = 3000)
    void everyCanonicalDocumentPasses(@ForAll("documents") JsonNode document) {
        String canonical;
        try {
            canonical = CanonicalJson.canonicalString(document);
        } catch (CanonicalJsonException e) {
            return; // e.g. a lone surrogate: there is no canonical form to check
        }
        assertThat(CanonicalCheck.isCanonical(canonical)).as(canonical).isTrue();
    }

    @Property(tries = 3000)
    void everyMutationIsJudgedAsTheReferenceJudgesIt(@ForAll("documents") JsonNode document,
                                                     @ForAll("mutations") Mutation mutation) {
        String canonical;
        try {
            canonical = CanonicalJson.canonicalString(document);
        } catch (CanonicalJsonException e) {
            return;
        }
        String mutated = mutation.apply(canonical);
        assertThat(CanonicalCheck.isCanonical(mutated)).as(mutated).isEqualTo(reference(mutated));
    }

    @Test
    void handPickedEdgeCasesAgreeWithTheReference() {
        List<String> cases = List.of("", " ", "{}", "[]", "{ }", "[1,]", "{\"a\":1,}", "{\"a\":1,\"a\":2}", "{\"b\":1,\"a\":2}",
                "{\"a\":1,\"b\":2}", "\"x\"", "1", "-0", "0", "01", "1.0", "1.5", "1e21", "1e+21", "1E+21", "0.000001", "1e-7",
                "1e-7", "-1.5e-7", "9007199254740993", "9007199254740992", "1e400", "-", "1.", ".5", "true", "tru", "nullx",
                "\"\\u0000\"", "\"\\u001f\"", "\"\\u001F\"", "\"\\u0020\"", "\"\\u000a\"", "\"\\n\"", "\"\\/\"", "\"/\"",
                "\"\\\"\"", "\"\\\\\"", "\"\u007f\"", "\"\ud83d\ude00\"", "\"\ud83d\"", "\"\ude00\"", "\"\\ud83d\\ude00\"",
                "\"\t\"", "{\"\\u0001\":1,\"a\":2}", "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}", "[[[]]]", "{\"é\":1,\"z\":2}",
                "{\"z\":1,\"é\":2}", "\"unterminated", "{\"a\"}", "{\"a\":}", "[1 ,2]", "1 ", "\"a\"\"b\"");
        for (String text : cases) {
            assertThat(CanonicalCheck.isCanonical(text)).as(text).isEqualTo(reference(text));
        }
        assertThat(CanonicalCheck.isCanonical("[".repeat(999) + "]".repeat(999))).isEqualTo(reference("[".repeat(999) + "]".repeat(999)));
        assertThat(CanonicalCheck.isCanonical("[".repeat(1000) + "]".repeat(1000)))
                .isEqualTo(reference("[".repeat(1000) + "]".repeat(1000)));
        assertThat(CanonicalCheck.isCanonical("[".repeat(1001) + "]".repeat(1001)))
                .isEqualTo(reference("[".repeat(1001) + "]".repeat(1001)));
    }

    @Test
    void topLevelStringMembersAreHandedBackDecoded() {
        String[] found = CanonicalCheck.check("{\"a\":{\"type\":\"inner\"},\"occurredAt\":\"2026\",\"type\":\"x\\ny\"}",
                "type", "occurredAt", "a", "missing");
        assertThat(found).containsExactly("x\ny", "2026", null, null);
    }

    record Mutation(String kind, int at, char with) {
        String apply(String text) {
            int i = text.isEmpty() ? 0 : Math.floorMod(at, text.length());
            return switch (kind) {
                case "insert" -> text.substring(0, i) + with + text.substring(i);
                case "delete" -> text.isEmpty() ? text : text.substring(0, i) + text.substring(i + 1);
                case "replace" -> text.isEmpty() ? text : text.substring(0, i) + with + text.substring(i + 1);
                default -> text + with;
            };
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Character> chars = Arbitraries.of(' ', '\n', ',', ':', '"', '\\', '{', '}', '[', ']', '0', '1', '9', '.', 'e',
                'E', '-', '+', 'u', 'n', 't', 'a', 'z', '/', '\u0001', '\u007f', '\ud800', '\udc00', 'é');
        return Combinators.combine(Arbitraries.of("insert", "delete", "replace", "append"), Arbitraries.integers(), chars)
                .as(Mutation::new);
    }

    @Provide
    Arbitrary<JsonNode> documents() {
        return node(3);
    }

    private Arbitrary<JsonNode> node(int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Arbitrary<JsonNode> scalars = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(6).withChars("ab\"\\/\n\t\u0001\u001f\u007fé\ud83d\ude00").map(f::textNode),
                Arbitraries.strings().ofMaxLength(4).map(f::textNode),
                Arbitraries.longs().between(-1_000_000_000_000L, 1_000_000_000_000L).map(f::numberNode),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? f.numberNode(d) : f.nullNode()),
                Arbitraries.of(f.booleanNode(true), f.booleanNode(false), f.nullNode()));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<JsonNode> arrays = node(depth - 1).list().ofMaxSize(4).map(items -> {
            ArrayNode a = f.arrayNode();
            items.forEach(a::add);
            return a;
        });
        Arbitrary<JsonNode> objects = Combinators.combine(
                Arbitraries.strings().ofMaxLength(3).withChars("abAZé\"\\\u0001_").list().ofMaxSize(4),
                node(depth - 1).list().ofSize(4)).as((names, values) -> {
                    ObjectNode o = f.objectNode();
                    for (int i = 0; i < names.size(); i++) {
                        o.set(names.get(i), values.get(i));
                    }
                    return (JsonNode) o;
                });
        return Arbitraries.oneOf(scalars, arrays, objects);
    }
}
