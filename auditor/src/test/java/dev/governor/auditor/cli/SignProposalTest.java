package dev.governor.auditor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.auditor.dsse.Envelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class SignProposalTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void signsTheDataOfAProposalWithTheLoopsKeyInACloudEvent(@TempDir Path dir) throws Exception {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        Path key = Files.writeString(dir.resolve("loop.key"), Base64.getEncoder().encodeToString(seed) + "\n");
        String data = "{\"proposalId\":\"p-1\",\"loopId\":\"dgm-swe-7\",\"summary\":\"é\"}";
        Path input = Files.writeString(dir.resolve("proposal.json"), data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = SignProposal.run(new String[]{"--key-file", key.toString(), input.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isZero();
        String line = out.toString(StandardCharsets.UTF_8);
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode event = MAPPER.readTree(line);
        assertThat(event.path("id").asText()).isEqualTo("p-1");
        assertThat(event.path("source").asText()).isEqualTo("urn:loop:dgm-swe-7");
        assertThat(event.path("datacontenttype").asText()).isEqualTo(Envelope.MEDIA_TYPE);
        Envelope envelope = Envelope.parse(event.path("data"));
        assertThat(envelope.payloadType()).isEqualTo("application/vnd.governor.proposal.v1+json");
        assertThat(MAPPER.readTree(envelope.payload())).isEqualTo(MAPPER.readTree(data));
        assertThat(new Ed25519Signer(seed).verifier().find(envelope)).isNotNull();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("of loop dgm-swe-7");
    }

    @Test
    void withoutAKeyFileItSaysHowToUseIt() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SignProposal.run(new String[0], new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage");
    }
}
