package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.problem.ProblemException;
import dev.governor.controlplane.security.Actor;
import dev.governor.policies.PolicyEngineException;
import dev.governor.policies.PolicyFloor;
import dev.governor.policies.WasmPolicyEngine;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which policy bundle is in force, for every instance (ADR 0007).
 *
 * <p>A release ships one bundle; when Governor starts with a release whose bundle differs from
 * the one last deployed, that bundle goes into force ({@code policy.activated}, how: deployment).
 * An admin may upload another bundle and put it into force while Governor runs; both steps are
 * audited, and both are refused for a bundle that does not hold the {@link PolicyFloor} shipped
 * with this release. The choice is one database row: every instance checks it every two seconds
 * and loads the revision it names from the database, so all of them evaluate with the same
 * bundle, and each decision names the revision that made it.
 */
@ApplicationScoped
public class PolicyActivation {

    private static final Logger LOG = Logger.getLogger(PolicyActivation.class);

    private final ActivePolicyEngine engine;
    private final AuditTrail audit;
    private final AgroalDataSource dataSource;
    private final Event<Activated> activated;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final PolicyFloor floor = PolicyFloor.fromClasspath();
    /** A revision in force that this instance could not load, and when it last tried (nanoTime). */
    private record Failed(String revision, long at) {
    }

    private final AtomicReference<Failed> unloadable = new AtomicReference<>();
    private String shipped;

    public PolicyActivation(ActivePolicyEngine engine, AuditTrail audit, AgroalDataSource dataSource,
                            Event<Activated> activated, ObjectMapper mapper, MeterRegistry registry) {
        this.engine = engine;
        this.audit = audit;
        this.dataSource = dataSource;
        this.activated = activated;
        this.mapper = mapper;
        this.registry = registry;
    }

    /** A revision put into force by a transaction; the engine serves it once that transaction commits. */
    record Activated(WasmPolicyEngine candidate) {
    }

    void serveCommittedActivation(@Observes(during = TransactionPhase.AFTER_SUCCESS) Activated activation) {
        engine.replace(activation.candidate(), activation.candidate().data());
    }

