import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Used by scripts/services (kafka_up, kafka_check) beside EnsureTopics: the broker's SCRAM users
 * and ACLs.
 *
 * <pre>
 *   EnsureAccess CLIENT_CONFIG USERS_FILE ACLS_FILE MODE
 *     MODE ensure  (re)set the SCRAM-SHA-512 credentials of the governor and loop users, create the
 *                  ACLs of acls.txt for each of them, remove their ACLs that acls.txt does not list
 *     MODE check   every SCRAM user logs in; a wrong password is refused; each user's ACLs are
 *                  exactly those of acls.txt; a loop user is refused a write to a topic it may not
 *                  write
 * </pre>
 *
 * CLIENT_CONFIG: the admin's client properties (EnsureTopics). USERS_FILE lines:
 * {@code user password role}, passwords already resolved (scripts/services writes this file).
 * ACLS_FILE lines: {@code role resource pattern name operations}.
 * Exit status 0 on success, 1 on a failed check or error, 2 on usage errors.
 */
public final class EnsureAccess {

  private static final int SCRAM_ITERATIONS = 4096;
  /** Roles whose users log in with SCRAM on the CLIENT listener. */
  private static final Set<String> SCRAM_ROLES = Set.of("broker", "admin", "governor", "loop");
  /** Roles whose credentials `up` may set on a running broker (the others are fixed at format time). */
  private static final Set<String> MANAGED_ROLES = Set.of("governor", "loop");

  record User(String name, String password, String role) {}

