package dev.governor.killswitch.propagation;

import dev.governor.killswitch.propagation.ControlListener.IgnoredRecord;
import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateSigner;
import dev.governor.killswitch.state.Ed25519StateVerifier;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PauseStateMachine;
import dev.governor.killswitch.state.Roles;
import dev.governor.killswitch.state.StateSigner;
import dev.governor.killswitch.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The follower's acceptance rules, fed record by record (its consumer is never started). */
class ControlTopicFollowerRulesTest {

    private static final Instant T0 = Instant.parse("2026-11-25T18:00:00Z");
    private final KeyPair keys = Ed25519Keys.generate();
    private final StateSigner signer = new Ed25519StateSigner(keys.getPrivate());
    private final PauseStateMachine machine = new PauseStateMachine(Duration.ofMinutes(15), signer);
    private final MutableClock clock = new MutableClock(T0);
    private final ControlTopicFollower follower =
            ControlTopicFollower.create("127.0.0.1:1", "rsi.control", new Ed25519StateVerifier(keys.getPublic()), clock);
    private final List<ControlMessage> accepted = new ArrayList<>();
    private final List<IgnoredRecord> ignored = new ArrayList<>();
    private long offset;

    private final PauseState running = machine.initialState(T0);
    private final PauseState paused = machine.pause(running, "alice", Set.of(Roles.SAFETY_OFFICER), "drift", T0).to();

    ControlTopicFollowerRulesTest() {
        follower.addListener(new ControlListener() {
            @Override
            public void onVerified(ControlMessage message, Instant receivedAt) {
                accepted.add(message);
            }

            @Override
            public void onIgnored(IgnoredRecord record) {
                ignored.add(record);
            }
        });
    }

    @AfterEach
    void closeFollower() {
        follower.close();
    }

    private void deliver(String key, ControlMessage message) {
        follower.handle(key, ControlMessageJson.encode(message), 0, offset++);
    }

    private ControlMessage issue(PauseState state, Instant at) {
        return ControlMessage.issue(state, at, signer);
    }

    @Test
    void aHigherEpochReplacesTheHeldOneAndListenersHearOfIt() {
        deliver("global", issue(running, T0));
        deliver("global", issue(paused, T0.plusSeconds(1)));

        assertThat(accepted).extracting(m -> m.state().epoch()).containsExactly(0L, 1L);
        assertThat(follower.latest()).get().extracting(ControlMessage::state).isEqualTo(paused);
        assertThat(ignored).isEmpty();
    }

    @Test
    void anOlderEpochIsIgnoredAsStale() {
        deliver("global", issue(paused, T0.plusSeconds(1)));
        deliver("global", issue(running, T0.plusSeconds(2)));

        assertThat(follower.latest()).get().extracting(m -> m.state().epoch()).isEqualTo(1L);
        assertThat(ignored).singleElement().satisfies(r -> {
            assertThat(r.epoch()).isZero();
            assertThat(r.reason()).isEqualTo("stale: epoch 0 is older than epoch 1 already held");
        });
    }

    @Test
    void aHeartbeatOfTheSameStateWithALaterIssueIsAcceptedButAReplayIsNot() {
        ControlMessage first = issue(paused, T0.plusSeconds(1));
        deliver("global", first);
        deliver("global", issue(paused, T0.plusSeconds(3)));
        deliver("global", first);

        assertThat(accepted).extracting(ControlMessage::issuedAt).containsExactly(T0.plusSeconds(1), T0.plusSeconds(3));
        assertThat(ignored).singleElement().extracting(IgnoredRecord::reason).asString().startsWith("replay: epoch 1");
    }

    @Test
    void aStateSignedByAnotherKeyIsIgnoredEvenWithAHigherEpoch() {
        deliver("global", issue(paused, T0.plusSeconds(1)));
        StateSigner forger = new Ed25519StateSigner(Ed25519Keys.generate().getPrivate());
        PauseState forgedRunning = new PauseStateMachine(Duration.ofMinutes(15), forger)
                .requestResume(paused.signedWith(forger), "mallory", Set.of(Roles.SAFETY_OFFICER), "x", T0).to();
        deliver("global", ControlMessage.issue(forgedRunning, T0.plusSeconds(2), forger));

        assertThat(follower.latest()).get().extracting(ControlMessage::state).isEqualTo(paused);
        assertThat(ignored).singleElement().extracting(IgnoredRecord::reason).asString().contains("signature at epoch 2 does not verify");
    }

    @Test
    void aConflictingStateForTheHeldEpochIsIgnored() {
        deliver("global", issue(paused, T0.plusSeconds(1)));
        PauseState other = machine.pause(running, "bob", Set.of(Roles.SAFETY_OFFICER), "another reason", T0).to();
        deliver("global", issue(other, T0.plusSeconds(2)));

        assertThat(follower.latest()).get().extracting(ControlMessage::state).isEqualTo(paused);
        assertThat(ignored).singleElement().extracting(IgnoredRecord::reason).asString().startsWith("conflict: a different signed state claims epoch 1");
    }

    @Test
    void otherKeysTombstonesAndGarbageAreIgnoredWithTheirReasons() {
        deliver("other", issue(running, T0));
        follower.handle("global", null, 0, offset++);
        follower.handle("global", "{".getBytes(StandardCharsets.UTF_8), 0, offset++);

        assertThat(accepted).isEmpty();
        assertThat(follower.latest()).isEmpty();
        assertThat(ignored).extracting(IgnoredRecord::reason).satisfiesExactly(
                r -> assertThat(r).isEqualTo("key 'other' is not 'global'"),
                r -> assertThat(r).contains("tombstone"),
                r -> assertThat(r).startsWith("malformed: not JSON"));
    }
}
