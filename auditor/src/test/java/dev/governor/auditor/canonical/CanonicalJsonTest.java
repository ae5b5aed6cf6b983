package dev.governor.auditor.canonical;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CanonicalJsonTest {

    /** RFC 8785 Appendix B: IEEE-754 bit patterns and their required serialization. */
    @ParameterizedTest(name = "{0} serializes as {1}")
    @CsvSource({
            "0000000000000000, 0",
            "8000000000000000, 0",
            "0000000000000001, 5e-324",
            "8000000000000001, -5e-324",
            "7fefffffffffffff, 1.7976931348623157e+308",
            "ffefffffffffffff, -1.7976931348623157e+308",
            "4340000000000000, 9007199254740992",
            "c340000000000000, -9007199254740992",
            "4430000000000000, 295147905179352830000",
            "44b52d02c7e14af5, 9.999999999999997e+22",
            "44b52d02c7e14af6, 1e+23",
            "44b52d02c7e14af7, 1.0000000000000001e+23",
            "444b1ae4d6e2ef4e, 999999999999999700000",
            "444b1ae4d6e2ef4f, 999999999999999900000",
            "444b1ae4d6e2ef50, 1e+21",
            "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
            "3eb0c6f7a0b5ed8d, 0.000001",
            "41b3de4355555553, 333333333.3333332",
            "41b3de4355555554, 333333333.33333325",
            "41b3de4355555555, 333333333.3333333",
            "41b3de4355555556, 333333333.3333334",
            "41b3de4355555557, 333333333.33333343",
            "becbf647612f3696, -0.0000033333333333333333",
            "43143ff3c1cb0959, 1424953923781206.2",
    })
    void numbersFollowTheEcmaScriptSerializationOfRfc8785AppendixB(String bitsHex, String expected) {
        double value = Double.longBitsToDouble(Long.parseUnsignedLong(bitsHex, 16));

        assertThat(CanonicalJson.canonicalString(DoubleNode.valueOf(value))).isEqualTo(expected);
        assertThat(CanonicalJson.canonicalString("[" + Double.toString(value) + "]")).isEqualTo("[" + expected + "]");
    }

    @ParameterizedTest(name = "bit pattern {0} is refused")
    @ValueSource(strings = {"7fffffffffffffff", "7ff0000000000000", "fff0000000000000"})
    void nanAndInfinityAreRefused(String bitsHex) {
        double value = Double.longBitsToDouble(Long.parseUnsignedLong(bitsHex, 16));

        assertThatThrownBy(() -> CanonicalJson.canonicalize(DoubleNode.valueOf(value)))
                .isInstanceOf(CanonicalJsonException.class)
                .hasMessageContaining("not a finite IEEE-754 double");
    }

    @Test
    void numberLiteralsTooLargeForADoubleAreRefused() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize("{\"x\":1e400}"))
                .isInstanceOf(CanonicalJsonException.class)
                .hasMessageContaining("$.x");
        assertThatThrownBy(() -> CanonicalJson.canonicalize("[" + "9".repeat(400) + "]"))
                .isInstanceOf(CanonicalJsonException.class);
    }

    @Test
    void theRfc8785MainExampleIsReproducedByteForByte() {
        String input = """
                {
                  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                  "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
                  "literals": [null, true, false]
                }
                """;
        String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

        assertThat(new String(CanonicalJson.canonicalize(input), StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void objectMembersAreSortedByUtf16CodeUnitsAsInRfc8785Section323() {
        String input = """
                {
                  "\\u20ac": "Euro Sign",
                  "\\r": "Carriage Return",
                  "\\ufb33": "Hebrew Letter Dalet With Dagesh",
                  "1": "One",
                  "\\ud83d\\ude00": "Emoji: Grinning Face",
                  "\\u0080": "Control",
                  "\\u00f6": "Latin Small Letter O With Diaeresis"
                }
                """;

        String canonical = CanonicalJson.canonicalString(input);

        assertThat(canonical).isEqualTo("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    @Test
    void theUtf8BytesOfTheRfc8785SortingExampleAreExact() {
        byte[] bytes = CanonicalJson.canonicalize("{\"\\u20ac\":1,\"\\ud83d\\ude00\":2}");

        assertThat(CanonicalJson.sha256Hex(bytes)).isEqualTo(CanonicalJson.sha256Hex(
                "{\"€\":1,\"😀\":2}".getBytes(StandardCharsets.UTF_8)));
        assertThat(bytes).containsExactly(
                '{', '"', 0xe2, 0x82, 0xac, '"', ':', '1', ',',
                '"', 0xf0, 0x9f, 0x98, 0x80, '"', ':', '2', '}');
    }

    @Test
    void controlCharactersUseShortEscapesWhereTheyExistAndLowercaseHexOtherwise() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("s", "\b\f\n\r\t\u0000\u001f\u007f\u2028/");

        assertThat(CanonicalJson.canonicalString(node)).isEqualTo("{\"s\":\"\\b\\f\\n\\r\\t\\u0000\\u001f\u007f\u2028/\"}");
    }

    @Test
    void nestedStructuresAreCanonicalizedRecursivelyWithoutWhitespace() {
        String input = "{ \"b\" : [ { \"z\" : 1 , \"a\" : 2.0 } , [ ] , { } ] , \"a\" : \"x\" }";

        assertThat(CanonicalJson.canonicalString(input)).isEqualTo("{\"a\":\"x\",\"b\":[{\"a\":2,\"z\":1},[],{}]}");
    }

    @Test
    void aJsonNodeAndItsTextGiveTheSameBytes() throws Exception {
        String text = "{\"proposalId\":\"p-1\",\"generation\":7,\"score\":0.31,\"tags\":[\"a\",\"b\"],\"meta\":{\"y\":null,\"x\":true}}";
        JsonNode node = new ObjectMapper().readTree(text);

        assertThat(CanonicalJson.canonicalize(node)).isEqualTo(CanonicalJson.canonicalize(text));
        assertThat(CanonicalJson.sha256Hex(node)).isEqualTo(CanonicalJson.sha256Hex(text)).hasSize(64);
    }

    @Test
    void sha256HexOfTheEmptyInputIsTheKnownDigest() {
        assertThat(CanonicalJson.sha256Hex(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void duplicateMemberNamesAreRefused() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize("{\"a\":1,\"a\":2}"))
                .isInstanceOf(CanonicalJsonException.class)
                .hasMessageContaining("Duplicate");
    }

    @Test
    void loneSurrogatesAreRefused() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize("[\"\\ud800\"]"))
                .isInstanceOf(CanonicalJsonException.class)
                .hasMessageContaining("lone UTF-16 surrogate");
        assertThatThrownBy(() -> CanonicalJson.canonicalize("[\"x\\udc00\"]"))
                .isInstanceOf(CanonicalJsonException.class);
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @ValueSource(strings = {"", "{", "{} {}", "[1,]", "NaN", "{'a':1}"})
    void malformedJsonIsRefused(String input) {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(input)).isInstanceOf(CanonicalJsonException.class);
    }

    @Test
    void largeIntegersAreRoundedToTheNearestDoubleAsRfc8785Prescribes() {
        assertThat(CanonicalJson.canonicalString("[9007199254740993, 100000000000000000000000, -0]"))
                .isEqualTo("[9007199254740992,1e+23,0]");
    }
}
