package dev.governor.controlplane.killswitch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.audit.AuditWriteFailed;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.kafka.KafkaClients;
import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.config.Daemons;
import dev.governor.killswitch.propagation.ControlTopicPublisher;
import dev.governor.killswitch.propagation.StaleStateException;
import dev.governor.killswitch.state.CommandRefusedException;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PauseStateMachine;
import dev.governor.killswitch.state.Roles;
import dev.governor.killswitch.state.StateSigner;
import dev.governor.killswitch.state.Transition;
import dev.governor.killswitch.state.TransitionKind;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The global kill switch of architecture §5, on the rules of {@link PauseStateMachine}.
 * PostgreSQL holds the one true state: every command locks the row, applies the machine, writes
 * the new signed state, its history row and its audit entry in one transaction. After the commit
 * the state is published on {@code rsi.control} (the request waits for the broker), sent to the
 * server-sent-event subscribers, and re-issued every {@code heartbeat-interval} from the row, so
 * that the loops' guards keep their lease only while Governor is alive and reachable.
 */
@Startup
@ApplicationScoped
public class KillSwitchService {

    private static final Logger LOG = Logger.getLogger(KillSwitchService.class);
    /** The component name automation trips are recorded under. */
    public static final String POLICY_GATE = "policy-gate";
    /** The component (and cause) of a trip because the audit log refused a write. */
    public static final String AUDIT_LOG = "audit-log";

    private final AgroalDataSource dataSource;
    private final AuditTrail audit;
    private final Event<Tripped> tripped;
    private final ObjectMapper mapper;
    private final PauseStateMachine machine;
    private final KillSwitchKeys keys;
    private final ControlTopicPublisher publisher;
    /** Re-issues the stored state on rsi.control: the guards' lease runs out without it. */
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(Daemons.named("governor-killswitch-heartbeat"));
    private final BroadcastProcessor<PauseState> events = BroadcastProcessor.create();
    private final AtomicReference<PauseState> lastRead = new AtomicReference<>();
    private final AtomicReference<Instant> lastPublished = new AtomicReference<>();
    private final AtomicReference<String> localHalt = new AtomicReference<>();
    private final List<Consumer<Transition>> afterCommit = new CopyOnWriteArrayList<>();
    /** Publishes states whose transaction another component committed (an automation trip inside intake). */
    private final ExecutorService publishing = Executors.newSingleThreadExecutor(Daemons.named("governor-killswitch-publish"));

    public KillSwitchService(GovernorConfig config, AgroalDataSource dataSource, AuditTrail audit,
                             Event<Tripped> tripped, ObjectMapper mapper, KillSwitchKeys keys,
                             KafkaClients kafka, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.tripped = tripped;
        this.mapper = mapper;
        this.keys = keys;
        StateSigner signer = new AlertingSigner(keys.signer(), this::signingKeyLost);
        this.machine = new PauseStateMachine(config.killswitch().resumeWindow(), signer);
        PauseState stored = QuarkusTransaction.requiringNew().call(this::initialise);
        lastRead.set(stored);
        if (!stored.isSignedBy(keys.verifier())) {
            // Tampered with, or the key was replaced: refuse to vouch for it. Promotions check isRunning(), which fails closed.
            LOG.errorf("ALERT the stored kill-switch state (epoch %d) does not verify with the configured key; "
                    + "promotions are refused until an officer pauses and two officers resume", stored.epoch());
        }
        LOG.infof("Kill switch is %s at epoch %d (%s, by %s)", stored.state(), stored.epoch(), stored.reason(), stored.actor());
        this.publisher = ControlTopicPublisher.create(kafka.bootstrapServers(), kafka.connection(), config.topics().control(), signer,
                Clock.systemUTC());
        long interval = config.killswitch().heartbeatInterval().toMillis();
        Gauge.builder("governor.killswitch.state", lastRead, r -> r.get().state().ordinal())
                .description("Kill switch: 0 RUNNING, 1 PAUSED, 2 TRIPPED").register(registry);
        Gauge.builder("governor.killswitch.epoch", lastRead, r -> r.get().epoch()).register(registry);
        Gauge.builder("governor.killswitch.resume.pending", lastRead, r -> r.get().pendingResume() == null ? 0 : 1)
                .description("1 while a first officer's resume request waits for a second").register(registry);
        Gauge.builder("governor.killswitch.local.halt", localHalt, h -> h.get() == null ? 0 : 1)
                .description("1 while this instance halts on its own (the audit log refused a write)").register(registry);
        Gauge.builder("governor.killswitch.verified", lastRead, r -> verifies(r.get()) ? 1 : 0)
                .description("0 while the stored state does not verify with the kill-switch key (treated as halted)")
                .register(registry);
        Gauge.builder("governor.killswitch.published.age.seconds", lastPublished,
                        p -> p.get() == null ? Double.NaN : (System.currentTimeMillis() - p.get().toEpochMilli()) / 1000.0)
                .description("Seconds since the state was last acknowledged on rsi.control").register(registry);
        heartbeat.scheduleWithFixedDelay(this::beat, 0, interval, TimeUnit.MILLISECONDS);
    }

