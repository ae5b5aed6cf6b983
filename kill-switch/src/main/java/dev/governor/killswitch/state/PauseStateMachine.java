package dev.governor.killswitch.state;

import dev.governor.killswitch.state.CommandRefusedException.Refusal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The kill switch's rules, as pure functions from the current state and a command to a
 * {@link Transition} (or a {@link CommandRefusedException}). No clock, no storage: the caller
 * passes the time, persists the new state and publishes it. Every new state is signed here, so
 * no unsigned state can leave the machine.
 *
 * <ul>
 *   <li>pause: one {@code safety-officer}, {@code admin} or automation; at once. While already
 *       halted, a pause is recorded too (epoch + 1) and withdraws any pending resume; it never
 *       turns TRIPPED into PAUSED nor drops the trip's cause.</li>
 *   <li>trip: automation only, from any state; withdraws any pending resume.</li>
 *   <li>resume: only {@code safety-officer}s. The first request is recorded as pending; a request by a
 *       different officer no later than the pending request's expiry resumes. The same officer
 *       again is refused; an expired pending request is replaced by the new one.</li>
 * </ul>
 *
 * Times are truncated to milliseconds so that a state survives a round trip through PostgreSQL
 * ({@code timestamptz} keeps microseconds) with its signature intact.
 */
public final class PauseStateMachine {

    /** The resume window when none is configured. */
    public static final Duration DEFAULT_RESUME_WINDOW = Duration.ofMinutes(15);

    private final Duration resumeWindow;
    private final StateSigner signer;

    public PauseStateMachine(Duration resumeWindow, StateSigner signer) {
        Objects.requireNonNull(resumeWindow, "resumeWindow");
        if (resumeWindow.isZero() || resumeWindow.isNegative()) {
            throw new IllegalArgumentException("the resume window must be positive, got " + resumeWindow);
        }
        this.resumeWindow = resumeWindow;
        this.signer = Objects.requireNonNull(signer, "signer");
    }

    public Duration resumeWindow() {
        return resumeWindow;
    }

    /** The signed initial state of a new installation: RUNNING at epoch 0. */
    public PauseState initialState(Instant now) {
        return PauseState.initial(now).signedWith(signer);
    }

    public Transition pause(PauseState current, String actor, Set<String> roles, String reason, Instant now) {
        requireArguments(current, actor, roles, reason, now);
        if (!roles.contains(Roles.SAFETY_OFFICER) && !roles.contains(Roles.ADMIN) && !roles.contains(Roles.AUTOMATION)) {
            throw new CommandRefusedException(Refusal.NOT_PERMITTED, current,
                    "only a " + Roles.SAFETY_OFFICER + ", an " + Roles.ADMIN + " or Governor's automation may pause; "
                            + actor + " has roles " + sorted(roles));
        }
        Instant at = truncate(now);
        return switch (current.state()) {
            case RUNNING -> transition(TransitionKind.PAUSED, actor, roles, reason, current,
                    new PauseState(KillSwitchState.PAUSED, current.epoch() + 1, reason, actor, null, at, null, null),
                    "paused by " + actor + " at epoch " + (current.epoch() + 1));
            case PAUSED -> transition(TransitionKind.PAUSE_REAFFIRMED, actor, roles, reason, current,
                    new PauseState(KillSwitchState.PAUSED, current.epoch() + 1, reason, actor, null, at, null, null),
                    "already paused; pause recorded again by " + actor + withdrawn(current));
            case TRIPPED -> transition(TransitionKind.PAUSE_REAFFIRMED, actor, roles, reason, current,
                    new PauseState(KillSwitchState.TRIPPED, current.epoch() + 1, current.reason(), current.actor(),
                            current.cause(), at, null, null),
                    "already tripped by " + current.actor() + " (cause " + current.cause() + "); it stays tripped"
                            + withdrawn(current));
        };
    }