    /** Before intake and the review sweeps start (default priority), so that none decides with a revision not in force. */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        shipped = engine.revision();
        if (!engine.replaceable()) {
            recordServerRevision();
            return;
        }
        JsonNode shippedData = engine.data();
        String inForce = QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                BundleStore.insertBundle(c, shipped, "deployment", wasmOnClasspath(), shippedData, null, Actor.SYSTEM);
                Optional<BundleStore.Active> row = BundleStore.readActive(c, true);
                if (row.isEmpty() || !row.get().deployedRevision().equals(shipped)) {
                    // First start, or a new release: its own bundle goes into force.
                    String previous = row.map(BundleStore.Active::revision).orElseGet(() -> BundleStore.lastActivationAudited(c));
                    BundleStore.writeActive(c, row.isPresent(), shipped, "deployment", shipped, Actor.SYSTEM,
                            "deployment: the revision this release ships");
                    recordDeployment(previous, "deployment: the revision Governor started with");
                    return shipped;
                }
                return row.get().revision();
            }
        });
        if (!inForce.equals(shipped)) {
            load(inForce);
        }
    }

    /** Follows the row, so that a bundle put into force on another instance is used here too within seconds. */
    @Scheduled(every = "2s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void follow() {
        try {
            inForce();
        } catch (RuntimeException e) {
            LOG.errorf("Cannot check which policy revision is in force (%s); checked again before each decision", e.toString());
        }
    }

    /** What {@code GET /api/v1/policies/bundles} lists. */
    public List<BundleStore.Bundle> bundles() {
        try (Connection c = dataSource.getConnection()) {
            return BundleStore.list(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list policy bundles: " + e.getMessage(), e);
        }
    }

    public Optional<BundleStore.Active> active() {
        try (Connection c = dataSource.getConnection()) {
            return BundleStore.readActive(c, false);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the active policy: " + e.getMessage(), e);
        }
    }

    /**
     * Stores an uploaded bundle after it loaded and held the floor; returns it and whether it was
     * new. A bundle that fails is refused (and the refusal audited) with the reasons.
     */
    public Map.Entry<BundleStore.Bundle, Boolean> upload(byte[] archive, Actor actor) {
        requireReplaceable();
        String sha256 = CanonicalJson.sha256Hex(archive);
        WasmPolicyEngine candidate;
        try {
            candidate = WasmPolicyEngine.fromBundle(archive, 1);
        } catch (PolicyEngineException e) {
            throw refuse(actor, sha256, null, 422, "bundle-unusable", e.getMessage());
        }
        try (candidate) {
            List<PolicyFloor.Failure> failures = floor.check(candidate);
            if (!failures.isEmpty()) {
                throw refuse(actor, sha256, candidate.revision(), 422, "below-policy-floor", "the bundle lets through what every "
                        + "bundle must deny, so it cannot be put into force at run time (a change like this ships as a release): "
                        + failures);
            }
            byte[] wasm = candidate.wasm();
            JsonNode data = candidate.data();
            // null: the revision is taken by other content
            Map.Entry<BundleStore.Bundle, Boolean> stored = QuarkusTransaction.requiringNew().call(() -> {
                try (Connection c = dataSource.getConnection()) {
                    Optional<BundleStore.Bundle> existing = BundleStore.readBundle(c, candidate.revision());
                    if (existing.isPresent()) {
                        return sameContent(c, candidate.revision(), wasm, data) ? Map.entry(existing.get(), false) : null;
                    }
                    BundleStore.insertBundle(c, candidate.revision(), "upload", wasm, data, sha256, actor);
                    audit.record(AuditEventType.POLICY_BUNDLE_UPLOADED, actor, null, candidate.revision(), mapper.createObjectNode()
                            .put("bundleSha256", sha256)
                            .put("floorCases", floor.cases().size()));
                    return Map.entry(BundleStore.readBundle(c, candidate.revision()).orElseThrow(), true);
                }
            });
            if (stored == null) {
                throw refuse(actor, sha256, candidate.revision(), 409, "revision-taken", "revision " + candidate.revision()
                        + " already names a bundle with another policy.wasm or data; a revision names one bundle forever");
            }
            return stored;
        }
    }

    /** Whether the stored bundle of {@code revision} has exactly this policy and data. */
    private boolean sameContent(Connection c, String revision, byte[] wasm, JsonNode data) throws SQLException {
        Optional<BundleStore.Parts> stored = BundleStore.parts(c, revision);
        try {
            return stored.isPresent() && java.util.Arrays.equals(stored.get().wasm(), wasm) && mapper.readTree(stored.get().data()).equals(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
    }

    /** Puts a known revision into force for every instance, audited with the admin and the reason. */
    public BundleStore.Active activate(String revision, String reason, Actor actor) {
        requireReplaceable();
        if (revision == null || !revision.matches("[0-9a-f]{64}")) {
            throw ProblemException.badRequest("bad-revision", "revision must be the 64-hex-digit revision of a known bundle");
        }
        if (reason == null || reason.isBlank()) {
            throw ProblemException.badRequest("reason-required", "say why this revision goes into force");
        }
        WasmPolicyEngine candidate = loadChecked(revision, actor);
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                try (Connection c = dataSource.getConnection()) {
                    BundleStore.Active before = BundleStore.readActive(c, true).orElseThrow(() -> new IllegalStateException("policy_active has no row"));
                    if (before.revision().equals(revision)) {
                        candidate.close();
                        return before;
                    }
                    BundleStore.Bundle bundle = BundleStore.readBundle(c, revision).orElseThrow();
                    BundleStore.writeActive(c, true, revision, "admin", shipped, actor, reason);
                    audit.record(AuditEventType.POLICY_ACTIVATED, actor, null, revision, mapper.createObjectNode()
                            .put("engine", engine.name())
                            .put("bundle", PolicyGate.BUNDLE_NAME)
                            .put("previousRevision", before.revision())
                            .put("how", "admin")
                            .put("reason", reason)
                            .put("source", bundle.source())
                            .put("bundleSha256", bundle.bundleSha256()));
                    activated.fire(new Activated(candidate));
                    return BundleStore.readActive(c, false).orElseThrow();
                }
            });
        } catch (RuntimeException e) {
            candidate.close();
            throw e;
        }
    }

    /** The revision a refused attempt concerns is audited, then the request ends with the problem. */
    private ProblemException refuse(Actor actor, String sha256, String revision, int status, String code, String detail) {
        QuarkusTransaction.requiringNew().run(() -> audit.record(AuditEventType.POLICY_BUNDLE_REFUSED, actor, null, revision,
                mapper.createObjectNode().put("bundleSha256", sha256).put("code", code).put("reason", detail)));
        registry.counter("governor.policy.bundles.refused", "code", code).increment();
        return new ProblemException(status, status == 422 ? "Unprocessable bundle" : status == 409 ? "Conflict" : "Refused", code,
                detail);
    }

    private WasmPolicyEngine loadChecked(String revision, Actor actor) {
        WasmPolicyEngine candidate;
        try (Connection c = dataSource.getConnection()) {
            candidate = loadEngine(c, revision).orElseThrow(() -> ProblemException.notFound("policy bundle " + revision
                    + " (upload it first: POST /api/v1/policies/bundles)"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read policy bundle " + revision + ": " + e.getMessage(), e);
        }
        List<PolicyFloor.Failure> failures = floor.check(candidate);
        if (!failures.isEmpty()) {
            candidate.close();
            throw refuse(actor, null, revision, 422, "below-policy-floor", "this release's policy floor refuses revision "
                    + revision + ": " + failures);
        }
        return candidate;
    }

    /**
     * Whether this instance decides with the revision in force right now (read from the row, not
     * from the last 2 s poll), loading it first when it has just changed. False when the revision
     * in force cannot be loaded here: callers hold what they would decide (fail closed) rather
     * than decide with a revision that is not in force.
     */
    public boolean inForce() {
        if (!engine.replaceable() || shipped == null) {
            return true;
        }
        String revision;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select revision from policy_active where id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return true; // not initialised: the shipped revision is the only one there is
            }
            revision = rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read which policy revision is in force: " + e.getMessage(), e);
        }
        if (revision.equals(engine.revision())) {
            return true;
        }
        Failed failed = unloadable.get();
        if (failed == null || !failed.revision().equals(revision) || System.nanoTime() - failed.at() > 60_000_000_000L) {
            load(revision);
        }
        return revision.equals(engine.revision());
    }

    /** Loads {@code revision} from the database and puts it into force on this instance. */
    private synchronized void load(String revision) {
        if (revision.equals(engine.revision())) {
            return; // loaded meanwhile by another caller
        }
        try (Connection c = dataSource.getConnection()) {
            Optional<WasmPolicyEngine> loaded = loadEngine(c, revision);
            if (loaded.isEmpty()) {
                throw new IllegalStateException("policy bundle " + revision + " is not in policy_bundle");
            }
            WasmPolicyEngine next = loaded.get();
            List<PolicyFloor.Failure> failures = floor.check(next);
            if (!failures.isEmpty()) {
                next.close();
                throw new IllegalStateException("revision " + revision + " does not hold this release's policy floor: " + failures);
            }
            engine.replace(next, next.data());
            unloadable.set(null);
        } catch (SQLException | RuntimeException e) {
            Failed before = unloadable.getAndSet(new Failed(revision, System.nanoTime()));
            if (before == null || !before.revision().equals(revision)) {
                LOG.errorf("ALERT policy revision %s is in force but this instance cannot use it (%s); it holds proposals and "
                        + "blocks promotions until it can (it still has %s); retried every minute", revision, e.getMessage(),
                        engine.revision());
                registry.counter("governor.policy.activation.failures").increment();
            }
        }
    }

    private Optional<WasmPolicyEngine> loadEngine(Connection c, String revision) throws SQLException {
        Optional<BundleStore.Parts> parts = BundleStore.parts(c, revision);
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        JsonNode data;
        try {
            data = mapper.readTree(parts.get().data());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored data of policy bundle " + revision + " is not JSON", e);
        }
        return Optional.of(WasmPolicyEngine.fromParts(parts.get().wasm(), data, revision, PolicyEngineProducer.poolSize()));
    }

    private void requireReplaceable() {
        if (!engine.replaceable()) {
            throw new ProblemException(409, "Conflict", "engine-not-replaceable", "this Governor evaluates on an OPA server, which "
                    + "loads its own bundles; put the bundle into force there (governor.policy.engine=server)");
        }
    }

    private void recordServerRevision() {
        QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                recordDeployment(BundleStore.lastActivationAudited(c), "deployment: the revision the OPA server answered with at start");
                return null;
            }
        });
    }

    /** Audits the shipped revision going into force, unless it already was. */
    private void recordDeployment(String previous, String how) {
        if (shipped.equals(previous)) {
            return;
        }
        audit.record(AuditEventType.POLICY_ACTIVATED, Actor.SYSTEM, null, shipped, mapper.createObjectNode()
                .put("engine", engine.name())
                .put("bundle", PolicyGate.BUNDLE_NAME)
                .put("previousRevision", previous)
                .put("how", how));
        LOG.infof("Policy bundle %s revision %s is now in force (was %s)", PolicyGate.BUNDLE_NAME, shipped, previous);
    }

    private static byte[] wasmOnClasspath() {
        try (var in = PolicyActivation.class.getClassLoader().getResourceAsStream(WasmPolicyEngine.RESOURCE_DIR + "policy.wasm")) {
            if (in == null) {
                throw new IllegalStateException("the shipped policy.wasm is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the shipped policy.wasm", e);
        }
    }

    /** For the health check and metrics: the revision this instance decides with. */
    public String inForceHere() {
        return engine.revision();
    }
}
