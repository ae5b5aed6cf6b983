package dev.governor.killswitch.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A compacted control topic of its own for one test or bench run, deleted when closed. */
public final class ControlTopics implements AutoCloseable {

    /**
     * The broker that {@code scripts/services up kafka} starts; -Dgovernor.kafka.bootstrap (or
     * -Dit.kafka.bootstrap, or GOVERNOR_KAFKA_BOOTSTRAP) overrides it.
     */
    public static final String BOOTSTRAP = setting("governor.kafka.bootstrap",
            setting("it.kafka.bootstrap", env("GOVERNOR_KAFKA_BOOTSTRAP", "127.0.0.1:9092")));
    /** SASL_PLAINTEXT on scripts/services' broker; -Dit.kafka.security-protocol=PLAINTEXT for one without authentication. */
    public static final String SECURITY_PROTOCOL = setting("it.kafka.security-protocol",
            env("GOVERNOR_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"));
    /** How the tools' super user logs in to that broker (deploy/kafka/users.txt, demo only): creates and deletes the topics. */
    public static final Map<String, Object> ADMIN = login(setting("it.kafka.admin-user", "governor-admin"),
            setting("it.kafka.admin-password", "governor-admin-demo-secret"));
    /** How Governor's principal logs in: the publisher and the followers, within its ACLs (rsi.* topics). */
    public static final Map<String, Object> GOVERNOR = login(setting("it.kafka.governor-user", "governor"),
            setting("it.kafka.governor-password", "governor-demo-secret"));

    private final Admin admin;
    private final String name;

    private ControlTopics(String bootstrapServers, Map<String, ?> adminLogin, String prefix) throws Exception {
        Map<String, Object> config = new HashMap<>(adminLogin);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        this.admin = Admin.create(config);
        this.name = prefix + "-" + UUID.randomUUID();
        NewTopic topic = new NewTopic(name, 1, (short) 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            admin.createTopics(List.of(topic)).all().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            admin.close();
            throw new IllegalStateException("could not create " + name + " on " + bootstrapServers
                    + "; is Kafka up (scripts/services up kafka)?", e);
        }
    }

    /** A topic on scripts/services' broker at {@code bootstrapServers}, created as {@link #ADMIN}. */
    public static ControlTopics create(String bootstrapServers, String prefix) throws Exception {
        return new ControlTopics(bootstrapServers, ADMIN, prefix);
    }

    /** A topic on a broker without authentication (one inside the test's JVM). */
    public static ControlTopics createUnauthenticated(String bootstrapServers, String prefix) throws Exception {
        return new ControlTopics(bootstrapServers, Map.of(), prefix);
    }

    /** The client settings that log {@code user} in with SCRAM-SHA-512 (none over PLAINTEXT). */
    public static Map<String, Object> login(String user, String password) {
        if (!SECURITY_PROTOCOL.startsWith("SASL_")) {
            return Map.of(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, SECURITY_PROTOCOL);
        }
        return Map.of(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, SECURITY_PROTOCOL,
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    private static String setting(String property, String fallback) {
        String value = System.getProperty(property);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String env(String variable, String fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() throws Exception {
        try {
            admin.deleteTopics(List.of(name)).all().get(15, TimeUnit.SECONDS);
        } finally {
            admin.close();
        }
    }
}
