package dev.governor.controlplane.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.dsse.Ed25519Verifier;
import dev.governor.auditor.dsse.Envelope;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.problem.ProblemException;
import dev.governor.controlplane.security.Actor;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hibernate.Session;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The loop registry: which loops exist, who owns them, who may submit for them, and the keys
 * whose signatures identify them. Changes are made by admins and audited in the same
 * transaction. Readers take a {@link LoopSnapshot}, reloaded only when a change has been committed
 * (one query on the registry's revision), so every instance sees a revoked key at its next batch.
 */
@ApplicationScoped
public class LoopRegistry {

    /** The loop id rule of the proposal schema ($defs/id). */
    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$");
    private static final List<String> SOURCE_SYSTEMS = List.of("dgm", "shinka", "openevolve", "ai-scientist", "custom");

    private final AgroalDataSource dataSource;
    private final EntityManager em;
    private final AuditTrail audit;
    private final ObjectMapper mapper;
    private final ApiSigningKey apiKey;
    private volatile LoopSnapshot cached;

    public LoopRegistry(AgroalDataSource dataSource, EntityManager em, AuditTrail audit, ObjectMapper mapper, ApiSigningKey apiKey) {
        this.dataSource = dataSource;
        this.em = em;
        this.audit = audit;
        this.mapper = mapper;
        this.apiKey = apiKey;
    }

    /** What an admin registers or changes; null lists and fields leave what is stored. */
    public record Registration(String loopId, String sourceSystem, String displayName, List<String> owners, List<String> submitters,
                               Loop.Status status, List<NewKey> keys) {
    }

    /** A key to add: base64 of the raw 32-byte Ed25519 public key, and its validity window (from now, open, by default). */
    public record NewKey(String publicKey, OffsetDateTime notBefore, OffsetDateTime notAfter) {
    }

    // ---------------------------------------------------------------- reading

    /**
     * The registry as committed now: the cached snapshot when nothing changed since it was read,
     * else a fresh one.
     */
    public LoopSnapshot snapshot() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select coalesce(max(revision), 0) from loop_registration");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            long revision = rs.getLong(1);
            LoopSnapshot s = cached;
            if (s != null && s.revision() == revision) {
                return s;
            }
            synchronized (this) {
                if (cached == null || cached.revision() != revision) {
                    cached = load(c);
                }
                return cached;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the loop registry: " + e.getMessage(), e);
        }
    }

    private LoopSnapshot load(Connection c) throws SQLException {
        Map<String, Loop> loops = new LinkedHashMap<>();
        long revision = 0;
        try (PreparedStatement ps = c.prepareStatement("""
                select loop_id, source_system, display_name, owners, submitters, status, registered_by, registered_at,
                       updated_by, updated_at, revision
                  from loop_registration order by loop_id""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Loop loop = new Loop(rs.getString(1), rs.getString(2), rs.getString(3), strings(rs.getArray(4)), strings(rs.getArray(5)),
                        Loop.Status.valueOf(rs.getString(6)), rs.getString(7), time(rs.getTimestamp(8)), rs.getString(9),
                        time(rs.getTimestamp(10)), rs.getLong(11), List.of());
                loops.put(loop.loopId(), loop);
                revision = Math.max(revision, loop.revision());
            }
        }
        Map<String, List<LoopKey>> keysOf = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select key_id, loop_id, public_key, not_before, not_after, revoked_at, added_by, added_at
                  from loop_key order by added_at, key_id""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                LoopKey key = new LoopKey(rs.getString(1), rs.getString(2), rs.getString(3), time(rs.getTimestamp(4)),
                        time(rs.getTimestamp(5)), time(rs.getTimestamp(6)), rs.getString(7), time(rs.getTimestamp(8)));
                keysOf.computeIfAbsent(key.loopId(), k -> new ArrayList<>()).add(key);
            }
        }
        loops.replaceAll((id, loop) -> loop.withKeys(keysOf.getOrDefault(id, List.of())));
        return new LoopSnapshot(revision, loops, apiKey.signer().verifier());
    }

    // ---------------------------------------------------------------- changing

    @Transactional
    public Loop register(Registration r, Actor admin) {
        if (r == null || r.loopId() == null || !ID.matcher(r.loopId()).matches()) {
            throw ProblemException.badRequest("invalid-loop", "loopId is required and must match " + ID.pattern()
                    + " (the proposal schema's id rule)");
        }
        requireSourceSystem(r.sourceSystem());
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        int inserted = jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into loop_registration (loop_id, source_system, display_name, owners, submitters, status,
                                                   registered_by, registered_at, updated_by, updated_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing""")) {
                ps.setString(1, r.loopId());
                ps.setString(2, r.sourceSystem());
                ps.setString(3, r.displayName());
                ps.setArray(4, c.createArrayOf("text", subjects(r.owners(), "owners")));
                ps.setArray(5, c.createArrayOf("text", subjects(r.submitters(), "submitters")));
                ps.setString(6, (r.status() == null ? Loop.Status.ACTIVE : r.status()).name());
                ps.setString(7, admin.subject());
                ps.setObject(8, now);
                ps.setString(9, admin.subject());
                ps.setObject(10, now);
                return ps.executeUpdate();
            }
        });
        if (inserted == 0) {
            throw new ProblemException(409, "Conflict", "loop-exists",
                    "Loop " + r.loopId() + " is already registered; change it with PUT /api/v1/loops/" + r.loopId());
        }
        List<LoopKey> keys = new ArrayList<>();
        for (NewKey key : r.keys() == null ? List.<NewKey>of() : r.keys()) {
            keys.add(insertKey(r.loopId(), key, admin, now));
        }
        ObjectNode details = describe(r.loopId(), r.sourceSystem(), r.displayName(), r.owners(), r.submitters(),
                r.status() == null ? Loop.Status.ACTIVE : r.status());
        keys.forEach(k -> details.withArray("keys").add(keyJson(k)));
        audit.record(AuditEventType.LOOP_REGISTERED, admin, null, null, details);
        return find(r.loopId());
    }

    /** Replaces the loop's source system, name, owners, submitters or status, as given. */
    @Transactional
    public Loop update(String loopId, Registration r, Actor admin) {
        Loop before = require(loopId);
        if (r.sourceSystem() != null) {
            requireSourceSystem(r.sourceSystem());
        }
        String sourceSystem = r.sourceSystem() != null ? r.sourceSystem() : before.sourceSystem();
        String displayName = r.displayName() != null ? r.displayName() : before.displayName();
        List<String> owners = r.owners() != null ? List.of(subjects(r.owners(), "owners")) : before.owners();
        List<String> submitters = r.submitters() != null ? List.of(subjects(r.submitters(), "submitters")) : before.submitters();
        Loop.Status status = r.status() != null ? r.status() : before.status();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update loop_registration set source_system = ?, display_name = ?, owners = ?, submitters = ?, status = ?,
                           updated_by = ?, updated_at = ?, revision = nextval('loop_registry_revision')
                     where loop_id = ?""")) {
                ps.setString(1, sourceSystem);
                ps.setString(2, displayName);
                ps.setArray(3, c.createArrayOf("text", owners.toArray(String[]::new)));
                ps.setArray(4, c.createArrayOf("text", submitters.toArray(String[]::new)));
                ps.setString(5, status.name());
                ps.setString(6, admin.subject());
                ps.setObject(7, now);
                ps.setString(8, loopId);
                return ps.executeUpdate();
            }
        });
        ObjectNode details = describe(loopId, sourceSystem, displayName, owners, submitters, status);
        details.set("before", describe(loopId, before.sourceSystem(), before.displayName(), before.owners(), before.submitters(),
                before.status()));
        audit.record(AuditEventType.LOOP_UPDATED, admin, null, null, details);
        return find(loopId);
    }

    @Transactional
    public LoopKey addKey(String loopId, NewKey key, Actor admin) {
        require(loopId);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        LoopKey added = insertKey(loopId, key, admin, now);
        bump(loopId, admin, now);
        audit.record(AuditEventType.LOOP_KEY_ADDED, admin, null, null, keyJson(added));
        return added;
    }

    /** Revokes a key from now on: signatures it makes are refused; the key stays on record. */
    @Transactional
    public LoopKey revokeKey(String loopId, String keyId, String reason, Actor admin) {
        Loop loop = require(loopId);
        LoopKey key = loop.keys().stream().filter(k -> k.keyId().equals(keyId)).findFirst()
                .orElseThrow(() -> ProblemException.notFound("Loop " + loopId + " has no key " + keyId));
        if (key.revokedAt() != null) {
            throw new ProblemException(409, "Conflict", "key-revoked", "Key " + keyId + " was already revoked at " + key.revokedAt());
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("update loop_key set revoked_at = ? where key_id = ? and revoked_at is null")) {
                ps.setObject(1, now);
                ps.setString(2, keyId);
                return ps.executeUpdate();
            }
        });
        bump(loopId, admin, now);
        audit.record(AuditEventType.LOOP_KEY_REVOKED, admin, null, null, keyJson(key).put("revokedAt", now.toString())
                .put("reason", reason));
        return find(loopId).keys().stream().filter(k -> k.keyId().equals(keyId)).findFirst().orElseThrow();
    }

    public Loop find(String loopId) {
        return snapshot().loop(loopId);
    }

    public List<Loop> list() {
        return snapshot().loops();
    }

    private Loop require(String loopId) {
        Loop loop = find(loopId);
        if (loop == null) {
            throw ProblemException.notFound("No loop " + loopId + " is registered");
        }
        return loop;
    }

    private LoopKey insertKey(String loopId, NewKey key, Actor admin, OffsetDateTime now) {
        if (key == null || key.publicKey() == null) {
            throw ProblemException.badRequest("invalid-key", "A key is given as publicKey: base64 of the raw 32-byte Ed25519 public key");
        }
        Ed25519Verifier verifier;
        try {
            verifier = Ed25519Verifier.fromBase64(key.publicKey());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-key", "publicKey is not a base64 Ed25519 public key: " + e.getMessage());
        }
        OffsetDateTime notBefore = key.notBefore() != null ? key.notBefore() : now;
        if (key.notAfter() != null && !key.notAfter().isAfter(notBefore)) {
            throw ProblemException.badRequest("invalid-key", "notAfter (" + key.notAfter() + ") must be after notBefore (" + notBefore + ")");
        }
        String publicKey = Base64.getEncoder().encodeToString(verifier.publicKey());
        int inserted = jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into loop_key (key_id, loop_id, public_key, not_before, not_after, added_by, added_at)
                    values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing""")) {
                ps.setString(1, verifier.keyId());
                ps.setString(2, loopId);
                ps.setString(3, publicKey);
                ps.setObject(4, notBefore);
                ps.setObject(5, key.notAfter());
                ps.setString(6, admin.subject());
                ps.setObject(7, now);
                return ps.executeUpdate();
            }
        });
        if (inserted == 0) {
            throw new ProblemException(409, "Conflict", "key-exists",
                    "Key " + verifier.keyId() + " is already registered; a key belongs to one loop, once");
        }
        return new LoopKey(verifier.keyId(), loopId, publicKey, notBefore, key.notAfter(), null, admin.subject(), now);
    }

    private void bump(String loopId, Actor admin, OffsetDateTime now) {
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update loop_registration set revision = nextval('loop_registry_revision'), updated_by = ?, updated_at = ?
                     where loop_id = ?""")) {
                ps.setString(1, admin.subject());
                ps.setObject(2, now);
                ps.setString(3, loopId);
                return ps.executeUpdate();
            }
        });
    }

    private interface Work {
        int run(Connection c) throws SQLException;
    }

    private int jdbc(Work work) {
        int[] result = new int[1];
        em.unwrap(Session.class).doWork(c -> result[0] = work.run(c));
        return result[0];
    }

    private static void requireSourceSystem(String sourceSystem) {
        if (sourceSystem == null || !SOURCE_SYSTEMS.contains(sourceSystem)) {
            throw ProblemException.badRequest("invalid-loop", "sourceSystem must be one of " + SOURCE_SYSTEMS);
        }
    }

    private static String[] subjects(List<String> subjects, String field) {
        if (subjects == null) {
            return new String[0];
        }
        for (String s : subjects) {
            if (s == null || s.isBlank()) {
                throw ProblemException.badRequest("invalid-loop", field + " are stable subjects (the sub claim): none may be empty");
            }
        }
        return subjects.stream().map(String::strip).distinct().toArray(String[]::new);
    }

    private ObjectNode describe(String loopId, String sourceSystem, String displayName, List<String> owners, List<String> submitters,
                                Loop.Status status) {
        ObjectNode node = mapper.createObjectNode().put("loopId", loopId).put("sourceSystem", sourceSystem)
                .put("displayName", displayName).put("status", status.name());
        Consumer<String> o = node.putArray("owners")::add;
        (owners == null ? List.<String>of() : owners).forEach(o);
        Consumer<String> s = node.putArray("submitters")::add;
        (submitters == null ? List.<String>of() : submitters).forEach(s);
        return node;
    }

    private ObjectNode keyJson(LoopKey k) {
        return mapper.createObjectNode().put("loopId", k.loopId()).put("keyId", k.keyId()).put("publicKey", k.publicKey())
                .put("notBefore", k.notBefore().toString()).put("notAfter", k.notAfter() == null ? null : k.notAfter().toString());
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    private static OffsetDateTime time(Timestamp t) {
        return t == null ? null : t.toInstant().atOffset(ZoneOffset.UTC);
    }
}
