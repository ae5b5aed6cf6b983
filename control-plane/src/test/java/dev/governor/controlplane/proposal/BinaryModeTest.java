package dev.governor.controlplane.proposal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.dsse.Envelope;
import dev.governor.controlplane.loop.LoopRegistry;
import dev.governor.controlplane.loop.LoopSnapshot;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary content mode of the CloudEvents Kafka binding: attributes in ce_ headers, the value as data. */
class BinaryModeTest {

    private final ProposalParser realParser = new ProposalParser(1_048_576, 262_144, 64);
    private final LoopSnapshot registry = TestLoops.snapshot("loop-1");
    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 1, 12, 0, 0, 0, ZoneOffset.UTC);
    private final Parser parser = new Parser();

    /** The parser with this test's registry and clock. */
    private final class Parser {
        Proposal parse(String key, byte[] value) throws MalformedProposalException {
            return realParser.parse(key, value, registry, NOW);
        }

        Proposal parseBinary(String key, List<Map.Entry<String, byte[]>> headers, byte[] value) throws MalformedProposalException {
            return realParser.parseBinary(key, headers, value, registry, NOW);
        }
    }

    /** The record value in binary mode: the signed envelope of the payload. */
    private static byte[] signed(byte[] payload) {
        return ProposalMessages.bytes(ProposalMessages.envelope("loop-1", payload));
    }

    private static byte[] signed(ObjectNode data) {
        return signed(TestLoops.payload(data));
    }

    private static List<Map.Entry<String, byte[]>> headers(String... pairs) {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.add(Map.entry(pairs[i], pairs[i + 1].getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static List<Map.Entry<String, byte[]>> binaryHeaders(String id) {
        return headers("ce_specversion", "1.0", "ce_type", "dev.governor.proposal.v1", "ce_source", "urn:loop:loop-1",
                "ce_id", id, "ce_time", "2026-11-25T12:00:00Z", "content-type", Envelope.MEDIA_TYPE);
    }

    @Test
    void aBinaryModeRecordIsTheSameProposalWithTheSameDigestAsItsStructuredTwin() throws Exception {
        ObjectNode data = ProposalMessages.data("p-bin", "loop-1");
        Proposal structured = parser.parse("p-bin", ProposalMessages.bytes(ProposalMessages.cloudEvent(data)));

        Proposal binary = parser.parseBinary("p-bin", binaryHeaders("p-bin"), signed(data));

        assertThat(binary.proposalId()).isEqualTo("p-bin");
        assertThat(binary.contentDigest()).isEqualTo(structured.contentDigest());
        assertThat(binary.source()).isEqualTo(structured.source());
        assertThat(binary.eventTime()).isEqualTo(structured.eventTime());
        assertThat(binary.data()).isEqualTo(structured.data());
    }

    @Test
    void onlyRecordsWithACeHeaderAreBinary() {
        assertThat(ProposalParser.isBinary(binaryHeaders("x"))).isTrue();
        assertThat(ProposalParser.isBinary(headers("content-type", "application/cloudevents+json"))).isFalse();
        assertThat(ProposalParser.isBinary(List.of())).isFalse();
    }

    @Test
    void theDataGetsEveryCheckAStructuredEventsDataGets() {
        byte[] duplicateKeys = "{\"loopId\":\"loop-1\",\"proposalId\":\"p\",\"proposalId\":\"q\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.parseBinary("p", binaryHeaders("p"), signed(duplicateKeys)))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> assertThat(e.code()).isEqualTo("not-json"));
        byte[] notUtf8 = {'{', '"', (byte) 0xC3, '"', '}'};
        assertThatThrownBy(() -> parser.parseBinary("p", binaryHeaders("p"), signed(notUtf8)))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> assertThat(e.code()).isEqualTo("invalid-utf8"));
        ObjectNode data = ProposalMessages.data("p", "loop-1");
        data.remove("kind");
        assertThatThrownBy(() -> parser.parseBinary("p", binaryHeaders("p"), signed(data)))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> assertThat(e.code()).isEqualTo("schema"));
    }

    @Test
    void badHeadersAreRefusedWithTheirReason() {
        byte[] value = signed(ProposalMessages.data("p", "loop-1"));
        List<Map.Entry<String, byte[]>> noVersion = new ArrayList<>(binaryHeaders("p"));
        noVersion.remove(0);
        assertThatThrownBy(() -> parser.parseBinary("p", noVersion, value))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> {
                    assertThat(e.code()).isEqualTo("not-cloudevent");
                    assertThat(e.getMessage()).contains("specversion");
                });

        List<Map.Entry<String, byte[]>> oldVersion = new ArrayList<>(binaryHeaders("p"));
        oldVersion.set(0, Map.entry("ce_specversion", "0.3".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> parser.parseBinary("p", oldVersion, value))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> assertThat(e.code()).isEqualTo("unsupported-specversion"));

        List<Map.Entry<String, byte[]>> twice = new ArrayList<>(binaryHeaders("p"));
        twice.add(Map.entry("ce_id", "q".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> parser.parseBinary("p", twice, value))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> {
                    assertThat(e.code()).isEqualTo("duplicate-header");
                    assertThat(e.getMessage()).contains("ce_id");
                });

        List<Map.Entry<String, byte[]>> notUtf8 = new ArrayList<>(binaryHeaders("p"));
        notUtf8.set(2, Map.entry("ce_source", new byte[] {'u', (byte) 0xFF}));
        assertThatThrownBy(() -> parser.parseBinary("p", notUtf8, value))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid-header");
                    assertThat(e.getMessage()).contains("ce_source");
                });

        List<Map.Entry<String, byte[]>> text = new ArrayList<>(binaryHeaders("p"));
        text.set(5, Map.entry("content-type", "text/plain".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> parser.parseBinary("p", text, value))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> assertThat(e.getMessage()).contains("datacontenttype"));
    }

    @Test
    void anUnsignedBinaryRecordIsRefusedAsUnsigned() {
        List<Map.Entry<String, byte[]>> plain = new ArrayList<>(binaryHeaders("p"));
        plain.set(5, Map.entry("content-type", "application/json".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> parser.parseBinary("p", plain, ProposalMessages.bytes(ProposalMessages.data("p", "loop-1"))))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> assertThat(e.code()).isEqualTo("unsigned"));
    }
}
