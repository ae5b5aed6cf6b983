package dev.governor.controlplane.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Plain Kafka clients against the real broker of scripts/services, which authenticates with
 * SASL/SCRAM-SHA-512 and authorises with ACLs (deploy/kafka/users.txt, acls.txt). By default they
 * log in as {@link #ADMIN}, the tools' super user, so tests may create topics of their own and read
 * anything; {@link #LOOP} is a loop's principal, for what a loop may (and may not) do.
 *
 * <p>Settings: system properties {@code it.kafka.*}, else the environment the control plane reads
 * ({@code GOVERNOR_KAFKA_BOOTSTRAP}, {@code GOVERNOR_KAFKA_SECURITY_PROTOCOL}), else scripts/services'
 * defaults.
 */
public final class KafkaTestClients {

    public static final String BOOTSTRAP = setting("it.kafka.bootstrap", "GOVERNOR_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    /** SASL_PLAINTEXT, SASL_SSL (with it.kafka.ssl.truststore.*), or PLAINTEXT for a broker without authentication. */
    public static final String SECURITY_PROTOCOL = setting("it.kafka.security-protocol", "GOVERNOR_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");

    /** The tools' principal, a super user (demo-only password of deploy/kafka/users.txt). */
    public static final Login ADMIN = new Login(setting("it.kafka.admin-user", null, "governor-admin"),
            setting("it.kafka.admin-password", null, "governor-admin-demo-secret"));
    /** The control plane's principal, as the tests' Governor logs in (application.properties, %test). */
    public static final Login GOVERNOR = new Login(setting("it.kafka.governor-user", "GOVERNOR_KAFKA_USER", "governor"),
            setting("it.kafka.governor-password", "GOVERNOR_KAFKA_PASSWORD", "governor-demo-secret"));
    /** A loop's principal: writes rsi.proposals, reads rsi.control and rsi.decisions, nothing else. */
    public static final Login LOOP = new Login(setting("it.kafka.loop-user", null, "loop-agent"),
            setting("it.kafka.loop-password", null, "loop-agent-demo-secret"));

    private KafkaTestClients() {
    }

    /** A SCRAM-SHA-512 user of the broker. */
    public record Login(String user, String password) {

        /** The same user with another password (to be refused). */
        public Login withPassword(String other) {
            return new Login(user, other);
        }

        /** Bootstrap servers and the security settings that log this user in. */
        public Map<String, Object> clientProperties() {
            Map<String, Object> config = new HashMap<>();
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
            config.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, SECURITY_PROTOCOL);
            if (SECURITY_PROTOCOL.startsWith("SASL_")) {
                config.put("sasl.mechanism", "SCRAM-SHA-512");
                config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
            }
            String truststore = setting("it.kafka.ssl.truststore.location", null, "");
            if (!truststore.isEmpty()) {
                config.put("ssl.truststore.type", "PKCS12");
                config.put("ssl.truststore.location", truststore);
                config.put("ssl.truststore.password", setting("it.kafka.ssl.truststore.password", null, ""));
            }
            return config;
        }

        /** {@link #clientProperties()} with {@code extra} on top. */
        public Map<String, Object> with(Map<String, ?> extra) {
            Map<String, Object> config = clientProperties();
            config.putAll(extra);
            return config;
        }
    }

    /** The environment a packaged control plane needs to log in to the broker as {@link #GOVERNOR}. */
    public static Map<String, String> governorEnv() {
        return Map.of("GOVERNOR_KAFKA_BOOTSTRAP", BOOTSTRAP, "GOVERNOR_KAFKA_SECURITY_PROTOCOL", SECURITY_PROTOCOL,
                "GOVERNOR_KAFKA_USER", GOVERNOR.user(), "GOVERNOR_KAFKA_PASSWORD", GOVERNOR.password());
    }

    /** A producer logged in as {@link #ADMIN}. */
    public static KafkaProducer<String, byte[]> producer() {
        return producer(ADMIN);
    }

    public static KafkaProducer<String, byte[]> producer(Login login) {
        return new KafkaProducer<>(login.with(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024)),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** An Admin client logged in as {@link #ADMIN}. */
    public static Admin admin() {
        return Admin.create(ADMIN.clientProperties());
    }

    /** A consumer logged in as {@link #ADMIN}, with {@code extra} settings (no group unless they name one). */
    public static KafkaConsumer<String, byte[]> consumer(Map<String, ?> extra) {
        return new KafkaConsumer<>(ADMIN.with(extra), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** A topic of the test's own, with one replica. */
    public static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    public static void deleteTopic(String topic) throws Exception {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(topic)).all().get();
        }
    }

    public static RecordMetadata send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Kafka refused a test record on " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Reads a whole topic from the beginning until {@code done} holds for what was read, or the timeout passes. */
    public static List<ConsumerRecord<String, byte[]>> readUntil(String topic, Duration timeout,
                                                                 Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !done.test(read)) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }

    private static String setting(String property, String env, String fallback) {
        String value = System.getProperty(property);
        if ((value == null || value.isBlank()) && env != null) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
