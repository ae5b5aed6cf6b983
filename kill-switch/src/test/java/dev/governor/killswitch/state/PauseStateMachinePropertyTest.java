package dev.governor.killswitch.state;

import dev.governor.killswitch.state.CommandRefusedException.Refusal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random command sequences by random actors with random roles at random times, checked step by
 * step against an independent model of the two-person resume rule.
 */
class PauseStateMachinePropertyTest {

    private static final Duration WINDOW = Duration.ofMinutes(15);
    private static final Instant T0 = Instant.parse("2026-11-25T18:00:00Z");
    private static final List<String> ACTORS = List.of("alice", "bob", "carol", "root", "policy-gate");
    private static final List<String> ROLES = List.of(Roles.SAFETY_OFFICER, Roles.ADMIN, Roles.AUTOMATION, "proposer", "regulator");

    private final KeyPair keys = Ed25519Keys.generate();
    private final StateVerifier verifier = new Ed25519StateVerifier(keys.getPublic());
    private final PauseStateMachine machine = new PauseStateMachine(WINDOW, new Ed25519StateSigner(keys.getPrivate()));

    enum Kind { PAUSE, TRIP, RESUME }

    record Step(Kind kind, String actor, Set<String> roles, long advanceSeconds) {
    }

    /** The model's memory of the open resume request: who, when (null when there is none). */
    private record Request(String officer, Instant at) {
    }

    @Property(tries = 250)
    void everyAcceptedCommandFollowsTheRulesAndEveryRefusalChangesNothing(@ForAll("steps") @Size(max = 40) List<Step> steps) {
        PauseState state = machine.initialState(T0);
        Instant now = T0;
        Request open = null;
        long expectedEpoch = 0;

        for (Step step : steps) {
            now = now.plusSeconds(step.advanceSeconds());
            PauseState before = state;
            boolean canPause = step.roles().contains(Roles.SAFETY_OFFICER) || step.roles().contains(Roles.ADMIN)
                    || step.roles().contains(Roles.AUTOMATION);
            try {
                Transition t = apply(state, step, now);
                Statistics.label("accepted").collect(t.kind());
                state = t.to();
                expectedEpoch++;

                assertThat(t.from()).isEqualTo(before);
                assertThat(t.toEpoch()).isEqualTo(before.epoch() + 1).isEqualTo(expectedEpoch);
                assertThat(state.isSignedBy(verifier)).isTrue();

                switch (step.kind()) {
                    case PAUSE -> {
                        assertThat(canPause).isTrue();
                        assertThat(state.state()).isNotEqualTo(KillSwitchState.RUNNING);
                        if (before.state() == KillSwitchState.TRIPPED) {
                            assertThat(state.state()).isEqualTo(KillSwitchState.TRIPPED);
                            assertThat(state.cause()).isEqualTo(before.cause());
                        }
                        assertThat(state.pendingResume()).isNull();
                        open = null;
                    }
                    case TRIP -> {
                        assertThat(step.roles()).contains(Roles.AUTOMATION);
                        assertThat(state.state()).isEqualTo(KillSwitchState.TRIPPED);
                        assertThat(state.pendingResume()).isNull();
                        open = null;
                    }
                    case RESUME -> {
                        assertThat(step.roles()).contains(Roles.SAFETY_OFFICER);
                        assertThat(before.state()).isNotEqualTo(KillSwitchState.RUNNING);
                        boolean secondOfficerInTime = open != null && !open.officer().equals(step.actor())
                                && !now.isAfter(open.at().plus(WINDOW));
                        if (secondOfficerInTime) {
                            assertThat(t.kind()).isEqualTo(TransitionKind.RESUMED);
                            assertThat(state.state()).isEqualTo(KillSwitchState.RUNNING);
                            assertThat(t.resumingOfficers()).containsExactly(open.officer(), step.actor());
                            open = null;
                        } else {
                            assertThat(t.kind()).isEqualTo(TransitionKind.RESUME_REQUESTED);
                            assertThat(state.state()).isEqualTo(before.state());
                            assertThat(state.cause()).isEqualTo(before.cause());
                            open = new Request(step.actor(), now);
                        }
                    }
                }
                if (state.isRunning() && !before.isRunning()) {
                    assertThat(t.kind()).isEqualTo(TransitionKind.RESUMED);
                    assertThat(before.pendingResume().officer()).isNotEqualTo(step.actor());
                }
            } catch (CommandRefusedException refused) {
                Statistics.label("refused").collect(refused.refusal());
                assertThat(refused.current()).isEqualTo(before);
                assertThat(state).isEqualTo(before);
                switch (step.kind()) {
                    case PAUSE -> assertThat(canPause).isFalse();
                    case TRIP -> assertThat(step.roles()).doesNotContain(Roles.AUTOMATION);
                    case RESUME -> {
                        if (!step.roles().contains(Roles.SAFETY_OFFICER)) {
                            assertThat(refused.refusal()).isEqualTo(Refusal.NOT_PERMITTED);
                        } else if (before.isRunning()) {
                            assertThat(refused.refusal()).isEqualTo(Refusal.CONFLICT);
                        } else {
                            assertThat(refused.refusal()).isEqualTo(Refusal.SAME_OFFICER);
                            assertThat(open).isNotNull();
                            assertThat(open.officer()).isEqualTo(step.actor());
                            assertThat(now).isBeforeOrEqualTo(open.at().plus(WINDOW));
                        }
                    }
                }
            }
        }
        // The sequences must actually reach the interesting transitions, or the checks above prove little.
        Statistics.label("accepted").coverage(coverage -> {
            coverage.check(TransitionKind.RESUMED).percentage(p -> p > 2);
            coverage.check(TransitionKind.RESUME_REQUESTED).percentage(p -> p > 5);
            coverage.check(TransitionKind.PAUSE_REAFFIRMED).percentage(p -> p > 2);
        });
        Statistics.label("refused").coverage(coverage -> coverage.check(Refusal.SAME_OFFICER).count(c -> c > 0));
    }

