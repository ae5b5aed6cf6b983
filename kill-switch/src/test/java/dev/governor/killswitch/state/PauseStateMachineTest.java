package dev.governor.killswitch.state;

import dev.governor.killswitch.state.CommandRefusedException.Refusal;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PauseStateMachineTest {

    private static final Set<String> OFFICER = Set.of(Roles.SAFETY_OFFICER);
    private static final Set<String> ADMIN = Set.of(Roles.ADMIN);
    private static final Set<String> AUTOMATION = Set.of(Roles.AUTOMATION);
    private static final Duration WINDOW = Duration.ofMinutes(15);
    private static final Instant T0 = Instant.parse("2026-11-25T18:00:00Z");

    private final KeyPair keys = Ed25519Keys.generate();
    private final StateVerifier verifier = new Ed25519StateVerifier(keys.getPublic());
    private final PauseStateMachine machine = new PauseStateMachine(WINDOW, new Ed25519StateSigner(keys.getPrivate()));
    private final PauseState running = machine.initialState(T0);

    @Test
    void initialStateIsRunningAtEpochZeroAndSigned() {
        assertThat(running.state()).isEqualTo(KillSwitchState.RUNNING);
        assertThat(running.epoch()).isZero();
        assertThat(running.isSignedBy(verifier)).isTrue();
    }

    @Test
    void oneSafetyOfficerPausesAtOnceWithTheNextEpoch() {
        Transition t = machine.pause(running, "alice", OFFICER, "evaluator drift", T0.plusSeconds(1));

        assertThat(t.kind()).isEqualTo(TransitionKind.PAUSED);
        assertThat(t.to().state()).isEqualTo(KillSwitchState.PAUSED);
        assertThat(t.fromEpoch()).isZero();
        assertThat(t.toEpoch()).isEqualTo(1);
        assertThat(t.to().actor()).isEqualTo("alice");
        assertThat(t.to().reason()).isEqualTo("evaluator drift");
        assertThat(t.to().changedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(t.to().isSignedBy(verifier)).isTrue();
    }

    @Test
    void anAdminAndAutomationMayPauseButAProposerOrRegulatorMayNot() {
        assertThat(machine.pause(running, "root", ADMIN, "maintenance", T0).to().state()).isEqualTo(KillSwitchState.PAUSED);
        assertThat(machine.pause(running, "audit-writer", AUTOMATION, "audit log down", T0).to().state()).isEqualTo(KillSwitchState.PAUSED);
        for (String role : new String[] {"proposer", "regulator"}) {
            assertThatThrownBy(() -> machine.pause(running, "eve", Set.of(role), "x", T0))
                    .isInstanceOfSatisfying(CommandRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PERMITTED))
                    .hasMessageContaining("only a safety-officer, an admin or Governor's automation may pause");
        }
    }

    @Test
    void aSingleOfficerCannotResumeAndIsToldASecondOfficerIsNeeded() {
        PauseState paused = machine.pause(running, "alice", OFFICER, "drift", T0).to();

        Transition first = machine.requestResume(paused, "alice", OFFICER, "fixed", T0.plusSeconds(60));

        assertThat(first.kind()).isEqualTo(TransitionKind.RESUME_REQUESTED);
        assertThat(first.to().state()).isEqualTo(KillSwitchState.PAUSED);
        assertThat(first.toEpoch()).isEqualTo(paused.epoch() + 1);
        assertThat(first.to().pendingResume().officer()).isEqualTo("alice");
        assertThat(first.to().pendingResume().expiresAt()).isEqualTo(T0.plusSeconds(60).plus(WINDOW));
        assertThat(first.message()).isEqualTo("a second safety-officer must also resume within PT15M (by 2026-11-25T18:16:00Z); alice's request is pending");

        assertThatThrownBy(() -> machine.requestResume(first.to(), "alice", OFFICER, "really fixed", T0.plusSeconds(120)))
                .isInstanceOfSatisfying(CommandRefusedException.class, e -> {
                    assertThat(e.refusal()).isEqualTo(Refusal.SAME_OFFICER);
                    assertThat(e.current()).isEqualTo(first.to());
                })
                .hasMessage("alice's resume request is already pending; a second, different safety-officer must also resume by 2026-11-25T18:16:00Z (window PT15M)");
    }

    @Test
    void aSecondDifferentOfficerWithinTheWindowResumes() {
        PauseState paused = machine.pause(running, "alice", OFFICER, "drift", T0).to();
        PauseState pending = machine.requestResume(paused, "alice", OFFICER, "fixed", T0.plusSeconds(60)).to();

        Transition resumed = machine.requestResume(pending, "bob", OFFICER, "agreed", T0.plusSeconds(60).plus(WINDOW));

        assertThat(resumed.kind()).isEqualTo(TransitionKind.RESUMED);
        assertThat(resumed.to().state()).isEqualTo(KillSwitchState.RUNNING);
        assertThat(resumed.to().pendingResume()).isNull();
        assertThat(resumed.toEpoch()).isEqualTo(pending.epoch() + 1);
        assertThat(resumed.resumingOfficers()).containsExactly("alice", "bob");
        assertThat(resumed.to().isSignedBy(verifier)).isTrue();
    }

    @Test
    void aSecondOfficerAfterTheWindowOnlyReplacesTheExpiredRequest() {
        PauseState paused = machine.pause(running, "alice", OFFICER, "drift", T0).to();
        PauseState pending = machine.requestResume(paused, "alice", OFFICER, "fixed", T0).to();

        Transition late = machine.requestResume(pending, "bob", OFFICER, "agreed", T0.plus(WINDOW).plusMillis(1));

        assertThat(late.kind()).isEqualTo(TransitionKind.RESUME_REQUESTED);
        assertThat(late.to().state()).isEqualTo(KillSwitchState.PAUSED);
        assertThat(late.to().pendingResume().officer()).isEqualTo("bob");
        assertThat(late.message()).contains("alice's request expired at 2026-11-25T18:15:00Z");
    }

    @Test
    void theSameOfficerMayRenewTheirOwnRequestOnceItHasExpired() {
        PauseState paused = machine.pause(running, "alice", OFFICER, "drift", T0).to();
        PauseState pending = machine.requestResume(paused, "alice", OFFICER, "fixed", T0).to();

        Transition renewed = machine.requestResume(pending, "alice", OFFICER, "still fixed", T0.plus(WINDOW).plusSeconds(1));

        assertThat(renewed.kind()).isEqualTo(TransitionKind.RESUME_REQUESTED);
        assertThat(renewed.to().pendingResume().requestedAt()).isEqualTo(T0.plus(WINDOW).plusSeconds(1));
    }

    @Test
    void onlySafetyOfficersMayResumeNotAdminsNorAutomation() {
        PauseState paused = machine.pause(running, "alice", OFFICER, "drift", T0).to();
        for (Set<String> roles : java.util.List.of(ADMIN, AUTOMATION, Set.of("proposer"), Set.of("regulator", Roles.ADMIN))) {
            assertThatThrownBy(() -> machine.requestResume(paused, "root", roles, "go", T0))
                    .isInstanceOfSatisfying(CommandRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PERMITTED))
                    .hasMessageStartingWith("only a safety-officer may resume; root has roles");
        }
    }

    @Test
    void resumingWhileRunningIsAConflict() {
        assertThatThrownBy(() -> machine.requestResume(running, "alice", OFFICER, "go", T0))
                .isInstanceOfSatisfying(CommandRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.CONFLICT))
                .hasMessage("the kill switch is already RUNNING (epoch 0); there is nothing to resume");
    }

    @Test
    void onlyAutomationTripsAndTheCauseIsRecorded() {
        Transition trip = machine.trip(running, "policy-gate", AUTOMATION, "proposal-42", "critical ai_rnd breach", T0);

        assertThat(trip.kind()).isEqualTo(TransitionKind.TRIPPED);
        assertThat(trip.to().state()).isEqualTo(KillSwitchState.TRIPPED);
        assertThat(trip.to().cause()).isEqualTo("proposal-42");
        assertThat(trip.to().actor()).isEqualTo("policy-gate");
        assertThatThrownBy(() -> machine.trip(running, "alice", Set.of(Roles.SAFETY_OFFICER, Roles.ADMIN), "x", "y", T0))
                .isInstanceOfSatisfying(CommandRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PERMITTED));
        assertThatThrownBy(() -> machine.trip(running, "policy-gate", AUTOMATION, " ", "y", T0))
                .isInstanceOfSatisfying(CommandRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID));
    }

    @Test
    void aPauseWhileTrippedKeepsTheTripAndItsCauseButWithdrawsAPendingResume() {
        PauseState tripped = machine.trip(running, "policy-gate", AUTOMATION, "proposal-42", "critical breach", T0).to();
        PauseState pending = machine.requestResume(tripped, "alice", OFFICER, "false alarm", T0.plusSeconds(5)).to();

        Transition pause = machine.pause(pending, "carol", OFFICER, "not so fast", T0.plusSeconds(10));

        assertThat(pause.kind()).isEqualTo(TransitionKind.PAUSE_REAFFIRMED);
        assertThat(pause.to().state()).isEqualTo(KillSwitchState.TRIPPED);
        assertThat(pause.to().cause()).isEqualTo("proposal-42");
        assertThat(pause.to().reason()).isEqualTo("critical breach");
        assertThat(pause.to().actor()).isEqualTo("policy-gate");
        assertThat(pause.to().pendingResume()).isNull();
        assertThat(pause.toEpoch()).isEqualTo(pending.epoch() + 1);
        assertThat(pause.message()).contains("alice's pending resume request is withdrawn");

        Transition bob = machine.requestResume(pause.to(), "bob", OFFICER, "agreed", T0.plusSeconds(20));
        assertThat(bob.kind()).isEqualTo(TransitionKind.RESUME_REQUESTED);
        assertThat(bob.to().state()).isEqualTo(KillSwitchState.TRIPPED);
    }

    @Test
    void aPauseWhilePausedIsRecordedWithTheNewPauser() {
        PauseState paused = machine.pause(running, "alice", OFFICER, "drift", T0).to();

        Transition again = machine.pause(paused, "root", ADMIN, "also drift", T0.plusSeconds(1));

        assertThat(again.kind()).isEqualTo(TransitionKind.PAUSE_REAFFIRMED);
        assertThat(again.to().state()).isEqualTo(KillSwitchState.PAUSED);
        assertThat(again.to().actor()).isEqualTo("root");
        assertThat(again.toEpoch()).isEqualTo(2);
    }

    @Test
    void aTripWhilePausedEscalatesAndATrippedStateNeedsTheSameTwoPersonResume() {
        PauseState paused = machine.pause(running, "alice", OFFICER, "drift", T0).to();
        PauseState tripped = machine.trip(paused, "audit-writer", AUTOMATION, "audit-append-failed", "audit log unreachable", T0.plusSeconds(1)).to();
        assertThat(tripped.state()).isEqualTo(KillSwitchState.TRIPPED);

        PauseState pending = machine.requestResume(tripped, "alice", OFFICER, "db back", T0.plusSeconds(2)).to();
        assertThat(pending.state()).isEqualTo(KillSwitchState.TRIPPED);
        assertThat(pending.cause()).isEqualTo("audit-append-failed");

        Transition resumed = machine.requestResume(pending, "bob", OFFICER, "checked", T0.plusSeconds(3));
        assertThat(resumed.to().state()).isEqualTo(KillSwitchState.RUNNING);
        assertThat(resumed.to().cause()).isNull();
    }

    @Test
    void aBlankReasonOrActorIsRefused() {
        assertThatThrownBy(() -> machine.pause(running, "alice", OFFICER, "  ", T0))
                .isInstanceOfSatisfying(CommandRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID))
                .hasMessageContaining("a reason is required");
        assertThatThrownBy(() -> machine.pause(running, "", OFFICER, "drift", T0))
                .isInstanceOfSatisfying(CommandRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID));
    }

    @Test
    void timesAreKeptToTheMillisecondSoThatSignaturesSurviveAStoreThatKeepsMicroseconds() {
        Transition t = machine.pause(running, "alice", OFFICER, "drift", Instant.parse("2026-11-25T18:00:00.123456789Z"));

        assertThat(t.to().changedAt()).isEqualTo(Instant.parse("2026-11-25T18:00:00.123Z"));
    }
}
