package dev.governor.controlplane.kafka;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;

/**
 * The Kafka clients of the control plane: one idempotent producer shared by every publisher,
 * and consumers created on demand. W3C trace context travels in record headers both ways.
 *
 * <p>Every client, here and elsewhere in the control plane, connects with {@link #connection()}:
 * the standard Kafka client settings given as {@code kafka.*} properties (or {@code KAFKA_*}
 * environment variables), e.g. {@code kafka.security.protocol}, {@code kafka.sasl.mechanism},
 * {@code kafka.sasl.jaas.config}, {@code kafka.ssl.truststore.location}; application.properties
 * fills them from {@code GOVERNOR_KAFKA_*} (ADR 0018).
 */
@ApplicationScoped
public class KafkaClients {

    private static final TextMapSetter<Headers> SETTER =
            (headers, key, value) -> headers.remove(key).add(key, value.getBytes(StandardCharsets.UTF_8));
    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return () -> StreamSupport.stream(headers.spliterator(), false).map(Header::key).iterator();
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    /**
     * Set per client by the code that creates it, never shared: Quarkus fills {@code group.id} with
     * the application's name when none is configured.
     */
    private static final Set<String> PER_CLIENT = Set.of(ConsumerConfig.GROUP_ID_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            ConsumerConfig.CLIENT_ID_CONFIG);

    private final Map<String, Object> connection;
    private final OpenTelemetry openTelemetry;
    private volatile KafkaProducer<String, byte[]> producer;

    /** {@code kafkaConfig}: every {@code kafka.*} property without its prefix, as the Quarkus Kafka extension collects them. */
    public KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, OpenTelemetry openTelemetry) {
        Map<String, Object> c = new HashMap<>(kafkaConfig);
        c.keySet().removeAll(PER_CLIENT);
        if (c.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new IllegalStateException("kafka.bootstrap.servers is not set (GOVERNOR_KAFKA_BOOTSTRAP)");
        }
        String protocol = String.valueOf(c.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"));
        if (protocol.startsWith("SASL_") && String.valueOf(c.get(SaslConfigs.SASL_JAAS_CONFIG)).contains("password=\"\"")) {
            throw new IllegalStateException("Kafka is configured for " + protocol + " but without a password: set "
                    + "GOVERNOR_KAFKA_PASSWORD (and GOVERNOR_KAFKA_USER, default governor), or GOVERNOR_KAFKA_SECURITY_PROTOCOL="
                    + "PLAINTEXT for a broker without authentication");
        }
        this.connection = Map.copyOf(c);
        this.openTelemetry = openTelemetry;
    }

    public String bootstrapServers() {
        return String.valueOf(connection.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    /**
     * Where the broker is and how to log in to it (bootstrap servers, security protocol, SASL and
     * TLS settings): the base of every Kafka client's configuration, to which each client adds its own.
     */
    public Map<String, Object> connection() {
        return connection;
    }

    /** Sends with the current trace context injected as {@code traceparent}. */
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        openTelemetry.getPropagators().getTextMapPropagator().inject(Context.current(), record.headers(), SETTER);
        return producer().send(record);
    }

    public void flush() {
        producer().flush();
    }

    /** The trace context a record carries, to continue its trace here. */
    public Context extract(Headers headers) {
        return openTelemetry.getPropagators().getTextMapPropagator().extract(Context.root(), headers, GETTER);
    }

    public KafkaConsumer<String, byte[]> consumer(String groupId, int maxPollRecords, Duration sessionTimeout) {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + ProcessHandle.current().pid());
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1, sessionTimeout.toMillis() / 3));
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    Map<String, Object> config = new HashMap<>(connection);
                    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                    config.put(ProducerConfig.ACKS_CONFIG, "all");
                    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
                    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
                    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
                    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
                    config.put(ProducerConfig.CLIENT_ID_CONFIG, "governor-control-plane-" + ProcessHandle.current().pid());
                    producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
                }
                p = producer;
            }
        }
        return p;
    }

    @PreDestroy
    void close() {
        if (producer != null) {
            producer.close();
        }
    }
}
