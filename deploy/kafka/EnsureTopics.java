import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Used by scripts/services (kafka_up, kafka_check) on the broker's own classpath.
 *
 * <pre>
 *   EnsureTopics CLIENT_CONFIG TOPICS_FILE TIMEOUT_SECONDS MODE
 *     MODE wait    wait until the cluster answers a metadata request
 *     MODE ensure  wait, then create missing topics, raise partition counts, set listed configs
 *     MODE check   verify only: every listed topic exists with its partitions and configs
 * </pre>
 *
 * CLIENT_CONFIG is a Kafka client properties file: bootstrap.servers and the admin's SASL (and TLS)
 * settings, as scripts/services writes it. TOPICS_FILE lines: {@code name partitions key=value,key=value|-}; '#' starts a comment.
 * Exit status 0 on success, 1 on a failed check or error, 2 on usage errors.
 */
public final class EnsureTopics {

  private record Spec(String name, int partitions, Map<String, String> configs) {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: EnsureTopics CLIENT_CONFIG TOPICS_FILE TIMEOUT_SECONDS wait|ensure|check");
      System.exit(2);
    }
    Properties props = clientConfig(Path.of(args[0]));
    List<Spec> specs = parse(Path.of(args[1]));
    long timeoutMs = Long.parseLong(args[2]) * 1000L;
    String mode = args[3];

    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "governor-services");

    try (Admin admin = Admin.create(props)) {
      waitForCluster(admin, timeoutMs);
      switch (mode) {
        case "wait" -> { }
        case "ensure" -> ensure(admin, specs);
        case "check" -> {
          if (!check(admin, specs)) {
            System.exit(1);
          }
        }
        default -> {
          System.err.println("unknown mode " + mode);
          System.exit(2);
        }
      }
    } catch (ExecutionException e) {
      System.err.println("kafka: " + e.getCause());
      System.exit(1);
    }
  }

  /** The client properties file scripts/services writes (bootstrap.servers, security settings). */
  static Properties clientConfig(Path file) throws IOException {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      props.load(in);
    }
    return props;
  }

  private static List<Spec> parse(Path file) throws IOException {
    List<Spec> specs = new ArrayList<>();
    for (String raw : Files.readAllLines(file)) {
      String line = raw.replaceAll("#.*", "").trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length != 3) {
        throw new IllegalArgumentException("bad line in " + file + ": " + raw);
      }
      Map<String, String> configs = new LinkedHashMap<>();
      if (!f[2].equals("-")) {
        for (String kv : f[2].split(",")) {
          String[] p = kv.split("=", 2);
          configs.put(p[0], p[1]);
        }
      }
      specs.add(new Spec(f[0], Integer.parseInt(f[1]), configs));
    }
    return specs;
  }

  private static void waitForCluster(Admin admin, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    Exception last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        String clusterId = admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
        int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
        if (nodes > 0) {
          System.out.println("cluster " + clusterId + " answers metadata requests (" + nodes + " broker)");
          return;
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AuthenticationException) {
          // a wrong password does not get better by waiting
          System.err.println("kafka: the broker refused the login: " + e.getCause().getMessage());
          System.exit(1);
        }
        last = e;
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(500);
    }
    System.err.println("kafka: no metadata answer within " + timeoutMs / 1000 + " s" + (last == null ? "" : ": " + last));
    System.exit(1);
  }

  private static void ensure(Admin admin, List<Spec> specs) throws Exception {
    Set<String> existing = admin.listTopics().names().get();
    List<NewTopic> missing = new ArrayList<>();
    for (Spec s : specs) {
      if (!existing.contains(s.name())) {
        missing.add(new NewTopic(s.name(), s.partitions(), (short) 1).configs(s.configs()));
      }
    }
    for (NewTopic t : missing) {
      try {
        admin.createTopics(List.of(t)).all().get();
        System.out.println("created " + describe(t.name(), t.numPartitions(), t.configs()));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    // topics that already existed: bring partitions and configs to what the file says
    List<Spec> preexisting = specs.stream().filter(s -> existing.contains(s.name())).toList();
    Map<String, TopicDescription> described = preexisting.isEmpty() ? Map.of() : describeTopics(admin, preexisting);
    Map<String, Config> configs = preexisting.isEmpty() ? Map.of() : describeConfigs(admin, preexisting);
    for (Spec s : preexisting) {
      int have = described.get(s.name()).partitions().size();
      if (have < s.partitions()) {
        admin.createPartitions(Map.of(s.name(), NewPartitions.increaseTo(s.partitions()))).all().get();
        System.out.println("raised " + s.name() + " from " + have + " to " + s.partitions() + " partitions");
      } else if (have > s.partitions()) {
        System.out.println("note: " + s.name() + " has " + have + " partitions (file says " + s.partitions()
            + "; partitions cannot be removed)");
      }
      List<AlterConfigOp> ops = new ArrayList<>();
      for (Map.Entry<String, String> c : s.configs().entrySet()) {
        ConfigEntry current = configs.get(s.name()).get(c.getKey());
        if (current == null || !c.getValue().equals(current.value())) {
          ops.add(new AlterConfigOp(new ConfigEntry(c.getKey(), c.getValue()), AlterConfigOp.OpType.SET));
        }
      }
      if (!ops.isEmpty()) {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, s.name()), ops)).all().get();
        System.out.println("updated configs of " + s.name() + ": " + s.configs());
      }
      System.out.println("exists  " + describe(s.name(), Math.max(have, s.partitions()), s.configs()));
    }
    awaitTopics(admin, specs);
  }

  /** New topics reach the broker's metadata a moment after the controller accepts them: wait. */
  private static void awaitTopics(Admin admin, List<Spec> specs) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        Map<String, TopicDescription> d = describeTopics(admin, specs);
        boolean led = d.values().stream().allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null));
        if (led) {
          System.out.println("all " + specs.size() + " topics have a leader for every partition");
          return;
        }
      } catch (ExecutionException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("topics without a partition leader after 30 s");
      }
      Thread.sleep(200);
    }
  }

  private static boolean check(Admin admin, List<Spec> specs) throws Exception {
    Set<String> existing = admin.listTopics().names().get();
    boolean ok = true;
    List<Spec> present = new ArrayList<>();
    for (Spec s : specs) {
      if (existing.contains(s.name())) {
        present.add(s);
      } else {
        System.out.println("MISSING " + s.name());
        ok = false;
      }
    }
    if (present.isEmpty()) {
      return ok;
    }
    Map<String, TopicDescription> described = describeTopics(admin, present);
    Map<String, Config> configs = describeConfigs(admin, present);
    for (Spec s : present) {
      int have = described.get(s.name()).partitions().size();
      boolean good = have >= s.partitions();
      for (Map.Entry<String, String> c : s.configs().entrySet()) {
        ConfigEntry current = configs.get(s.name()).get(c.getKey());
        good &= current != null && c.getValue().equals(current.value());
      }
      System.out.println((good ? "ok      " : "WRONG   ") + s.name() + " (" + have + " partitions"
          + (s.configs().isEmpty() ? "" : ", " + s.configs()) + ")");
      ok &= good;
    }
    return ok;
  }

  private static Map<String, TopicDescription> describeTopics(Admin admin, Collection<Spec> specs) throws Exception {
    return admin.describeTopics(specs.stream().map(Spec::name).toList()).allTopicNames().get();
  }

  private static Map<String, Config> describeConfigs(Admin admin, Collection<Spec> specs) throws Exception {
    Map<ConfigResource, Config> byResource = admin.describeConfigs(
        specs.stream().map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList()).all().get();
    Map<String, Config> byName = new LinkedHashMap<>();
    byResource.forEach((r, c) -> byName.put(r.name(), c));
    return byName;
  }

  private static String describe(String name, int partitions, Map<String, String> configs) {
    return name + " (" + partitions + " partitions" + (configs.isEmpty() ? "" : ", " + configs) + ")";
  }
}
