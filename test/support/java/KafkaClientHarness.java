// The real Java Kafka client for acceptance tests: one command per run, one JSON line of results on stdout.
//
// Run in source-launch mode (no javac step), with the jars of scripts/kafka/fetch-client.sh:
//   java -cp '.cache/java-client/4.4.0/libs/*' test/support/java/KafkaClientHarness.java <command> [--flag value]...
// Commands (every one takes --bootstrap host:port[,host:port] and repeatable --config key=value client settings):
//   produce             --topic T --count N [--acks all|1|0] [--size BYTES] [--rate RECORDS_PER_S] [--linger-ms MS] [--partitions K
//                       [--replication-factor R]] (creates T first) [--client-id C] [--delivery-timeout-ms MS]
//                       [--max-block-ms MS]
//   consume             --topic T --group G --count N [--timeout-ms MS] [--client-id C]
//   admin-create-topics --prefix P --count N [--partitions K] [--replication-factor R] [--client-id C]
//                       [--retry-on-quota] (off by default, so every THROTTLING_QUOTA_EXCEEDED surfaces)
//   fence               --topic T --transactional-id X
//   set-quota           --user U | --client-id C --key controller_mutation_rate --value V | --delete
//   set-scram           --user U --password P   (a SCRAM-SHA-512 credential, AlterUserScramCredentials)
//   admin-errors        [--prefix P]   (provokes broker error codes, one request each, and counts them)
// Output, one line: {"command", "ok", ...}. Exit 0 when the command ran to its end (its results may hold
// failures), 1 when it broke off ("failure": an outcome saying why), 2 on a usage error ("usage").
//   outcome      {"error": Kafka error name or "NONE" (a client-side non-protocol exception: its class name),
//                 "code": protocol code (0 none, -1 not a protocol error), "exception", "message", "stage"}
//   error counts {"<ERROR_NAME>": {"code", "count", "exceptions": {"<class>": count}}}
//   produce             sent, succeeded, failed, errors (counts), elapsedMs, metrics: record-send-total,
//                       record-retry-total, record-error-total, request-total, response-total,
//                       produce-throttle-time-avg, produce-throttle-time-max (the producer's own figures)
//   consume             consumed, complete, partitions [..], commits, commitErrors (counts), elapsedMs, metrics:
//                       records-consumed-total, fetch-total, commit-total, rebalance-total, failed-rebalance-total,
//                       fetch-throttle-time-max
//   admin-create-topics created, failed, errors (counts), topics {"<name>": outcome}
//   fence               first, second: outcomes of each producer's commitTransaction (first: PRODUCER_FENCED 90)
//   set-quota           entity, key, value, visible (describeClientQuotas shows it), elapsedMs
//   set-scram           user, visible (describeUserScramCredentials lists it)
//   admin-errors        prefix, unexpected (steps whose error differed), caused (counts), steps [{step, expected,
//                       expectedCode, ...outcome}]: one request each for TOPIC_ALREADY_EXISTS 36,
//                       INVALID_PARTITIONS 37 (x2), INVALID_REPLICATION_FACTOR 38, INVALID_TOPIC_EXCEPTION 17,
//                       INVALID_CONFIG 40, GROUP_ID_NOT_FOUND 69, OFFSET_OUT_OF_RANGE 1
// The same jars also run org.apache.kafka.tools.ProducerPerformance and ConsumerPerformance.
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class KafkaClientHarness {
  public static void main(String[] argv) {
    // Client logs go to stderr (slf4j-simple); WARN unless the caller asks for more with -D.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("command", argv.length > 0 ? argv[0] : "");
    out.put("ok", true);
    int exit = 0;
    try {
      if (argv.length == 0) throw new UsageException("no command");
      Args args = Args.parse(argv);
      switch (argv[0]) {
        case "produce" -> produce(args, out);
        case "consume" -> consume(args, out);
        case "admin-create-topics" -> adminCreateTopics(args, out);
        case "fence" -> fence(args, out);
        case "set-quota" -> setQuota(args, out);
        case "set-scram" -> setScram(args, out);
        case "admin-errors" -> adminErrors(args, out);
        default -> throw new UsageException("unknown command: " + argv[0]);
      }
    } catch (UsageException e) {
      out.put("ok", false);
      out.put("usage", e.getMessage());
      exit = 2;
    } catch (Throwable t) {
      out.put("ok", false);
      out.put("failure", Outcome.of(t).toJson());
      exit = 1;
    }
    System.out.println(Json.write(out));
    System.out.flush();
    // Client threads (a producer's sender after a fenced close) must not keep the JVM alive.
    System.exit(exit);
  }

  // ---- produce -------------------------------------------------------------------------------------------

  static void produce(Args args, Map<String, Object> out) throws Exception {
    String bootstrap = args.required("bootstrap");
    String topic = args.required("topic");
    int count = args.integer("count", null);
    String acks = args.string("acks", "all");
    int size = args.integer("size", 100);
    // Records per second, 0 for as fast as it goes: a paced run lasts long enough to stop a broker under it.
    int rate = args.integer("rate", 0);
    Properties props = clientProps(args, bootstrap, "harness-producer");
    props.put(ProducerConfig.ACKS_CONFIG, acks);
    props.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(args.integer("linger-ms", 5)));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(args.integer("delivery-timeout-ms", 30_000)));
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(args.integer("max-block-ms", 10_000)));
    // Idempotence requires acks=all; with acks 0 or 1 the default would make the producer refuse to start.
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(acks.equals("all") || acks.equals("-1")));
    props.putAll(args.configs());
    Integer partitions = args.has("partitions") ? args.integer("partitions", null) : null;
    short rf = (short) args.integer("replication-factor", -1);
    args.done();
    if (partitions != null) createTopicIfMissing(bootstrap, topic, partitions, rf);

    long started = System.nanoTime();
    byte[] value = new byte[size];
    AtomicInteger succeeded = new AtomicInteger();
    ErrorCounts errors = new ErrorCounts();
    Map<String, Object> metrics;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        if (rate > 0) {
          long due = started + (long) i * 1_000_000_000L / rate;
          long wait = due - System.nanoTime();
          if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        byte[] key = ("key-" + i).getBytes();
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
          if (error == null) succeeded.incrementAndGet();
          else errors.add(Outcome.of(error));
        });
      }
      producer.flush();
      metrics = metrics(producer.metrics(), Set.of("record-send-total", "record-retry-total",
          "record-error-total", "request-total", "response-total", "produce-throttle-time-avg",
          "produce-throttle-time-max"), "producer-metrics");
    }
    out.put("sent", count);
    out.put("succeeded", succeeded.get());
    out.put("failed", errors.total());
    out.put("errors", errors.toJson());
    out.put("metrics", metrics);
    out.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
  }

  // ---- consume -------------------------------------------------------------------------------------------

  static void consume(Args args, Map<String, Object> out) throws Exception {
    String bootstrap = args.required("bootstrap");
    String topic = args.required("topic");
    String group = args.required("group");
    int count = args.integer("count", null);
    long timeoutMs = args.integer("timeout-ms", 30_000);
    Properties props = clientProps(args, bootstrap, "harness-consumer");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.putAll(args.configs());
    args.done();

    long started = System.nanoTime();
    long deadline = System.currentTimeMillis() + timeoutMs;
    int consumed = 0;
    int commits = 0;
    ErrorCounts commitErrors = new ErrorCounts();
    Set<Integer> partitions = new TreeSet<>();
    Map<String, Object> metrics;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (consumed < count && System.currentTimeMillis() < deadline) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) continue;
        for (ConsumerRecord<byte[], byte[]> record : records) partitions.add(record.partition());
        consumed += records.count();
        try {
          consumer.commitSync();
          commits++;
        } catch (Exception e) {
          commitErrors.add(Outcome.of(e));
        }
      }
      metrics = metrics(consumer.metrics(), Set.of("records-consumed-total", "fetch-total",
          "commit-total", "rebalance-total", "failed-rebalance-total", "fetch-throttle-time-max"), null);
    }
    out.put("consumed", consumed);
    out.put("complete", consumed >= count);
    out.put("partitions", partitions);
    out.put("commits", commits);
    out.put("commitErrors", commitErrors.toJson());
    out.put("metrics", metrics);
    out.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
  }

  // ---- admin-create-topics -------------------------------------------------------------------------------

  static void adminCreateTopics(Args args, Map<String, Object> out) throws Exception {
    String bootstrap = args.required("bootstrap");
    String prefix = args.required("prefix");
    int count = args.integer("count", null);
    int partitions = args.integer("partitions", 1);
    short rf = (short) args.integer("replication-factor", -1);
    boolean retryOnQuota = args.flag("retry-on-quota");
    Properties props = clientProps(args, bootstrap, "harness-admin");
    props.putAll(args.configs());
    args.done();

    List<NewTopic> topics = new ArrayList<>();
    for (int i = 0; i < count; i++) topics.add(new NewTopic(prefix + "-" + i, Optional.of(partitions), Optional.of(rf)));
    Map<String, Object> perTopic = new LinkedHashMap<>();
    ErrorCounts errors = new ErrorCounts();
    int created = 0;
    try (Admin admin = Admin.create(props)) {
      // One CreateTopics request for all topics; each topic's outcome comes back on its own.
      var result = admin.createTopics(topics, new CreateTopicsOptions().retryOnQuotaViolation(retryOnQuota));
      for (NewTopic topic : topics) {
        Outcome outcome = Outcome.of(() -> result.values().get(topic.name()).get());
        perTopic.put(topic.name(), outcome.toJson());
        if (outcome.ok()) created++;
        else errors.add(outcome);
      }
    }
    out.put("created", created);
    out.put("failed", errors.total());
    out.put("errors", errors.toJson());
    out.put("topics", perTopic);
  }

  // ---- fence ---------------------------------------------------------------------------------------------

  static void fence(Args args, Map<String, Object> out) throws Exception {
    String bootstrap = args.required("bootstrap");
    String topic = args.required("topic");
    String transactionalId = args.required("transactional-id");
    Map<String, String> configs = args.configs();
    args.done();
    createTopicIfMissing(bootstrap, topic, 1, (short) -1);

    KafkaProducer<byte[], byte[]> first = transactional(bootstrap, transactionalId, "harness-fence-first", configs);
    KafkaProducer<byte[], byte[]> second = transactional(bootstrap, transactionalId, "harness-fence-second", configs);
    try {
      first.initTransactions();
      first.beginTransaction();
      first.send(new ProducerRecord<>(topic, "first".getBytes())).get();
      // Same transactional id: the coordinator bumps the epoch and aborts the first producer's transaction.
      second.initTransactions();
      Outcome firstOutcome = Outcome.of(first::commitTransaction).at("commitTransaction");
      Outcome secondOutcome = Outcome.of(() -> {
        second.beginTransaction();
        second.send(new ProducerRecord<>(topic, "second".getBytes())).get();
        second.commitTransaction();
      }).at("commitTransaction");
      out.put("first", firstOutcome.toJson());
      out.put("second", secondOutcome.toJson());
    } finally {
      first.close(Duration.ZERO);
      second.close(Duration.ofSeconds(5));
    }
  }

  static KafkaProducer<byte[], byte[]> transactional(
      String bootstrap, String transactionalId, String clientId, Map<String, String> configs) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    props.putAll(configs);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  // ---- set-quota -----------------------------------------------------------------------------------------

  static void setScram(Args args, Map<String, Object> out) throws Exception {
    String bootstrap = args.required("bootstrap");
    String user = args.required("user");
    String password = args.required("password");
    Properties props = clientProps(args, bootstrap, "harness-scram");
    props.putAll(args.configs());
    args.done();
    try (Admin admin = Admin.create(props)) {
      var info = new org.apache.kafka.clients.admin.ScramCredentialInfo(
          org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 4096);
      admin.alterUserScramCredentials(List.of(
          new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(user, info, password))).all().get();
      boolean visible = false;
      for (int i = 0; i < 50 && !visible; i++) {
        visible = admin.describeUserScramCredentials(List.of(user)).all().get().containsKey(user);
        if (!visible) Thread.sleep(100);
      }
      out.put("user", user); // never the password
      out.put("visible", visible);
    }
  }

  static void setQuota(Args args, Map<String, Object> out) throws Exception {
    String bootstrap = args.required("bootstrap");
    String user = args.string("user", null);
    String clientId = args.string("client-id", null);
    if ((user == null) == (clientId == null)) throw new UsageException("set-quota needs exactly one of --user, --client-id");
    String key = args.required("key");
    boolean delete = args.flag("delete");
    Double value = delete ? null : Double.valueOf(args.required("value"));
    // --client-id names the quota's entity here, not this admin client.
    Properties props = clientProps(bootstrap, "harness-quota-admin");
    props.putAll(args.configs());
    args.done();

    Map<String, String> entityMap = new HashMap<>();
    entityMap.put(user != null ? ClientQuotaEntity.USER : ClientQuotaEntity.CLIENT_ID, user != null ? user : clientId);
    ClientQuotaEntity entity = new ClientQuotaEntity(entityMap);
    long started = System.nanoTime();
    try (Admin admin = Admin.create(props)) {
      var op = new ClientQuotaAlteration.Op(key, value);
      admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity, List.of(op)))).all().get();
      // Wait until the brokers' metadata shows it, so the caller's next request meets the new quota.
      var filter = ClientQuotaFilter.containsOnly(List.of(user != null
          ? ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.USER, user)
          : ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.CLIENT_ID, clientId)));
      long deadline = System.currentTimeMillis() + 10_000;
      boolean visible = false;
      while (!visible && System.currentTimeMillis() < deadline) {
        Map<String, Double> seen = admin.describeClientQuotas(filter).entities().get().getOrDefault(entity, Map.of());
        visible = value == null ? !seen.containsKey(key) : value.equals(seen.get(key));
        if (!visible) Thread.sleep(100);
      }
      out.put("visible", visible);
    }
    out.put("entity", entityMap);
    out.put("key", key);
    out.put("value", value);
    out.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
  }

  // ---- admin-errors --------------------------------------------------------------------------------------

  /** One request of admin-errors: what it should provoke and how to send it. */
  record Step(String name, Errors expected, Outcome.Action action) {}

  static void adminErrors(Args args, Map<String, Object> out) throws Exception {
    String bootstrap = args.required("bootstrap");
    String prefix = args.string("prefix", "harness-errors-" + UUID.randomUUID().toString().substring(0, 8));
    Properties props = clientProps(args, bootstrap, "harness-errors-admin");
    props.putAll(args.configs());
    args.done();

    String base = prefix + "-base";
    List<Map<String, Object>> steps = new ArrayList<>();
    ErrorCounts caused = new ErrorCounts();
    int unexpected = 0;
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(List.of(new NewTopic(base, 2, (short) 1))).all().get();
      List<Step> plan = List.of(
          new Step("create an existing topic", Errors.TOPIC_ALREADY_EXISTS,
              () -> create(admin, new NewTopic(base, 1, (short) 1))),
          new Step("create a topic with 0 partitions", Errors.INVALID_PARTITIONS,
              () -> create(admin, new NewTopic(prefix + "-zero", Optional.of(0), Optional.of((short) 1)))),
          new Step("shrink a topic from 2 partitions to 1", Errors.INVALID_PARTITIONS,
              () -> admin.createPartitions(Map.of(base, NewPartitions.increaseTo(1))).all().get()),
          new Step("create a topic with replication factor 100", Errors.INVALID_REPLICATION_FACTOR,
              () -> create(admin, new NewTopic(prefix + "-rf", 1, (short) 100))),
          new Step("create a topic whose name has a '/'", Errors.INVALID_TOPIC_EXCEPTION,
              () -> create(admin, new NewTopic(prefix + "/bad", 1, (short) 1))),
          new Step("create a topic with cleanup.policy=bogus", Errors.INVALID_CONFIG,
              () -> create(admin, new NewTopic(prefix + "-config", 1, (short) 1)
                  .configs(Map.of("cleanup.policy", "bogus")))),
          new Step("delete a group that never existed", Errors.GROUP_ID_NOT_FOUND,
              () -> admin.deleteConsumerGroups(List.of(prefix + "-no-group")).all().get()),
          new Step("delete records past the end of an empty partition", Errors.OFFSET_OUT_OF_RANGE,
              () -> admin.deleteRecords(Map.of(new TopicPartition(base, 0), RecordsToDelete.beforeOffset(1000)))
                  .all().get()));
      for (Step step : plan) {
        Outcome outcome = Outcome.of(step.action());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("step", step.name());
        json.put("expected", step.expected().name());
        json.put("expectedCode", (int) step.expected().code());
        json.putAll(outcome.toJson());
        steps.add(json);
        if (!outcome.ok()) caused.add(outcome);
        if (!step.expected().name().equals(outcome.error())) unexpected++;
      }
      admin.deleteTopics(List.of(base)).all().get();
    }
    out.put("prefix", prefix);
    out.put("unexpected", unexpected);
    out.put("caused", caused.toJson());
    out.put("steps", steps);
  }

  static void create(Admin admin, NewTopic topic) throws Exception {
    admin.createTopics(List.of(topic)).all().get();
  }

  // ---- shared --------------------------------------------------------------------------------------------

  static Properties clientProps(Args args, String bootstrap, String defaultClientId) {
    return clientProps(bootstrap, args.string("client-id", defaultClientId));
  }

  static Properties clientProps(String bootstrap, String clientId) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    return props;
  }

  static void createTopicIfMissing(String bootstrap, String topic, int partitions, short rf) throws Exception {
    try (Admin admin = Admin.create(clientProps(bootstrap, "harness-setup"))) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.of(rf)))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
  }

  /** The named client metrics (first match per name; `group` null: any group) as name → value. */
  static Map<String, Object> metrics(Map<MetricName, ? extends Metric> all, Set<String> names, String group) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (var entry : all.entrySet()) {
      MetricName name = entry.getKey();
      if (!names.contains(name.name()) || (group != null && !group.equals(name.group()))) continue;
      if (!name.tags().isEmpty() && name.tags().keySet().stream().anyMatch(t -> !t.equals("client-id"))) continue;
      out.putIfAbsent(name.name(), entry.getValue().metricValue());
    }
    return out;
  }

  /** How one operation ended: NONE, or the Kafka error (name and code) of the first ApiException in its causes. */
  record Outcome(String error, int code, String exception, String message, String stage) {
    interface Action {
      void run() throws Exception;
    }

    static Outcome of(Action action) {
      try {
        action.run();
        return new Outcome("NONE", 0, null, null, null);
      } catch (Throwable t) {
        return of(t);
      }
    }

    static Outcome of(Throwable t) {
      Throwable root = t;
      for (Throwable c = t; c != null; c = c.getCause()) {
        if (c instanceof ApiException) return fromApi((ApiException) c);
        root = c;
      }
      // Not from the protocol (e.g. an IllegalStateException of the client): the class names it.
      return new Outcome(root.getClass().getSimpleName(), -1, root.getClass().getName(), root.getMessage(), null);
    }

    static Outcome fromApi(ApiException e) {
      Errors error = Errors.forException(e);
      return new Outcome(error.name(), error.code(), e.getClass().getName(), e.getMessage(), null);
    }

    Outcome at(String stage) {
      return new Outcome(error, code, exception, message, stage);
    }

    boolean ok() {
      return code == 0;
    }

    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("error", error);
      json.put("code", code);
      if (exception != null) json.put("exception", exception);
      if (message != null) json.put("message", message);
      if (stage != null) json.put("stage", stage);
      return json;
    }
  }

  /** Failures grouped by error name: {NAME: {code, count, exceptions: {class: count}}}. Thread-safe. */
  static final class ErrorCounts {
    private final Map<String, Map<String, Object>> byError = new LinkedHashMap<>();
    private int total;

    synchronized void add(Outcome outcome) {
      total++;
      Map<String, Object> entry = byError.computeIfAbsent(outcome.error(), k -> {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", outcome.code());
        e.put("count", 0);
        e.put("exceptions", new LinkedHashMap<String, Integer>());
        return e;
      });
      entry.put("count", (Integer) entry.get("count") + 1);
      @SuppressWarnings("unchecked")
      Map<String, Integer> exceptions = (Map<String, Integer>) entry.get("exceptions");
      exceptions.merge(String.valueOf(outcome.exception()), 1, Integer::sum);
    }

    synchronized int total() {
      return total;
    }

    synchronized Map<String, Object> toJson() {
      return new LinkedHashMap<>(byError);
    }
  }

  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /** `--name value`, `--flag` (no value), `--config key=value` (repeatable); every flag must be read. */
  static final class Args {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> configs = new LinkedHashMap<>();
    private final Set<String> read = new TreeSet<>();

    static Args parse(String[] argv) throws UsageException {
      Args args = new Args();
      for (int i = 1; i < argv.length; i++) {
        if (!argv[i].startsWith("--")) throw new UsageException("unexpected argument: " + argv[i]);
        String name = argv[i].substring(2);
        boolean hasValue = i + 1 < argv.length && !argv[i + 1].startsWith("--");
        String value = hasValue ? argv[++i] : "true";
        if (name.equals("config")) {
          int eq = value.indexOf('=');
          if (eq <= 0) throw new UsageException("--config needs key=value, got: " + value);
          args.configs.put(value.substring(0, eq), value.substring(eq + 1));
        } else {
          args.values.put(name, value);
        }
      }
      return args;
    }

    boolean has(String name) {
      return values.containsKey(name);
    }

    String string(String name, String fallback) {
      read.add(name);
      return values.getOrDefault(name, fallback);
    }

    String required(String name) throws UsageException {
      String value = string(name, null);
      if (value == null) throw new UsageException("missing --" + name);
      return value;
    }

    int integer(String name, Integer fallback) throws UsageException {
      String value = string(name, null);
      if (value == null) {
        if (fallback == null) throw new UsageException("missing --" + name);
        return fallback;
      }
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new UsageException("--" + name + " is not an integer: " + value);
      }
    }

    boolean flag(String name) {
      return Boolean.parseBoolean(string(name, "false"));
    }

    Map<String, String> configs() {
      read.add("config");
      return configs;
    }

    /** Rejects flags the command never read: a typo must not silently change nothing. */
    void done() throws UsageException {
      Set<String> unknown = new TreeSet<>(values.keySet());
      unknown.removeAll(read);
      if (!unknown.isEmpty()) throw new UsageException("unknown flag(s): --" + String.join(", --", unknown));
    }
  }

  /** Just enough JSON: maps, collections, strings, numbers, booleans, null. */
  static final class Json {
    static String write(Object value) {
      StringBuilder sb = new StringBuilder();
      write(sb, value);
      return sb.toString();
    }

    static void write(StringBuilder sb, Object value) {
      if (value == null) {
        sb.append("null");
      } else if (value instanceof Map<?, ?> map) {
        sb.append('{');
        boolean first = true;
        for (var entry : map.entrySet()) {
          if (!first) sb.append(',');
          first = false;
          string(sb, String.valueOf(entry.getKey()));
          sb.append(':');
          write(sb, entry.getValue());
        }
        sb.append('}');
      } else if (value instanceof Collection<?> list) {
        sb.append('[');
        boolean first = true;
        for (Object item : list) {
          if (!first) sb.append(',');
          first = false;
          write(sb, item);
        }
        sb.append(']');
      } else if (value instanceof Double d) {
        sb.append(d.isNaN() || d.isInfinite() ? "null" : (d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : d.toString()));
      } else if (value instanceof Number || value instanceof Boolean) {
        sb.append(value);
      } else {
        string(sb, value.toString());
      }
    }

    static void string(StringBuilder sb, String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
          }
        }
      }
      sb.append('"');
    }
  }
}