  record Rule(String role, ResourceType resource, PatternType pattern, String name, List<AclOperation> operations) {
    List<AclBinding> bindingsFor(String user) {
      String resourceName = name.replace("{user}", user);
      List<AclBinding> out = new ArrayList<>();
      for (AclOperation op : operations) {
        out.add(new AclBinding(new ResourcePattern(resource, resourceName, pattern),
            new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
      }
      return out;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: EnsureAccess CLIENT_CONFIG USERS_FILE ACLS_FILE ensure|check");
      System.exit(2);
    }
    Properties admin = EnsureTopics.clientConfig(Path.of(args[0]));
    List<User> users = users(Path.of(args[1]));
    List<Rule> rules = rules(Path.of(args[2]));
    String mode = args[3];
    admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    admin.put(AdminClientConfig.CLIENT_ID_CONFIG, "governor-services-access");
    try (Admin client = Admin.create(admin)) {
      switch (mode) {
        case "ensure" -> ensure(client, users, rules);
        case "check" -> {
          if (!check(client, admin, users, rules)) {
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

  static List<User> users(Path file) throws IOException {
    List<User> users = new ArrayList<>();
    for (String[] f : fields(file, 3)) {
      users.add(new User(f[0], f[1], f[2]));
    }
    return users;
  }

  static List<Rule> rules(Path file) throws IOException {
    List<Rule> rules = new ArrayList<>();
    for (String[] f : fields(file, 5)) {
      List<AclOperation> ops = new ArrayList<>();
      for (String op : f[4].split(",")) {
        ops.add(AclOperation.valueOf(op.toUpperCase(Locale.ROOT)));
      }
      rules.add(new Rule(f[0], ResourceType.valueOf(f[1].toUpperCase(Locale.ROOT).replace('-', '_')),
          PatternType.valueOf(f[2].toUpperCase(Locale.ROOT)), f[3], ops));
    }
    return rules;
  }

  private static List<String[]> fields(Path file, int count) throws IOException {
    List<String[]> out = new ArrayList<>();
    for (String raw : Files.readAllLines(file)) {
      String line = raw.replaceAll("#.*", "").trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length != count) {
        throw new IllegalArgumentException("bad line in " + file + " (expected " + count + " fields): " + raw);
      }
      out.add(f);
    }
    return out;
  }

  /** The ACLs acls.txt gives each governor and loop user. */
  static Map<String, Set<AclBinding>> expected(List<User> users, List<Rule> rules) {
    Map<String, Set<AclBinding>> out = new LinkedHashMap<>();
    for (User u : users) {
      if (!MANAGED_ROLES.contains(u.role())) {
        continue;
      }
      Set<AclBinding> bindings = new LinkedHashSet<>();
      for (Rule r : rules) {
        if (r.role().equals(u.role())) {
          bindings.addAll(r.bindingsFor(u.name()));
        }
      }
      out.put(u.name(), bindings);
    }
    return out;
  }

  private static void ensure(Admin admin, List<User> users, List<Rule> rules) throws Exception {
    List<UserScramCredentialAlteration> upserts = new ArrayList<>();
    for (User u : users) {
      if (MANAGED_ROLES.contains(u.role())) {
        upserts.add(new UserScramCredentialUpsertion(u.name(),
            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), u.password()));
      }
    }
    if (!upserts.isEmpty()) {
      admin.alterUserScramCredentials(upserts).all().get(30, TimeUnit.SECONDS);
      System.out.println("SCRAM-SHA-512 credentials set for " + upserts.stream().map(UserScramCredentialAlteration::user).toList());
    }
    for (Map.Entry<String, Set<AclBinding>> e : expected(users, rules).entrySet()) {
      Set<AclBinding> have = aclsOf(admin, e.getKey());
      List<AclBinding> missing = e.getValue().stream().filter(b -> !have.contains(b)).toList();
      List<AclBindingFilter> stale = have.stream().filter(b -> !e.getValue().contains(b)).map(AclBinding::toFilter).toList();
      if (!missing.isEmpty()) {
        admin.createAcls(missing).all().get(30, TimeUnit.SECONDS);
      }
      if (!stale.isEmpty()) {
        admin.deleteAcls(stale).all().get(30, TimeUnit.SECONDS);
      }
      System.out.println("ACLs of " + e.getKey() + ": " + e.getValue().size() + " (" + missing.size() + " created, "
          + stale.size() + " removed)");
    }
  }

  private static Set<AclBinding> aclsOf(Admin admin, String user) throws Exception {
    AclBindingFilter filter = new AclBindingFilter(ResourcePatternFilter.ANY,
        new AccessControlEntryFilter("User:" + user, null, AclOperation.ANY, AclPermissionType.ANY));
    return new LinkedHashSet<>(admin.describeAcls(filter).values().get(30, TimeUnit.SECONDS));
  }

  private static boolean check(Admin admin, Properties adminConfig, List<User> users, List<Rule> rules) throws Exception {
    boolean ok = true;
    for (User u : users) {
      if (SCRAM_ROLES.contains(u.role())) {
        ok &= report(logsIn(adminConfig, u.name(), u.password()), "login of " + u.name() + " (" + u.role() + ")");
      }
    }
    User probe = users.stream().filter(u -> u.role().equals("loop")).findFirst()
        .orElse(users.stream().filter(u -> u.role().equals("governor")).findFirst().orElse(null));
    if (probe != null) {
      ok &= report(refused(adminConfig, probe.name(), probe.password() + "-wrong"), "wrong password of " + probe.name() + " refused");
    }
    for (Map.Entry<String, Set<AclBinding>> e : expected(users, rules).entrySet()) {
      Set<AclBinding> have = aclsOf(admin, e.getKey());
      ok &= report(have.equals(e.getValue()), "ACLs of " + e.getKey() + " (" + have.size() + ", acls.txt: " + e.getValue().size() + ")");
    }
    for (User u : users) {
      if (u.role().equals("loop")) {
        ok &= report(writeRefused(adminConfig, u, "rsi.decisions"), "write of " + u.name() + " to rsi.decisions refused");
      }
    }
    return ok;
  }

  private static boolean report(boolean good, String what) {
    System.out.println((good ? "ok      " : "FAILED  ") + what);
    return good;
  }

  /** The admin's connection settings with another user's SCRAM login. */
  private static Properties as(Properties adminConfig, String user, String password) {
    Properties p = new Properties();
    p.putAll(adminConfig);
    p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user + "\" password=\"" + password + "\";");
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "governor-services-check");
    return p;
  }

  private static boolean logsIn(Properties adminConfig, String user, String password) {
    try (Admin a = Admin.create(as(adminConfig, user, password))) {
      a.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      System.out.println("        " + user + ": " + rootMessage(e));
      return false;
    }
  }

  private static boolean refused(Properties adminConfig, String user, String password) {
    // The client logs the refusal it is expected to meet as an ERROR: keep it out of the check's output.
    Configurator.setLevel("org.apache.kafka.clients", Level.OFF);
    try (Admin a = Admin.create(as(adminConfig, user, password))) {
      a.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
      System.out.println("        " + user + " logged in with a wrong password");
      return false;
    } catch (ExecutionException e) {
      return e.getCause() instanceof SaslAuthenticationException;
    } catch (Exception e) {
      System.out.println("        " + rootMessage(e));
      return false;
    } finally {
      Configurator.setLevel("org.apache.kafka.clients", Level.WARN);
    }
  }

  private static boolean writeRefused(Properties adminConfig, User u, String topic) {
    Properties p = as(adminConfig, u.name(), u.password());
    p.remove(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG);
    p.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "check", "refused?")).get(15, TimeUnit.SECONDS);
      System.out.println("        " + u.name() + " wrote to " + topic);
      return false;
    } catch (ExecutionException e) {
      return e.getCause() instanceof TopicAuthorizationException;
    } catch (TopicAuthorizationException e) {
      return true;
    } catch (Exception e) {
      System.out.println("        " + rootMessage(e));
      return false;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private EnsureAccess() {
  }
}
