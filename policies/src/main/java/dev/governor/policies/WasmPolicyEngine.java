package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.styra.opa.wasm.OpaPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Evaluates the committed {@code opa build -t wasm} output in process (opa-java-wasm).
 *
 * <p>One wasm instance is not thread-safe, so the engine keeps a pool of instances: a call
 * borrows one, evaluates, and returns it. Instances are created on demand up to
 * {@code poolSize}; callers beyond that wait for a free one. An instance that failed is
 * discarded rather than reused. (opa-java-wasm's own OpaPolicyPool frees the data document
 * on every release, which would mean loading the data again for every decision.)
 *
 * <p>The most recently returned instance is lent first. Each instance runs wasm code compiled
 * into classes of its own, which the JIT warms up separately, so spreading calls over every
 * instance would compile the same policy again per instance.
 */
public final class WasmPolicyEngine implements PolicyEngine {

    /** Classpath folder of the committed build: policy.wasm, data.json, revision. */
    public static final String RESOURCE_DIR = "dev/governor/policies/rsi-gate/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] wasm;
    private final JsonNode data;
    private final String revision;
    private final BlockingDeque<OpaPolicy> idle;
    /** Permits for instances not yet created (or discarded after a failure). */
    private final Semaphore creatable;
    private final AtomicBoolean closed = new AtomicBoolean();

    private WasmPolicyEngine(byte[] wasm, JsonNode data, String revision, int poolSize) {
        this.wasm = wasm;
        this.data = data;
        this.revision = revision;
        this.idle = new LinkedBlockingDeque<>(poolSize);
        this.creatable = new Semaphore(poolSize);
    }

    /** The committed policy from the classpath, with one pooled instance per available processor. */
    public static WasmPolicyEngine fromClasspath() {
        return fromClasspath(Runtime.getRuntime().availableProcessors());
    }

    /** The committed policy from the classpath, with at most {@code poolSize} concurrent evaluations. */
    public static WasmPolicyEngine fromClasspath(int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
        ClassLoader loader = WasmPolicyEngine.class.getClassLoader();
        byte[] wasm = resource(loader, "policy.wasm");
        JsonNode data;
        try {
            data = JSON.readTree(resource(loader, "data.json"));
        } catch (IOException e) {
            throw new PolicyEngineException("committed " + RESOURCE_DIR + "data.json is not JSON", e);
        }
        String revision = new String(resource(loader, "revision"), StandardCharsets.UTF_8).trim();
        if (!revision.matches("[0-9a-f]{64}")) {
            throw new PolicyEngineException("committed " + RESOURCE_DIR + "revision is not a SHA-256 hex digest: '"
                    + revision + "'; run scripts/policy build");
        }
        return started(new WasmPolicyEngine(wasm, data, revision, poolSize));
    }

    /**
     * A bundle as {@code opa build -t wasm -e rsi/gate/decision --revision R} writes it (gzipped
     * tar with {@code /policy.wasm}, {@code /data.json} and {@code /.manifest}); the revision is
     * the manifest's.
     *
     * @throws PolicyEngineException if the bundle lacks a part, its revision is not a SHA-256 hex
     *     digest, or its policy cannot be instantiated
     */
    public static WasmPolicyEngine fromBundle(byte[] bundleTarGz, int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
        java.util.Map<String, byte[]> files = TarGz.read(bundleTarGz);
        byte[] wasm = part(files, "policy.wasm");
        JsonNode data;
        JsonNode manifest;
        try {
            data = JSON.readTree(part(files, "data.json"));
            manifest = JSON.readTree(part(files, ".manifest"));
        } catch (IOException e) {
            throw new PolicyEngineException("the bundle's data.json or .manifest is not JSON: " + e.getMessage(), e);
        }
        return fromParts(wasm, data, manifest.path("revision").asText(""), poolSize);
    }

    /** A policy from its parts, as a bundle holds them (the wasm, the data document, the revision). */
    public static WasmPolicyEngine fromParts(byte[] wasm, JsonNode data, String revision, int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
        if (!revision.matches("[0-9a-f]{64}")) {
            throw new PolicyEngineException("the bundle's revision must be a SHA-256 hex digest (opa build --revision), not '"
                    + revision + "'");
        }
        try {
            return started(new WasmPolicyEngine(wasm, data, revision, poolSize));
        } catch (PolicyEngineException e) {
            throw new PolicyEngineException("the bundle's policy.wasm does not serve " + DECISION_PATH + ": " + e.getMessage(), e);
        }
    }

