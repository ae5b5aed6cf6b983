package dev.governor.killswitch.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A compacted control topic of its own for one test or bench run, deleted when closed. */
public final class ControlTopics implements AutoCloseable {

    /** The broker that {@code scripts/services up kafka} starts; -Dgovernor.kafka.bootstrap overrides it. */
    public static final String BOOTSTRAP = System.getProperty("governor.kafka.bootstrap", "127.0.0.1:9092");

    private final Admin admin;
    private final String name;

    private ControlTopics(String bootstrapServers, String prefix) throws Exception {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
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

    public static ControlTopics create(String bootstrapServers, String prefix) throws Exception {
        return new ControlTopics(bootstrapServers, prefix);
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
