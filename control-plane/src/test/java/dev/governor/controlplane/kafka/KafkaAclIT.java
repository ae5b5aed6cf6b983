package dev.governor.controlplane.kafka;

import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.KafkaTestClients.Login;
import dev.governor.controlplane.testing.ProposalMessages;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The broker of scripts/services as a security boundary (ARCHITECTURE.md §8 and §11, ADR 0018):
 * a loop's principal is refused by the broker itself on every topic it may not touch, whatever
 * the loop's code does; Governor's principal may do what the control plane needs and no more;
 * nobody gets in without a valid SCRAM login. No Quarkus: plain clients against the real broker.
 */
class KafkaAclIT {

    private static final Login LOOP = KafkaTestClients.LOOP;
    private static final Login GOVERNOR = KafkaTestClients.GOVERNOR;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @ParameterizedTest(name = "a loop writing {0} is refused")
    @ValueSource(strings = {"rsi.decisions", "rsi.promotions", "rsi.control", "rsi.audit.checkpoints", "rsi.proposals.dlq"})
    void aLoopIsRefusedWritingATopicOnlyGovernorWrites(String topic) {
        try (KafkaProducer<String, byte[]> producer = producer(LOOP)) {
            Throwable refused = catchThrowable(() -> producer.send(record(topic, "forged-" + run)).get(30, TimeUnit.SECONDS));
            assertThat(refused).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @ParameterizedTest(name = "a loop reading {0} is refused")
    @ValueSource(strings = {"rsi.proposals", "rsi.promotions", "rsi.audit.checkpoints", "rsi.proposals.dlq"})
    void aLoopIsRefusedReadingATopicItMayNotRead(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(LOOP, Map.of())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aLoopWritesProposalsWithAnIdempotentProducer() throws Exception {
        String id = "acl-" + run;
        try (KafkaProducer<String, byte[]> producer = producer(LOOP)) {
            RecordMetadata written = producer.send(new ProducerRecord<>("rsi.proposals", id,
                    ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(id, "loop-acl-" + run)))))
                    .get(30, TimeUnit.SECONDS);
            assertThat(written.topic()).isEqualTo("rsi.proposals");
        }
    }

    @ParameterizedTest(name = "a loop reads {0} in a group of its own")
    @ValueSource(strings = {"rsi.control", "rsi.decisions"})
    void aLoopReadsAndCommitsInAGroupNamedAfterIt(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(LOOP, Map.of(ConsumerConfig.GROUP_ID_CONFIG, LOOP.user() + "-acl-" + run,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            assertThat(consumer.assignment()).as("partitions assigned to the loop's group").isNotEmpty();
            consumer.commitSync(Duration.ofSeconds(15));
        }
    }

    @Test
    void aLoopMayNotJoinGovernorsConsumerGroup() {
        try (KafkaConsumer<String, byte[]> consumer = consumer(LOOP, Map.of(ConsumerConfig.GROUP_ID_CONFIG, "governor-intake"))) {
            consumer.subscribe(List.of("rsi.decisions"));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).isInstanceOf(GroupAuthorizationException.class);
        }
    }

    @Test
    void aLoopMayNotGrantItselfAnAclNorCreateATopic() {
        try (Admin admin = Admin.create(LOOP.clientProperties())) {
            AclBinding grab = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "rsi.decisions", PatternType.LITERAL),
                    new AccessControlEntry("User:" + LOOP.user(), "*", AclOperation.WRITE, AclPermissionType.ALLOW));
            assertThat(catchThrowable(() -> admin.createAcls(List.of(grab)).all().get(30, TimeUnit.SECONDS)))
                    .cause().isInstanceOf(ClusterAuthorizationException.class);
            assertThat(catchThrowable(() -> admin.createTopics(List.of(new NewTopic("rsi.decisions.shadow-" + run, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS))).cause().isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void theBrokerTellsEachPrincipalExactlyWhatItMayDoOnEachTopic() throws Exception {
        assertThat(authorized(LOOP, "rsi.proposals")).containsExactlyInAnyOrder(AclOperation.WRITE, AclOperation.DESCRIBE);
        assertThat(authorized(LOOP, "rsi.control")).containsExactlyInAnyOrder(AclOperation.READ, AclOperation.DESCRIBE);
        assertThat(authorized(LOOP, "rsi.decisions")).containsExactlyInAnyOrder(AclOperation.READ, AclOperation.DESCRIBE);
        for (String topic : List.of("rsi.proposals", "rsi.proposals.dlq", "rsi.decisions", "rsi.promotions", "rsi.control",
                "rsi.audit.checkpoints")) {
            assertThat(authorized(GOVERNOR, topic)).as(topic)
                    .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        }
    }

    @Test
    void governorMayNotCreateTopicsOrChangeAcls() {
        try (Admin admin = Admin.create(GOVERNOR.clientProperties())) {
            assertThat(catchThrowable(() -> admin.createTopics(List.of(new NewTopic("rsi.governor-made-" + run, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS))).cause().isInstanceOf(TopicAuthorizationException.class);
            AclBinding widen = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "*", PatternType.LITERAL),
                    new AccessControlEntry("User:" + LOOP.user(), "*", AclOperation.ALL, AclPermissionType.ALLOW));
            assertThat(catchThrowable(() -> admin.createAcls(List.of(widen)).all().get(30, TimeUnit.SECONDS)))
                    .cause().isInstanceOf(ClusterAuthorizationException.class);
        }
    }

    @Test
    void governorWritesAndReadsBackInATransactionUnderItsOwnTransactionalId() throws Exception {
        // rsi.audit.checkpoints: Governor only publishes there, and its readers check signatures.
        String topic = "rsi.audit.checkpoints";
        String key = "acl-" + run;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(GOVERNOR.with(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "governor-acl-" + run, ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000)),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(record(topic, key));
            producer.commitTransaction();
        }
        try (KafkaConsumer<String, byte[]> consumer = consumer(GOVERNOR, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            TopicPartition p = new TopicPartition(topic, 0);
            consumer.assign(List.of(p));
            consumer.seekToBeginning(List.of(p));
            long end = consumer.endOffsets(List.of(p)).get(p);
            boolean found = false;
            while (!found && consumer.position(p) < end) {
                found = consumer.poll(Duration.ofMillis(500)).records(p).stream().anyMatch(r -> key.equals(r.key()));
            }
            assertThat(found).as("governor's committed record read back").isTrue();
        }
    }

    @Test
    void aWrongPasswordIsRefusedByTheBroker() {
        try (Admin admin = Admin.create(LOOP.withPassword(LOOP.password() + "-guessed").clientProperties())) {
            assertThat(catchThrowable(() -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)))
                    .cause().isInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void aClientWithoutSaslCannotWriteAnything() {
        Map<String, Object> plaintext = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.BOOTSTRAP,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(plaintext, new StringSerializer(), new ByteArraySerializer())) {
            Throwable refused = catchThrowable(() -> producer.send(record("rsi.proposals", "anonymous-" + run)).get(30, TimeUnit.SECONDS));
            // The SASL listener answers nothing but the handshake: the client never even learns the topic exists.
            assertThat(refused).isInstanceOfAny(TimeoutException.class, ExecutionException.class);
            if (refused instanceof ExecutionException) {
                assertThat(refused.getCause()).isInstanceOf(TimeoutException.class);
            }
        }
    }

    private static Set<AclOperation> authorized(Login login, String topic) throws Exception {
        try (Admin admin = Admin.create(login.clientProperties())) {
            TopicDescription d = admin.describeTopics(List.of(topic), new DescribeTopicsOptions().includeAuthorizedOperations(true))
                    .allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            return d.authorizedOperations();
        }
    }

    private static KafkaProducer<String, byte[]> producer(Login login) {
        return new KafkaProducer<>(login.with(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000)),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(Login login, Map<String, Object> extra) {
        Map<String, Object> config = login.with(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        config.putAll(extra);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key) {
        return new ProducerRecord<>(topic, key, ("{\"test\":\"KafkaAclIT\",\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