    private static byte[] part(java.util.Map<String, byte[]> files, String name) {
        byte[] content = files.get(name);
        if (content == null) {
            throw new PolicyEngineException("the bundle has no /" + name + " (build it with opa build -t wasm -e "
                    + DECISION_PATH + "); it holds " + files.keySet());
        }
        return content;
    }

    /** Instantiating once surfaces a broken policy when it is loaded rather than at the first proposal. */
    private static WasmPolicyEngine started(WasmPolicyEngine engine) {
        engine.release(engine.borrow());
        return engine;
    }

    /** The compiled policy, as loaded. */
    public byte[] wasm() {
        return wasm.clone();
    }

    /** The data document the policy evaluates with (thresholds, protected paths, evaluators, limits, tiers). */
    public JsonNode data() {
        return data.deepCopy();
    }

    @Override
    public PolicyEvaluation evaluate(JsonNode input) {
        OpaPolicy policy = borrow();
        String raw;
        try {
            raw = policy.evaluate(input);
        } catch (RuntimeException e) {
            creatable.release();
            throw new PolicyEngineException("wasm evaluation of " + DECISION_PATH + " failed: " + e.getMessage(), e);
        }
        release(policy);
        return new PolicyEvaluation(PolicyDecision.fromJson(singleResult(raw)), revision, name());
    }

    @Override
    public String revision() {
        return revision;
    }

    @Override
    public String name() {
        return "wasm";
    }

    @Override
    public void close() {
        closed.set(true);
        idle.clear();
    }

    private OpaPolicy borrow() {
        try {
            while (true) {
                if (closed.get()) {
                    throw new PolicyEngineException("the wasm policy engine (revision " + revision + ") is closed");
                }
                OpaPolicy policy = idle.pollFirst();
                if (policy != null) {
                    return policy;
                }
                if (creatable.tryAcquire()) {
                    return createInstance();
                }
                // Wait for a returned instance, looking again for a free slot now and then:
                // an instance discarded after a failure frees a slot, not an idle instance.
                policy = idle.pollFirst(50, TimeUnit.MILLISECONDS);
                if (policy != null) {
                    return policy;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyEngineException("interrupted while waiting for a wasm policy instance", e);
        }
    }

    private OpaPolicy createInstance() {
        try {
            return newInstance();
        } catch (RuntimeException e) {
            creatable.release();
            throw new PolicyEngineException("cannot instantiate the wasm policy of revision " + revision + ": " + e.getMessage(), e);
        }
    }

    private void release(OpaPolicy policy) {
        idle.addFirst(policy);
    }

    /**
     * Without opa-java-wasm's Java builtins: the policy uses only builtins the wasm runtime
     * implements itself, which behave as in the OPA server (the Java sprintf, for one, formats
     * numbers differently). A policy that needs a host builtin fails loudly here instead.
     */
    private OpaPolicy newInstance() {
        OpaPolicy policy = OpaPolicy.builder().withPolicy(wasm).withDefaultBuiltins(false).build();
        policy.entrypoint(DECISION_PATH);
        policy.data(data);
        return policy;
    }

    /** The wasm ABI answers with a result set: {@code [{"result": <decision>}]}, empty when undefined. */
    private static JsonNode singleResult(String raw) {
        JsonNode set;
        try {
            set = JSON.readTree(raw);
        } catch (IOException e) {
            throw new PolicyEngineException("wasm policy returned something other than JSON: " + raw, e);
        }
        if (set == null || !set.isArray() || set.size() != 1 || !set.get(0).has("result")) {
            throw new PolicyEngineException(DECISION_PATH + " is undefined for this input (result set " + raw
                    + "); the input is probably missing or mistyping a field the policy needs");
        }
        return set.get(0).get("result");
    }

    private static byte[] resource(ClassLoader loader, String file) {
        try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) {
                throw new PolicyEngineException("classpath resource " + RESOURCE_DIR + file
                        + " is missing; it is committed under policies/src/main/resources (scripts/policy build)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath resource " + RESOURCE_DIR + file, e);
        }
    }
}
