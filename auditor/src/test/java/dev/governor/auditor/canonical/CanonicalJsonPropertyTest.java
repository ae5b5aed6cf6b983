package dev.governor.auditor.canonical;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.erdtman.jcs.NumberToJSON;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalJsonPropertyTest {

    @Property(tries = 2000)
    void integersBelowTwoToThe53PrintAsTheFullEcmaScriptAlgorithmWould(
            @ForAll @LongRange(min = -(1L << 53) + 1, max = (1L << 53) - 1) long value) throws Exception {
        assertThat(CanonicalJson.canonicalString(LongNode.valueOf(value))).isEqualTo(NumberToJSON.serializeNumber(value));
    }

    @Property(tries = 2000)
    void everyFiniteDoubleRoundTripsThroughItsCanonicalForm(@ForAll double value) {
        String canonical = CanonicalJson.canonicalString(DoubleNode.valueOf(value));

        assertThat(Double.parseDouble(canonical)).isEqualTo(value == 0 ? 0.0 : value);
        assertThat(CanonicalJson.canonicalString(canonical)).isEqualTo(canonical);
    }

    @Property(tries = 500)
    void canonicalizationIsIdempotentOnStringsWithAnyCharacters(@ForAll String text,
                                                                @ForAll @DoubleRange(min = -1e6, max = 1e6) double number) {
        String json = "{\"b\":" + DoubleNode.valueOf(number) + ",\"a\":" + TextNode.valueOf(text) + "}";
        Assume.that(isWellFormed(text));

        String once = CanonicalJson.canonicalString(json);

        assertThat(CanonicalJson.canonicalString(once)).isEqualTo(once);
        assertThat(CanonicalJson.parse(once).get("a").textValue()).isEqualTo(text);
    }

    private static boolean isWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