    private PauseState initialise() {
        try (Connection c = dataSource.getConnection()) {
            PauseState initial = machine.initialState(Instant.now());
            if (KillSwitchStore.insertInitial(c, initial)) {
                audit.record(AuditEventType.KILLSWITCH_INITIALISED, Actor.SYSTEM, null, null, mapper.createObjectNode().put("state", initial.state().name()).put("epoch", initial.epoch())
                        .put("signature", initial.signature()));
                LOG.info("Kill switch initialised: RUNNING at epoch 0");
            }
            return KillSwitchStore.read(c, KillSwitchStore.Lock.NONE).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the kill switch: " + e.getMessage(), e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        heartbeat.shutdownNow();
        publisher.close();
    }

    @PreDestroy
    void shutdown() {
        publishing.shutdown();
    }

    /** The state as committed now, read from PostgreSQL (never a cached copy). */
    public PauseState current() {
        try (Connection c = dataSource.getConnection()) {
            PauseState s = KillSwitchStore.read(c, KillSwitchStore.Lock.NONE).orElseThrow();
            lastRead.set(s);
            return s;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the kill switch: " + e.getMessage(), e);
        }
    }

    /**
     * For a promotion, inside its transaction: the state, with a shared lock on the row held until
     * that transaction ends. A pause takes the exclusive lock, so a promotion either commits before
     * the pause does or sees it; none commits after a pause. The caller decides with {@link #runs(PauseState)},
     * so a state that does not verify counts as halted.
     */
    public PauseState lockForPromotion() {
        try (Connection c = dataSource.getConnection()) {
            return KillSwitchStore.read(c, KillSwitchStore.Lock.SHARE).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the kill switch: " + e.getMessage(), e);
        }
    }

    public Transition pause(Actor actor, Set<String> roles, String reason) {
        return command(actor, roles, reason, (current, now) -> machine.pause(current, actor.toString(), roles, reason, now));
    }

    public Transition resume(Actor actor, Set<String> roles, String reason) {
        return command(actor, roles, reason, (current, now) -> machine.requestResume(current, ResumeOfficer.name(current, actor), roles, reason, now));
    }

    /**
     * Automation trips, inside the caller's transaction (the intake batch that found the critical
     * breach): the trip commits with the decision or not at all; it is published after the commit.
     */
    public Transition trip(String component, String cause, String reason) {
        Transition t = apply(Actor.SYSTEM, cause, (current, now) ->
                machine.trip(current, component, Set.of(Roles.AUTOMATION), cause, reason, now));
        tripped.fire(new Tripped(t));
        return t;
    }

    /** A trip made inside a caller's transaction; published once that transaction commits. */
    record Tripped(Transition transition) {
    }

    void publishCommittedTrip(@Observes(during = TransactionPhase.AFTER_SUCCESS) Tripped trip) {
        publishing.execute(() -> committed(trip.transition()));
    }

    /** Called after every committed transition, on the thread that committed it (e.g. to promote blocked proposals on resume). */
    public void onCommitted(Consumer<Transition> listener) {
        afterCommit.add(listener);
    }

    /** States as they change, then every heartbeat; a new subscriber first gets the current state. */
    public BroadcastProcessor<PauseState> events() {
        return events;
    }

    public String verifierKey() {
        return keys.verifierKey();
    }

    public Instant lastPublished() {
        return lastPublished.get();
    }

    public boolean verifies(PauseState s) {
        return s.isSignedBy(keys.verifier());
    }

    /**
     * Whether the loop may run on this state: RUNNING, signed by this deployment's key, and no local
     * halt in force (fail closed otherwise).
     */
    public boolean runs(PauseState s) {
        return localHalt.get() == null && s.isRunning() && verifies(s);
    }

    /** Why this instance halts on its own while the stored state cannot yet say so, or null. */
    public String localHalt() {
        return localHalt.get();
    }

    /**
     * The audit log refused a write. Nothing can be recorded, so this instance halts at once
     * (intake holds, promotions block), and keeps trying to trip the switch; the trip needs its own
     * audit entry, so it commits as soon as the log takes writes again, and then the stored
     * TRIPPED state, resumed only by two officers, takes over from the local halt.
     */
    void auditWriteFailed(@Observes AuditWriteFailed failure) {
        String reason = "the audit log could not be written: " + failure.error();
        if (localHalt.compareAndSet(null, reason)) {
            LOG.errorf("ALERT %s; this instance halts and trips the kill switch as soon as the trip can be audited", reason);
            publishing.execute(() -> tripForAudit(reason));
        }
    }

    /**
     * The key could not sign: no state change (not even a trip) can be signed any more, so this
     * instance halts on its own until it is restarted with a working key, and alerts. Guards fail
     * closed by themselves once no signed heartbeat renews their lease.
     */
    private void signingKeyLost(String reason) {
        if (localHalt.compareAndSet(null, reason)) {
            LOG.errorf("ALERT %s; this instance halts (intake holds, promotions block) until it runs with a working key", reason);
        }
    }

    private void tripForAudit(String reason) {
        while (!publishing.isShutdown()) {
            try {
                Transition t = QuarkusTransaction.requiringNew().call(() -> apply(Actor.SYSTEM, null, (current, now) ->
                        machine.trip(current, AUDIT_LOG, Set.of(Roles.AUTOMATION), AUDIT_LOG, reason, now)));
                localHalt.set(null);
                committed(t);
                return;
            } catch (RuntimeException e) {
                LOG.warnf("The audit-failure trip could not commit yet (%s); retrying in 5 s", e.getMessage());
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @FunctionalInterface
    private interface Command {
        Transition apply(PauseState current, Instant now);
    }

    private Transition command(Actor actor, Set<String> roles, String reason, Command command) {
        Transition t;
        try {
            t = QuarkusTransaction.requiringNew().call(() -> apply(actor, null, command));
        } catch (CommandRefusedException refused) {
            QuarkusTransaction.requiringNew().run(() -> audit.record(AuditEventType.KILLSWITCH_REFUSED, actor, null, null,
                    mapper.createObjectNode().put("refusal", refused.refusal().name()).put("message", refused.getMessage())
                            .put("reason", reason).put("roles", String.join(",", roles.stream().sorted().toList()))
                            .put("state", refused.current() == null ? null : refused.current().state().name())
                            .put("epoch", refused.current() == null ? -1 : refused.current().epoch())));
            throw refused;
        }
        committed(t);
        return t;
    }

    private Transition apply(Actor actor, String proposalId, Command command) {
        try (Connection c = dataSource.getConnection()) {
            PauseState current = KillSwitchStore.read(c, KillSwitchStore.Lock.UPDATE).orElseThrow();
            Transition t = command.apply(current, Instant.now());
            KillSwitchStore.write(c, t);
            audit.record(auditType(t.kind()), actor, proposalId, null, details(t));
            return t;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not change the kill switch: " + e.getMessage(), e);
        }
    }

    /** After the commit: publish (waiting for the broker's acknowledgement), notify subscribers and listeners. */
    private void committed(Transition t) {
        lastRead.set(t.to());
        switch (t.kind()) {
            case PAUSED, TRIPPED -> LOG.warnf("KILL SWITCH %s at epoch %d by %s: %s%s", t.to().state(), t.toEpoch(), t.actor(),
                    t.reason(), t.to().cause() == null ? "" : " (cause " + t.to().cause() + ")");
            default -> LOG.infof("Kill switch %s at epoch %d by %s: %s", t.kind(), t.toEpoch(), t.actor(), t.message());
        }
        try {
            publisher.publish(t.to());
            lastPublished.set(Instant.now());
        } catch (StaleStateException raced) {
            LOG.debug(raced.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf("Kill switch epoch %d is committed but not yet on rsi.control (%s); the heartbeat will carry it",
                    t.toEpoch(), e.getMessage());
        }
        events.onNext(t.to());
        for (Consumer<Transition> listener : afterCommit) {
            try {
                listener.accept(t);
            } catch (RuntimeException e) {
                LOG.errorf(e, "A kill-switch listener failed after epoch %d", t.toEpoch());
            }
        }
    }

    /** One heartbeat: the row as committed now (never a cached copy), to subscribers and to rsi.control. */
    private void beat() {
        try {
            PauseState s = current();
            events.onNext(s);
            publisher.publish(s);
            lastPublished.set(Instant.now());
        } catch (StaleStateException raced) {
            LOG.debug(raced.getMessage()); // the state changed after the read; the change itself was published
        } catch (RuntimeException e) {
            // Keep the schedule: a thrown exception would cancel every later heartbeat. Guards fail closed meanwhile.
            LOG.warnf("Kill-switch heartbeat failed: %s", e.getMessage());
        }
    }

    private ObjectNode details(Transition t) {
        PauseState to = t.to();
        ObjectNode d = mapper.createObjectNode()
                .put("kind", t.kind().name())
                .put("reason", t.reason())
                .put("roles", String.join(",", t.roles().stream().sorted().toList()))
                .put("fromState", t.from().state().name())
                .put("fromEpoch", t.fromEpoch())
                .put("state", to.state().name())
                .put("epoch", to.epoch())
                .put("cause", to.cause())
                .put("pendingOfficer", to.pendingResume() == null ? null : to.pendingResume().officer())
                .put("signature", to.signature());
        if (t.kind() == TransitionKind.RESUMED) {
            t.resumingOfficers().forEach(d.putArray("resumingOfficers")::add);
        }
        return d;
    }

    private static AuditEventType auditType(TransitionKind kind) {
        return switch (kind) {
            case PAUSED -> AuditEventType.KILLSWITCH_PAUSED;
            case PAUSE_REAFFIRMED -> AuditEventType.KILLSWITCH_PAUSE_REAFFIRMED;
            case TRIPPED -> AuditEventType.KILLSWITCH_TRIPPED;
            case RESUME_REQUESTED -> AuditEventType.KILLSWITCH_RESUME_REQUESTED;
            case RESUMED -> AuditEventType.KILLSWITCH_RESUMED;
        };
    }

}
