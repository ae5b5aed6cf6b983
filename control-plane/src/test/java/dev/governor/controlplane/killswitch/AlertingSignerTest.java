package dev.governor.controlplane.killswitch;

import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateSigner;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PauseStateMachine;
import dev.governor.killswitch.state.Roles;
import dev.governor.killswitch.state.SigningFailedException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertingSignerTest {

    @Test
    void aKeyThatCannotSignIsReportedAsLostAndNoStateChanges() {
        List<String> lost = new ArrayList<>();
        AlertingSigner signer = new AlertingSigner(bytes -> {
            throw new SigningFailedException("HSM unreachable", null);
        }, lost::add);
        PauseState running = PauseState.initial(Instant.now()).signedWith(new Ed25519StateSigner(Ed25519Keys.generate().getPrivate()));
        PauseStateMachine machine = new PauseStateMachine(Duration.ofMinutes(15), signer);

        assertThatThrownBy(() -> machine.trip(running, "audit-log", Set.of(Roles.AUTOMATION), "audit-log", "x", Instant.now()))
                .isInstanceOf(SigningFailedException.class);
        assertThat(lost).singleElement().asString().contains("signing key failed").contains("HSM unreachable");
    }

    @Test
    void aWorkingKeyReportsNothing() {
        List<String> lost = new ArrayList<>();
        AlertingSigner signer = new AlertingSigner(new Ed25519StateSigner(Ed25519Keys.generate().getPrivate()), lost::add);
        PauseStateMachine machine = new PauseStateMachine(Duration.ofMinutes(15), signer);
        PauseState running = machine.initialState(Instant.now());
        assertThat(machine.pause(running, "alice", Set.of(Roles.SAFETY_OFFICER), "drill", Instant.now()).to().isSigned()).isTrue();
        assertThat(lost).isEmpty();
    }
}
