package dev.governor.killswitch.propagation;

import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateSigner;
import dev.governor.killswitch.state.Ed25519StateVerifier;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PauseStateMachine;
import dev.governor.killswitch.state.Roles;
import dev.governor.killswitch.state.StateSigner;
import dev.governor.killswitch.state.StateVerifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlMessageJsonTest {

    private static final Instant T0 = Instant.parse("2026-11-25T18:00:00Z");
    private final KeyPair keys = Ed25519Keys.generate();
    private final StateSigner signer = new Ed25519StateSigner(keys.getPrivate());
    private final StateVerifier verifier = new Ed25519StateVerifier(keys.getPublic());
    private final PauseStateMachine machine = new PauseStateMachine(Duration.ofMinutes(15), signer);

    private PauseState pendingTrip() {
        PauseState tripped = machine.trip(machine.initialState(T0), "policy-gate", Set.of(Roles.AUTOMATION), "proposal-42",
                "critical \"ai_rnd\" breach\nscore 0.51", T0.plusSeconds(1)).to();
        return machine.requestResume(tripped, "alice", Set.of(Roles.SAFETY_OFFICER), "false alarm", T0.plusSeconds(2)).to();
    }

    @Test
    void aMessageSurvivesTheRoundTripWithBothSignaturesValid() {
        ControlMessage message = ControlMessage.issue(pendingTrip(), T0.plusSeconds(3), signer);

        ControlMessage decoded = ControlMessageJson.decode(ControlMessageJson.encode(message));

        assertThat(decoded).isEqualTo(message);
        assertThat(decoded.isVerifiedBy(verifier)).isTrue();
    }

    @Test
    void theJsonHasTheDocumentedShape() {
        ControlMessage message = ControlMessage.issue(pendingTrip(), Instant.parse("2026-11-25T18:00:03.5Z"), signer);

        String json = new String(ControlMessageJson.encode(message), StandardCharsets.UTF_8);

        assertThat(json).startsWith("{\"format\":\"governor-killswitch/v1\",\"pauseState\":{\"state\":\"TRIPPED\",\"epoch\":2,")
                .contains("\"cause\":\"proposal-42\"", "\"changedAt\":\"2026-11-25T18:00:02Z\"",
                        "\"pendingResume\":{\"officer\":\"alice\",\"reason\":\"false alarm\",\"requestedAt\":\"2026-11-25T18:00:02Z\",\"expiresAt\":\"2026-11-25T18:15:02Z\"}",
                        "\"issuedAt\":\"2026-11-25T18:00:03.500Z\"", "\"issueSignature\":\"");
    }

    @Test
    void aHeartbeatReDatedWithoutTheKeyFailsItsIssueSignature() {
        ControlMessage message = ControlMessage.issue(pendingTrip(), T0.plusSeconds(3), signer);

        ControlMessage redated = new ControlMessage(message.state(), message.issuedAt().plusSeconds(60), message.issueSignature());

        assertThat(redated.state().isSignedBy(verifier)).isTrue();
        assertThat(redated.rejectionBy(verifier)).contains("issue signature").contains("does not verify");
    }

    @Test
    void aMessageWithoutAnIssueSignatureIsRejected() {
        ControlMessage message = new ControlMessage(pendingTrip(), T0, null);

        assertThat(message.rejectionBy(verifier)).contains("has no issue signature");
    }

    @Test
    void anUnsignedStateCannotBeIssued() {
        PauseState unsigned = PauseState.initial(T0);

        assertThatThrownBy(() -> ControlMessage.issue(unsigned, T0, signer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refusing to issue an unsigned state");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON                 | {\"format\":                                                              | not JSON",
            "an array                 | []                                                                         | not a JSON object",
            "another format           | {\"format\":\"governor-killswitch/v2\"}                                    | unknown format",
            "no pauseState            | {\"format\":\"governor-killswitch/v1\",\"issuedAt\":\"2026-11-25T18:00:00Z\"} | pauseState must be an object",
            "unknown state            | {\"format\":\"governor-killswitch/v1\",\"pauseState\":{\"state\":\"STOPPED\"}} | is not RUNNING, PAUSED or TRIPPED",
            "fractional epoch         | {\"format\":\"governor-killswitch/v1\",\"pauseState\":{\"state\":\"PAUSED\",\"epoch\":1.5}} | epoch must be an integer",
            "tripped without a cause  | {\"format\":\"governor-killswitch/v1\",\"issuedAt\":\"2026-11-25T18:00:00Z\",\"pauseState\":{\"state\":\"TRIPPED\",\"epoch\":1,\"reason\":\"r\",\"actor\":\"a\",\"changedAt\":\"2026-11-25T18:00:00Z\"}} | must name its cause",
            "bad instant              | {\"format\":\"governor-killswitch/v1\",\"issuedAt\":\"yesterday\",\"pauseState\":{\"state\":\"PAUSED\",\"epoch\":1,\"reason\":\"r\",\"actor\":\"a\",\"changedAt\":\"2026-11-25T18:00:00Z\"}} | is not an ISO-8601 instant: yesterday",
            "numeric actor            | {\"format\":\"governor-killswitch/v1\",\"pauseState\":{\"state\":\"PAUSED\",\"epoch\":1,\"reason\":\"r\",\"actor\":7}} | must be a string",
    })
    void malformedMessagesAreRejectedWithTheReason(String name, String json, String expected) {
        assertThatThrownBy(() -> ControlMessageJson.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedControlMessageException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void aTombstoneIsMalformed() {
        assertThatThrownBy(() -> ControlMessageJson.decode(null))
                .isInstanceOf(MalformedControlMessageException.class)
                .hasMessageContaining("tombstone");
    }
}