    @Property(tries = 200)
    void aSingleOfficerNeverBringsAHaltedSwitchBackToRunning(@ForAll("steps") @Size(max = 40) List<Step> steps) {
        PauseState state = machine.pause(machine.initialState(T0), "root", Set.of(Roles.ADMIN), "halt", T0).to();
        Instant now = T0;
        for (Step step : steps) {
            now = now.plusSeconds(step.advanceSeconds());
            // Every resume comes from alice, whatever roles she holds; everyone else may only pause or trip.
            Step single = step.kind() == Kind.RESUME ? new Step(Kind.RESUME, "alice", step.roles(), step.advanceSeconds()) : step;
            try {
                state = apply(state, single, now).to();
            } catch (CommandRefusedException refused) {
                assertThat(refused.current()).isEqualTo(state);
            }
            assertThat(state.state()).isNotEqualTo(KillSwitchState.RUNNING);
        }
    }

    @Property(tries = 200)
    void noOneWithoutTheSafetyOfficerRoleEverTakesPartInAResume(@ForAll("steps") @Size(max = 40) List<Step> steps) {
        PauseState state = machine.pause(machine.initialState(T0), "root", Set.of(Roles.ADMIN), "halt", T0).to();
        Instant now = T0;
        for (Step step : steps) {
            now = now.plusSeconds(step.advanceSeconds());
            Set<String> withoutOfficer = new java.util.HashSet<>(step.roles());
            withoutOfficer.remove(Roles.SAFETY_OFFICER);
            Step stripped = new Step(step.kind(), step.actor(), withoutOfficer, step.advanceSeconds());
            try {
                Transition t = apply(state, stripped, now);
                assertThat(step.kind()).isNotEqualTo(Kind.RESUME);
                state = t.to();
            } catch (CommandRefusedException refused) {
                assertThat(refused.current()).isEqualTo(state);
            }
            assertThat(state.state()).isNotEqualTo(KillSwitchState.RUNNING);
            assertThat(state.pendingResume()).isNull();
        }
    }

    private Transition apply(PauseState state, Step step, Instant now) {
        return switch (step.kind()) {
            case PAUSE -> machine.pause(state, step.actor(), step.roles(), "pause by " + step.actor(), now);
            case TRIP -> machine.trip(state, step.actor(), step.roles(), "proposal-" + step.advanceSeconds(), "breach", now);
            case RESUME -> machine.requestResume(state, step.actor(), step.roles(), "resume by " + step.actor(), now);
        };
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(Kind.PAUSE)),
                Tuple.of(1, Arbitraries.just(Kind.TRIP)),
                Tuple.of(5, Arbitraries.just(Kind.RESUME)));
        Arbitrary<String> actors = Arbitraries.of(ACTORS);
        Arbitrary<Set<String>> roles = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Set.of(Roles.SAFETY_OFFICER))),
                Tuple.of(1, Arbitraries.just(Set.of(Roles.ADMIN))),
                Tuple.of(1, Arbitraries.just(Set.of(Roles.AUTOMATION))),
                Tuple.of(2, Arbitraries.of(ROLES).set().ofMaxSize(3)));
        long window = WINDOW.toSeconds();
        Arbitrary<Long> advance = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(0, 60)),
                Tuple.of(2, Arbitraries.longs().between(window - 2, window + 2)),
                Tuple.of(1, Arbitraries.longs().between(0, 2 * window)));
        return Combinators.combine(kinds, actors, roles, advance).as(Step::new).list();
    }
}