    /**
     * Trips the switch for {@code cause} (e.g. the proposal id of a critical breach). Only
     * automation may trip: {@code roles} must contain {@link Roles#AUTOMATION}.
     */
    public Transition trip(PauseState current, String component, Set<String> roles, String cause, String reason, Instant now) {
        requireArguments(current, component, roles, reason, now);
        if (cause == null || cause.isBlank()) {
            throw new CommandRefusedException(Refusal.INVALID, current, "a trip must name its cause, e.g. the proposal id");
        }
        if (!roles.contains(Roles.AUTOMATION)) {
            throw new CommandRefusedException(Refusal.NOT_PERMITTED, current,
                    "only Governor's automation may trip the kill switch; " + component + " has roles " + sorted(roles)
                            + "; people pause it instead");
        }
        PauseState next = new PauseState(KillSwitchState.TRIPPED, current.epoch() + 1, reason, component, cause,
                truncate(now), null, null);
        return transition(TransitionKind.TRIPPED, component, roles, reason, current, next,
                "tripped by " + component + " (cause " + cause + ") at epoch " + next.epoch() + withdrawn(current));
    }

    public Transition requestResume(PauseState current, String actor, Set<String> roles, String reason, Instant now) {
        requireArguments(current, actor, roles, reason, now);
        if (!roles.contains(Roles.SAFETY_OFFICER)) {
            throw new CommandRefusedException(Refusal.NOT_PERMITTED, current,
                    "only a " + Roles.SAFETY_OFFICER + " may resume; " + actor + " has roles " + sorted(roles));
        }
        if (current.isRunning()) {
            throw new CommandRefusedException(Refusal.CONFLICT, current,
                    "the kill switch is already RUNNING (epoch " + current.epoch() + "); there is nothing to resume");
        }
        Instant at = truncate(now);
        PendingResume pending = current.pendingResume();
        if (pending != null && pending.isOpenAt(at)) {
            if (pending.officer().equals(actor)) {
                throw new CommandRefusedException(Refusal.SAME_OFFICER, current,
                        actor + "'s resume request is already pending; a second, different " + Roles.SAFETY_OFFICER
                                + " must also resume by " + pending.expiresAt() + " (window " + resumeWindow + ")");
            }
            PauseState next = new PauseState(KillSwitchState.RUNNING, current.epoch() + 1, reason, actor, null, at, null, null);
            return transition(TransitionKind.RESUMED, actor, roles, reason, current, next,
                    "resumed by " + pending.officer() + " and " + actor + " at epoch " + next.epoch());
        }
        PendingResume request = new PendingResume(actor, reason, at, at.plus(resumeWindow));
        PauseState next = new PauseState(current.state(), current.epoch() + 1, current.reason(), current.actor(),
                current.cause(), at, request, null);
        String replaced = pending == null ? "" : " (" + pending.officer() + "'s request expired at " + pending.expiresAt() + ")";
        return transition(TransitionKind.RESUME_REQUESTED, actor, roles, reason, current, next,
                "a second " + Roles.SAFETY_OFFICER + " must also resume within " + resumeWindow + " (by "
                        + request.expiresAt() + "); " + actor + "'s request is pending" + replaced);
    }

    private Transition transition(TransitionKind kind, String actor, Set<String> roles, String reason,
                                  PauseState from, PauseState unsigned, String message) {
        return new Transition(kind, actor, roles, reason, from, unsigned.signedWith(signer), message);
    }

    private static void requireArguments(PauseState current, String actor, Set<String> roles, String reason, Instant now) {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(roles, "roles");
        Objects.requireNonNull(now, "now");
        if (actor == null || actor.isBlank()) {
            throw new CommandRefusedException(Refusal.INVALID, current, "the actor must be named");
        }
        if (reason == null || reason.isBlank()) {
            throw new CommandRefusedException(Refusal.INVALID, current, "a reason is required: say why, for the audit log");
        }
    }

    private static String withdrawn(PauseState current) {
        PendingResume pending = current.pendingResume();
        return pending == null ? "" : "; " + pending.officer() + "'s pending resume request is withdrawn";
    }

    private static Set<String> sorted(Set<String> roles) {
        return new TreeSet<>(roles);
    }

    private static Instant truncate(Instant now) {
        return now.truncatedTo(ChronoUnit.MILLIS);
    }
}
