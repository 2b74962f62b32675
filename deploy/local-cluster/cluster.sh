#!/usr/bin/env bash
# A local Flink 2.2 standalone cluster and a Kafka 4.2 KRaft broker for tests, each its own JVM, all bound to
# 127.0.0.1, from the jars `mvn -f deploy/local-cluster/pom.xml package` copies to target/flink-lib and
# target/kafka-lib (flink-dist is not on Maven Central, so there are no Flink shell scripts to call).
#
# Usage: deploy/local-cluster/cluster.sh COMMAND [ARGS]   (cluster.sh help lists the commands)
#
# State folder: $CLUSTER_DIR (default deploy/local-cluster/target/cluster) holds everything a cluster writes:
#   ports, settings            the ports and sizes `start` chose (name=value lines)
#   conf/flink/                config.yaml (JobManager, TaskManagers and the flink client), log4j properties
#   conf/kafka/                server.properties, log4j2 properties, bin/ wrappers for deploy/kafka/create-topics.sh
#   pids/NAME.pid              jobmanager, taskmanager-I, kafka
#   logs/NAME.log, NAME.out    log4j log and stdout/stderr of each process; client.log for `submit`
#   kafka/data/                the broker's log dirs (kept across kill-broker / start-broker)
#   checkpoints/ savepoints/   execution.checkpointing.dir and .savepoint-dir
#   tmp/NAME/                  io.tmp.dirs and java.io.tmpdir of each process
# `start` empties these first (a fresh cluster each time); `stop` leaves them for inspection.
#
# Processes are only ever signalled through their pid files, and only when /proc/PID/cmdline still names this
# state folder's conf/ (a recycled PID is never touched). Nothing is looked up by process name.
#
# Environment (sizes in MiB):
#   CLUSTER_DIR          state folder (no whitespace, quotes, backslashes or colons in the path)
#   CLUSTER_BASE_PORT    use BASE.. for the ports instead of free ones picked by the OS: kafka=BASE,
#                        kafka-controller=BASE+1, jobmanager-rpc=BASE+2, blob=BASE+3, rest=BASE+4,
#                        taskmanager-I-rpc=BASE+3+2I, taskmanager-I-data=BASE+4+2I, and the Prometheus
#                        reporters' range (one port per Flink JVM) from BASE+100
#   CLUSTER_FLINK_LIB, CLUSTER_KAFKA_LIB   jar folders (default target/flink-lib, target/kafka-lib beside this script)
#   JAVA_HOME            java to run (default: java on PATH); Java 17 or later
#   TM_TASK_HEAP_MB=768 TM_TASK_OFF_HEAP_MB=128 TM_MANAGED_MB=64 TM_NETWORK_MB=64   per TaskManager
#   JM_HEAP_MB=512 BROKER_HEAP_MB=512
#   RESTART_ATTEMPTS=30 RESTART_DELAY=2s   the cluster's fixed-delay restart strategy (a job may set its own)
#   JM_JAVA_OPTS, TM_JAVA_OPTS, BROKER_JAVA_OPTS, CLIENT_JAVA_OPTS   extra JVM options (word-split)
#   START_TIMEOUT=180    seconds `start` waits for the broker and for the TaskManagers to register
#   STOP_TIMEOUT=20      seconds `stop` waits after SIGTERM before SIGKILL
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)

cluster_dir=${CLUSTER_DIR:-$script_dir/target/cluster}
flink_lib=${CLUSTER_FLINK_LIB:-$script_dir/target/flink-lib}
kafka_lib=${CLUSTER_KAFKA_LIB:-$script_dir/target/kafka-lib}
java_bin=${JAVA_HOME:+$JAVA_HOME/bin/}java

tm_task_heap_mb=${TM_TASK_HEAP_MB:-768}
tm_task_off_heap_mb=${TM_TASK_OFF_HEAP_MB:-128}
tm_managed_mb=${TM_MANAGED_MB:-64}
tm_network_mb=${TM_NETWORK_MB:-64}
tm_framework_heap_mb=128
tm_framework_off_heap_mb=128
tm_metaspace_mb=256
tm_overhead_mb=192
jm_heap_mb=${JM_HEAP_MB:-512}
jm_off_heap_mb=128
jm_metaspace_mb=256
broker_heap_mb=${BROKER_HEAP_MB:-512}
restart_attempts=${RESTART_ATTEMPTS:-30}
restart_delay=${RESTART_DELAY:-2s}
start_timeout=${START_TIMEOUT:-180}
stop_timeout=${STOP_TIMEOUT:-20}

# What flink-dist's conf/config.yaml passes to every Flink JVM on Java 17 (env.java.opts.all).
java17_opts=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

jm_main=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
tm_main=org.apache.flink.runtime.taskexecutor.TaskManagerRunner
broker_main=kafka.Kafka

conf_dir=$cluster_dir/conf
pid_dir=$cluster_dir/pids
log_dir=$cluster_dir/logs
tmp_dir=$cluster_dir/tmp

usage() {
  cat <<'USAGE'
Usage: cluster.sh COMMAND [ARGS]

  start [--taskmanagers N] [--slots S]   start the broker, the JobManager and N (2) TaskManagers with S (2) slots
                                         each; prints bootstrap.servers=..., rest=... and metrics=... (the
                                         Prometheus endpoints of the JobManager and TaskManagers)
  stop                                   SIGTERM every recorded process, SIGKILL after STOP_TIMEOUT (20) s
  status                                 processes, ports, registered TaskManagers and jobs

  submit [-p N] [-s|--from-savepoint PATH] [-n|--allow-non-restored-state] [-c|--class CLASS] [-D KEY=VALUE]...
         JAR [ARGS...]                   `flink run -d`; prints the job id
  jobs                                   job id, state and name of every job
  wait-job JOBID [STATE] [--timeout S]   wait (60 s) until the job is STATE (default RUNNING: the job and all its
                                         tasks running); fails early if the job ends in another state
  stop-job JOBID [--savepoint DIR] [--drain]   stop with a savepoint (default dir: the cluster's); prints its path
  cancel JOBID                           cancel and wait until CANCELED

  kill-taskmanager I                     kill -9 TaskManager I (1-based)
  start-taskmanager I                    start TaskManager I again (same config and ports), or a new one
  wait-taskmanagers N [--timeout S]      wait (60 s) until the JobManager counts N registered TaskManagers
  kill-broker                            kill -9 the Kafka broker
  start-broker                           start it again on the same data dir and port

  create-topics [PARTITIONS]             deploy/kafka/create-topics.sh against this broker (replication 1)
  kafka-topics ARGS...                   Kafka's kafka-topics tool, --bootstrap-server added
  kafka-configs ARGS...                  Kafka's kafka-configs tool, --bootstrap-server added

Environment: CLUSTER_DIR, CLUSTER_BASE_PORT, sizes and timeouts: see the comments at the top of this script.
USAGE
}

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

log() {
  echo "cluster.sh: $*" >&2
}

now_ms() {
  date +%s%3N
}

# ---------------------------------------------------------------------------------------------------- state

check_path() {
  case "$1" in
    *[[:space:]]* | *\'* | *\"* | *\\* | *:*)
      die "unsupported character in path '$1' (whitespace, quote, backslash or colon)" ;;
  esac
}

# Reads NAME from a name=value file (ports, settings); empty if absent.
read_value() {
  local file="$1" name="$2"
  [ -f "$file" ] || return 0
  sed -n "s/^${name}=//p" "$file" | tail -n 1
}

port() {
  local value
  value=$(read_value "$cluster_dir/ports" "$1")
  [ -n "$value" ] || die "no port '$1' in $cluster_dir/ports (was the cluster started?)"
  echo "$value"
}

setting() {
  read_value "$cluster_dir/settings" "$1"
}

# Prints N ports that are free on 127.0.0.1 (all held open at once, so they differ).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
for s in held:
    s.close()
PY
}

# First and last port of N consecutive free loopback ports (the Prometheus reporters' range).
free_port_range() {
  python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    first = random.randrange(20000, 60000 - n)
    held = []
    try:
        for p in range(first, first + n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held.append(s)
            s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        for s in held:
            s.close()
    print(first, first + n - 1)
    sys.exit(0)
sys.exit("no free range of %d ports" % n)
PY
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Ports for TaskManager I: from the ports file, else derived from CLUSTER_BASE_PORT or free, and recorded.
taskmanager_ports() {
  local i="$1" rpc data
  rpc=$(read_value "$cluster_dir/ports" "taskmanager-$i-rpc")
  data=$(read_value "$cluster_dir/ports" "taskmanager-$i-data")
  if [ -z "$rpc" ] || [ -z "$data" ]; then
    if [ -n "${CLUSTER_BASE_PORT:-}" ]; then
      rpc=$((CLUSTER_BASE_PORT + 3 + 2 * i))
      data=$((CLUSTER_BASE_PORT + 4 + 2 * i))
    else
      read -r rpc data <<<"$(free_ports 2)"
    fi
    printf 'taskmanager-%s-rpc=%s\ntaskmanager-%s-data=%s\n' "$i" "$rpc" "$i" "$data" >>"$cluster_dir/ports"
  fi
  echo "$rpc $data"
}

pid_file() {
  echo "$pid_dir/$1.pid"
}

# The recorded PID of NAME if that process is alive and is ours (its command line names this state folder's
# conf/ and the expected main class); nothing otherwise.
live_pid() {
  local name="$1" main file pid cmdline
  case "$name" in
    jobmanager) main=$jm_main ;;
    taskmanager-*) main=$tm_main ;;
    kafka) main=$broker_main ;;
    *) die "unknown process '$name'" ;;
  esac
  file=$(pid_file "$name")
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 0
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  case "$cmdline" in
    *"$conf_dir/"*) ;;
    *) return 0 ;;
  esac
  case "$cmdline" in
    *" $main "*) echo "$pid" ;;
  esac
}

recorded_names() {
  local f
  [ -d "$pid_dir" ] || return 0
  for f in "$pid_dir"/*.pid; do
    [ -e "$f" ] || continue
    basename "$f" .pid
  done
}

# Indexes of the TaskManagers this cluster has had (ports recorded), running or not.
taskmanager_indexes() {
  [ -f "$cluster_dir/ports" ] || return 0
  sed -n 's/^taskmanager-\([0-9][0-9]*\)-rpc=.*/\1/p' "$cluster_dir/ports" | sort -n
}

# ---------------------------------------------------------------------------------------------------- config

yaml_quote() {
  printf "'%s'" "${1//\'/\'\'}"
}

write_flink_config() {
  local slots="$1" dir="$conf_dir/flink"
  mkdir -p "$dir"
  {
    echo "# Generated by deploy/local-cluster/cluster.sh start. Read by the JobManager, the TaskManagers"
    echo "# (which also get -D taskmanager.resource-id / .rpc.port / .data.port / io.tmp.dirs) and the flink client."
    echo "jobmanager.rpc.address: 127.0.0.1"
    echo "jobmanager.rpc.port: $(port jobmanager-rpc)"
    echo "jobmanager.bind-host: 127.0.0.1"
    echo "jobmanager.memory.heap.size: ${jm_heap_mb}m"
    echo "jobmanager.memory.off-heap.size: ${jm_off_heap_mb}m"
    echo "jobmanager.memory.jvm-metaspace.size: ${jm_metaspace_mb}m"
    echo "jobmanager.execution.failover-strategy: region"
    echo "jobmanager.retrieve-taskmanager-hostname: false"
    echo "rest.address: 127.0.0.1"
    echo "rest.bind-address: 127.0.0.1"
    echo "rest.port: $(port rest)"
    echo "blob.server.port: $(port blob)"
    echo "taskmanager.host: 127.0.0.1"
    echo "taskmanager.bind-host: 127.0.0.1"
    echo "taskmanager.numberOfTaskSlots: $slots"
    echo "taskmanager.cpu.cores: $slots"
    echo "taskmanager.load-balance.mode: SLOTS"
    echo "taskmanager.memory.framework.heap.size: ${tm_framework_heap_mb}m"
    echo "taskmanager.memory.framework.off-heap.size: ${tm_framework_off_heap_mb}m"
    echo "taskmanager.memory.task.heap.size: ${tm_task_heap_mb}m"
    echo "taskmanager.memory.task.off-heap.size: ${tm_task_off_heap_mb}m"
    echo "taskmanager.memory.network.min: ${tm_network_mb}m"
    echo "taskmanager.memory.network.max: ${tm_network_mb}m"
    echo "taskmanager.memory.managed.size: ${tm_managed_mb}m"
    echo "taskmanager.memory.jvm-metaspace.size: ${tm_metaspace_mb}m"
    echo "taskmanager.memory.jvm-overhead.min: ${tm_overhead_mb}m"
    echo "taskmanager.memory.jvm-overhead.max: ${tm_overhead_mb}m"
    echo "parallelism.default: 1"
    echo "io.tmp.dirs: $(yaml_quote "$tmp_dir/jobmanager")"
    echo "state.backend.type: hashmap"
    echo "execution.checkpointing.storage: filesystem"
    echo "execution.checkpointing.dir: $(yaml_quote "file://$cluster_dir/checkpoints")"
    echo "execution.checkpointing.savepoint-dir: $(yaml_quote "file://$cluster_dir/savepoints")"
    echo "execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION"
    echo "restart-strategy.type: fixed-delay"
    echo "restart-strategy.fixed-delay.attempts: $restart_attempts"
    echo "restart-strategy.fixed-delay.delay: $restart_delay"
    echo "web.refresh-interval: 500"
    echo "heartbeat.interval: 1000"
    echo "heartbeat.timeout: 5000"
    # Prometheus: each JVM (JobManager, TaskManagers) serves /metrics on the first free port of the range.
    echo "metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
    echo "metrics.reporter.prom.port: $(port metrics)"
  } >"$dir/config.yaml"

  cat >"$dir/log4j.properties" <<'EOF'
# JobManager and TaskManagers: everything to the file in -Dlog.file (what the web UI's log tab shows).
monitorInterval = 0
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.kafka.name = org.apache.kafka
logger.kafka.level = INFO
logger.shaded_zookeeper.name = org.apache.flink.shaded.zookeeper3
logger.shaded_zookeeper.level = INFO
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5level %-60c %x - %m%n
EOF

  cat >"$dir/log4j-cli.properties" <<'EOF'
# The flink client (cluster.sh submit): INFO to the file in -Dlog.file, nothing to the console (the client
# prints its own result and errors).
monitorInterval = 0
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FileAppender
appender.file.name = FileAppender
appender.file.type = File
appender.file.append = true
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5level %-60c %x - %m%n
EOF
}

write_kafka_config() {
  local dir="$conf_dir/kafka"
  mkdir -p "$dir/bin"
  cat >"$dir/server.properties" <<EOF
# Generated by deploy/local-cluster/cluster.sh start: one KRaft node that is broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$(port kafka-controller)
listeners=PLAINTEXT://127.0.0.1:$(port kafka),CONTROLLER://127.0.0.1:$(port kafka-controller)
advertised.listeners=PLAINTEXT://127.0.0.1:$(port kafka)
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$cluster_dir/kafka/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
transaction.max.timeout.ms=900000
message.max.bytes=33554432
replica.fetch.max.bytes=33554432
EOF

  cat >"$dir/log4j2.properties" <<'EOF'
# The broker: everything to the file in -Dkafka.log.file.
monitorInterval = 0
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FileAppender
logger.request.name = kafka.request.logger
logger.request.level = WARN
appender.file.name = FileAppender
appender.file.type = File
appender.file.append = true
appender.file.fileName = ${sys:kafka.log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
EOF

  cat >"$dir/tools-log4j2.properties" <<'EOF'
# kafka-topics / kafka-configs: warnings to stderr.
monitorInterval = 0
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = Stderr
appender.stderr.name = Stderr
appender.stderr.type = Console
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
EOF

  # KAFKA_HOME=$conf_dir/kafka for deploy/kafka/create-topics.sh, which runs $KAFKA_HOME/bin/kafka-*.sh.
  local tool class
  for tool in kafka-topics kafka-configs; do
    case "$tool" in
      kafka-topics) class=org.apache.kafka.tools.TopicCommand ;;
      kafka-configs) class=kafka.admin.ConfigCommand ;;
    esac
    cat >"$dir/bin/$tool.sh" <<EOF
#!/usr/bin/env bash
# Generated by deploy/local-cluster/cluster.sh: Kafka's $tool from the Maven-resolved jars.
exec "$java_bin" -Xmx256m -Djava.io.tmpdir="$tmp_dir/kafka-tools" \\
  -Dlog4j2.configurationFile="file:$dir/tools-log4j2.properties" \\
  -cp "$kafka_lib/*" $class "\$@"
EOF
    chmod +x "$dir/bin/$tool.sh"
  done
}

# ---------------------------------------------------------------------------------------------------- processes

# Starts NAME in the background (detached from the terminal's hangup; stdin from /dev/null, stdout and stderr
# to logs/NAME.out) and records its PID. The remaining arguments are the java command line.
launch() {
  local name="$1"
  shift
  mkdir -p "$pid_dir" "$log_dir" "$tmp_dir/$name" "$cluster_dir/plugins"
  # The working directory is the state folder: whatever a process writes to a relative path lands there.
  cd "$cluster_dir"
  FLINK_PLUGINS_DIR="$cluster_dir/plugins" nohup "$java_bin" "$@" >>"$log_dir/$name.out" 2>&1 </dev/null &
  echo "$!" >"$(pid_file "$name")"
  cd "$OLDPWD"
  log "started $name (pid $!)"
}

start_broker_process() {
  local extra=()
  # shellcheck disable=SC2206 # BROKER_JAVA_OPTS is a list of options
  extra=(${BROKER_JAVA_OPTS:-})
  launch kafka -Xms"${broker_heap_mb}m" -Xmx"${broker_heap_mb}m" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Djava.io.tmpdir="$tmp_dir/kafka" \
    -Dkafka.log.file="$log_dir/kafka.log" -Dlog4j2.configurationFile="file:$conf_dir/kafka/log4j2.properties" \
    "${extra[@]}" -cp "$kafka_lib/*" "$broker_main" "$conf_dir/kafka/server.properties"
}

start_jobmanager_process() {
  local extra=()
  # shellcheck disable=SC2206 # JM_JAVA_OPTS is a list of options
  extra=(${JM_JAVA_OPTS:-})
  launch jobmanager -Xms"${jm_heap_mb}m" -Xmx"${jm_heap_mb}m" -XX:MaxMetaspaceSize="${jm_metaspace_mb}m" \
    "${java17_opts[@]}" -Djava.io.tmpdir="$tmp_dir/jobmanager" \
    -Dlog.file="$log_dir/jobmanager.log" -Dlog4j.configurationFile="file:$conf_dir/flink/log4j.properties" \
    "${extra[@]}" -cp "$flink_lib/*" "$jm_main" --configDir "$conf_dir/flink"
}

start_taskmanager_process() {
  local i="$1" rpc data heap direct resource_id extra=()
  read -r rpc data <<<"$(taskmanager_ports "$i")"
  heap=$((tm_framework_heap_mb + tm_task_heap_mb))
  direct=$((tm_framework_off_heap_mb + tm_task_off_heap_mb + tm_network_mb))
  # Unique per start: a restarted TaskManager must not look like the one the JobManager lost.
  resource_id="taskmanager-$i-$(printf '%04x%04x' "$RANDOM" "$RANDOM")"
  mkdir -p "$tmp_dir/taskmanager-$i/javacpp"
  # shellcheck disable=SC2206 # TM_JAVA_OPTS is a list of options
  extra=(${TM_JAVA_OPTS:-})
  launch "taskmanager-$i" -Xms"${heap}m" -Xmx"${heap}m" -XX:MaxDirectMemorySize="${direct}m" \
    -XX:MaxMetaspaceSize="${tm_metaspace_mb}m" "${java17_opts[@]}" \
    -Djava.io.tmpdir="$tmp_dir/taskmanager-$i" -Dorg.bytedeco.javacpp.cachedir="$tmp_dir/taskmanager-$i/javacpp" \
    -Dlog.file="$log_dir/taskmanager-$i.log" -Dlog4j.configurationFile="file:$conf_dir/flink/log4j.properties" \
    "${extra[@]}" -cp "$flink_lib/*" "$tm_main" --configDir "$conf_dir/flink" \
    -D "taskmanager.resource-id=$resource_id" -D "taskmanager.rpc.port=$rpc" -D "taskmanager.data.port=$data" \
    -D "io.tmp.dirs=$tmp_dir/taskmanager-$i"
}

format_kafka_storage() {
  local cluster_id
  # What `kafka-storage random-uuid` prints (Uuid.randomUuid: 16 random bytes, URL-safe base64 without padding,
  # never starting with '-'), without starting a JVM for it.
  cluster_id=$(python3 -c '
import base64, uuid
while True:
    u = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
    if not u.startswith("-"):
        print(u)
        break')
  "$java_bin" -cp "$kafka_lib/*" -Djava.io.tmpdir="$tmp_dir/kafka" \
    -Dlog4j2.configurationFile="file:$conf_dir/kafka/tools-log4j2.properties" \
    kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$conf_dir/kafka/server.properties" \
    --standalone >"$log_dir/kafka-format.out" 2>&1 || {
    cat "$log_dir/kafka-format.out" >&2
    die "kafka-storage format failed"
  }
}

tail_log() {
  local name="$1" f
  for f in "$log_dir/$name.out" "$log_dir/$name.log"; do
    [ -s "$f" ] || continue
    echo "---- last lines of $f" >&2
    tail -n 30 "$f" >&2
  done
}

# Waits until the broker accepts connections on its port.
wait_broker() {
  local deadline=$(($(date +%s) + start_timeout)) p
  p=$(port kafka)
  until port_in_use "$p"; do
    if [ -z "$(live_pid kafka)" ]; then
      tail_log kafka
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail_log kafka
      log "the broker does not accept connections on 127.0.0.1:$p after ${start_timeout}s"
      return 1
    fi
    sleep 0.2
  done
}

rest_url() {
  echo "http://127.0.0.1:$(port rest)"
}

rest() {
  local method="$1" path="$2"
  shift 2
  curl -sS --max-time 10 -X "$method" -H 'Content-Type: application/json' "$@" "$(rest_url)$path"
}

# Registered TaskManagers according to the JobManager (REST /overview); empty while it does not answer.
registered_taskmanagers() {
  curl -sf --max-time 5 "$(rest_url)/overview" 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["taskmanagers"])' 2>/dev/null || true
}

wait_taskmanagers() {
  local want="$1" timeout="$2" deadline seen
  deadline=$(($(date +%s) + timeout))
  while true; do
    seen=$(registered_taskmanagers)
    [ "$seen" = "$want" ] && return 0
    if [ -z "$(live_pid jobmanager)" ]; then
      tail_log jobmanager
      log "the JobManager is not running"
      return 1
    fi
    if [ "$(live_taskmanager_count)" -lt "$want" ]; then
      log "only $(live_taskmanager_count) TaskManager processes are running, $want will not register"
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "the JobManager counts '${seen:-no answer}' TaskManagers, not $want, after ${timeout}s"
      return 1
    fi
    sleep 0.2
  done
}

live_taskmanager_count() {
  local i n=0
  for i in $(taskmanager_indexes); do
    [ -n "$(live_pid "taskmanager-$i")" ] && n=$((n + 1))
  done
  echo "$n"
}

# True while PID exists and has not exited yet (a zombie has: its sockets and files are closed).
pid_running() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)
  [ -n "$state" ] && [ "$state" != Z ]
}

# SIGTERM to the given recorded processes, SIGKILL to what is left after STOP_TIMEOUT seconds; returns when they
# have exited, and removes their pid files.
stop_processes() {
  local name pid deadline left killed=false
  local -a pids=()
  for name in "$@"; do
    pid=$(live_pid "$name")
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      log "sent SIGTERM to $name (pid $pid)"
    fi
  done
  deadline=$(($(date +%s) + stop_timeout))
  while true; do
    left=0
    for pid in ${pids[@]+"${pids[@]}"}; do
      pid_running "$pid" && left=$((left + 1))
    done
    [ "$left" -eq 0 ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      [ "$killed" = false ] || die "processes still there 10 s after SIGKILL"
      killed=true
      for name in "$@"; do
        pid=$(live_pid "$name")
        if [ -n "$pid" ]; then
          kill -KILL "$pid" 2>/dev/null || true
          log "sent SIGKILL to $name (pid $pid) after ${stop_timeout}s"
        fi
      done
      deadline=$(($(date +%s) + 10))
    fi
    sleep 0.2
  done
  for name in "$@"; do
    rm -f "$(pid_file "$name")"
  done
}

kill_process() {
  local name="$1" pid i
  pid=$(live_pid "$name")
  [ -n "$pid" ] || die "$name is not running"
  kill -KILL "$pid"
  for i in $(seq 1 100); do
    pid_running "$pid" || break
    sleep 0.1
  done
  rm -f "$(pid_file "$name")"
  log "killed $name (pid $pid) with SIGKILL"
}

require_libs() {
  compgen -G "$flink_lib/flink-runtime-*.jar" >/dev/null ||
    die "no Flink jars in $flink_lib: run mvn -B -f deploy/local-cluster/pom.xml package (from $repo_root)"
  compgen -G "$kafka_lib/kafka_2.13-*.jar" >/dev/null ||
    die "no Kafka jars in $kafka_lib: run mvn -B -f deploy/local-cluster/pom.xml package (from $repo_root)"
}

require_started() {
  [ -f "$cluster_dir/ports" ] || die "no cluster in $cluster_dir (run cluster.sh start)"
}

positive_int() {
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got '$2'"
}

job_id_arg() {
  [[ "${1:-}" =~ ^[0-9a-f]{32}$ ]] || die "expected a job id (32 hex digits), got '${1:-}'"
}

# ---------------------------------------------------------------------------------------------------- commands

abort_start() {
  local -a names
  mapfile -t names < <(recorded_names)
  log "start failed; stopping what it started"
  stop_processes "${names[@]}"
  exit 1
}

cmd_start() {
  local taskmanagers=2 slots=2 name i started_ms base
  while [ $# -gt 0 ]; do
    case "$1" in
      --taskmanagers) taskmanagers="${2:-}"; shift 2 || die "--taskmanagers needs a value" ;;
      --slots) slots="${2:-}"; shift 2 || die "--slots needs a value" ;;
      *) die "start: unknown option '$1'" ;;
    esac
  done
  positive_int --taskmanagers "$taskmanagers"
  positive_int --slots "$slots"
  require_libs
  local pid
  for name in $(recorded_names); do
    pid=$(live_pid "$name")
    [ -z "$pid" ] || die "$name is still running (pid $pid) from $cluster_dir: run cluster.sh stop first"
  done
  if [ -n "${CLUSTER_BASE_PORT:-}" ]; then
    positive_int CLUSTER_BASE_PORT "$CLUSTER_BASE_PORT"
    for i in $(seq "$CLUSTER_BASE_PORT" $((CLUSTER_BASE_PORT + 4 + 2 * taskmanagers))); do
      ! port_in_use "$i" || die "port $i (CLUSTER_BASE_PORT=$CLUSTER_BASE_PORT) is in use"
    done
  fi
  started_ms=$(now_ms)

  # A fresh cluster: only the folders this script creates are removed, and only in a folder it created.
  if [ ! -f "$cluster_dir/.local-cluster" ] && [ -n "$(ls -A "$cluster_dir")" ]; then
    die "$cluster_dir is not empty and was not made by cluster.sh (no .local-cluster file): choose another CLUSTER_DIR"
  fi
  touch "$cluster_dir/.local-cluster"
  rm -rf "$conf_dir" "$pid_dir" "$log_dir" "$tmp_dir" "$cluster_dir/kafka" "$cluster_dir/checkpoints" \
    "$cluster_dir/savepoints" "$cluster_dir/plugins" "$cluster_dir/ports" "$cluster_dir/settings"
  mkdir -p "$conf_dir" "$pid_dir" "$log_dir" "$tmp_dir/jobmanager" "$tmp_dir/client" "$tmp_dir/kafka-tools" \
    "$cluster_dir/kafka/data" "$cluster_dir/checkpoints" "$cluster_dir/savepoints"

  local kafka kafka_controller jobmanager_rpc blob rest_port metrics_first metrics_last
  # Room for the JobManager, every TaskManager and a few started later (start-taskmanager).
  local metrics_ports=$((taskmanagers + 4))
  if [ -n "${CLUSTER_BASE_PORT:-}" ]; then
    base=$CLUSTER_BASE_PORT
    kafka=$base kafka_controller=$((base + 1)) jobmanager_rpc=$((base + 2)) blob=$((base + 3)) rest_port=$((base + 4))
    metrics_first=$((base + 100)) metrics_last=$((base + 99 + metrics_ports))
  else
    read -r kafka kafka_controller jobmanager_rpc blob rest_port <<<"$(free_ports 5)"
    read -r metrics_first metrics_last <<<"$(free_port_range "$metrics_ports")"
  fi
  printf 'kafka=%s\nkafka-controller=%s\njobmanager-rpc=%s\nblob=%s\nrest=%s\nmetrics=%s-%s\n' \
    "$kafka" "$kafka_controller" "$jobmanager_rpc" "$blob" "$rest_port" "$metrics_first" "$metrics_last" \
    >"$cluster_dir/ports"
  printf 'taskmanagers=%s\nslots=%s\n' "$taskmanagers" "$slots" >"$cluster_dir/settings"
  for i in $(seq 1 "$taskmanagers"); do
    taskmanager_ports "$i" >/dev/null
  done

  write_flink_config "$slots"
  write_kafka_config
  format_kafka_storage

  start_broker_process
  start_jobmanager_process
  for i in $(seq 1 "$taskmanagers"); do
    start_taskmanager_process "$i"
  done

  if ! wait_broker; then
    abort_start
  fi
  log "broker accepts connections after $(($(now_ms) - started_ms)) ms"
  if ! wait_taskmanagers "$taskmanagers" "$start_timeout"; then
    for i in $(seq 1 "$taskmanagers"); do
      [ -n "$(live_pid "taskmanager-$i")" ] || tail_log "taskmanager-$i"
    done
    abort_start
  fi
  log "JobManager reports $taskmanagers TaskManagers after $(($(now_ms) - started_ms)) ms"
  echo "bootstrap.servers=127.0.0.1:$kafka"
  echo "rest=http://127.0.0.1:$rest_port"
  echo "metrics=http://127.0.0.1:{$metrics_first..$metrics_last}/metrics"
}

cmd_stop() {
  [ $# -eq 0 ] || die "stop takes no arguments"
  local names=() name
  for name in $(recorded_names); do
    case "$name" in taskmanager-*) names+=("$name") ;; esac
  done
  # TaskManagers and JobManager first (the jobs stop touching Kafka), then the broker.
  [ ${#names[@]} -eq 0 ] || stop_processes "${names[@]}"
  [ -f "$(pid_file jobmanager)" ] && stop_processes jobmanager
  [ -f "$(pid_file kafka)" ] && stop_processes kafka
  log "stopped (state kept in $cluster_dir)"
}

cmd_status() {
  require_started
  local name pid state
  echo "state: $cluster_dir"
  echo "bootstrap.servers=127.0.0.1:$(port kafka)"
  echo "rest=$(rest_url)"
  for name in kafka jobmanager $(taskmanager_indexes | sed 's/^/taskmanager-/'); do
    pid=$(live_pid "$name")
    if [ -n "$pid" ]; then state="running (pid $pid)"; else state="not running"; fi
    echo "$name: $state"
  done
  if [ -n "$(live_pid jobmanager)" ]; then
    curl -sf --max-time 5 "$(rest_url)/overview" 2>/dev/null | python3 -c '
import json, sys
o = json.load(sys.stdin)
print("registered taskmanagers: %s, slots: %s total, %s free; jobs: %s running, %s finished, %s cancelled, %s failed"
      % (o["taskmanagers"], o["slots-total"], o["slots-available"], o["jobs-running"], o["jobs-finished"],
         o["jobs-cancelled"], o["jobs-failed"]))' || echo "the JobManager's REST API does not answer"
  fi
}

cmd_submit() {
  require_started
  local -a flink_args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -p | --parallelism) flink_args+=(-p "${2:?-p needs a value}"); shift 2 ;;
      -s | --from-savepoint | --fromSavepoint) flink_args+=(-s "${2:?--from-savepoint needs a path}"); shift 2 ;;
      -n | --allow-non-restored-state | --allowNonRestoredState) flink_args+=(-n); shift ;;
      -c | --class) flink_args+=(-c "${2:?--class needs a class name}"); shift 2 ;;
      -D) flink_args+=("-D${2:?-D needs key=value}"); shift 2 ;;
      -D*) flink_args+=("$1"); shift ;;
      --) shift; break ;;
      -*) die "submit: unknown option '$1'" ;;
      *) break ;;
    esac
  done
  [ $# -ge 1 ] || die "submit: no job jar given"
  local jar="$1"
  shift
  [ -f "$jar" ] || die "submit: no such file: $jar"
  local extra=() out rc job_id
  # shellcheck disable=SC2206 # CLIENT_JAVA_OPTS is a list of options
  extra=(${CLIENT_JAVA_OPTS:-})
  mkdir -p "$tmp_dir/client/javacpp" "$cluster_dir/plugins"
  set +e
  out=$(FLINK_CONF_DIR="$conf_dir/flink" FLINK_PLUGINS_DIR="$cluster_dir/plugins" "$java_bin" -Xmx512m \
    "${java17_opts[@]}" -Djava.io.tmpdir="$tmp_dir/client" -Dorg.bytedeco.javacpp.cachedir="$tmp_dir/client/javacpp" \
    -Dlog.file="$log_dir/client.log" -Dlog4j.configurationFile="file:$conf_dir/flink/log4j-cli.properties" \
    "${extra[@]}" -cp "$flink_lib/*" org.apache.flink.client.cli.CliFrontend run -d "${flink_args[@]}" "$jar" "$@" 2>&1)
  rc=$?
  set -e
  printf '%s\n' "$out" >&2
  job_id=$(printf '%s\n' "$out" | sed -n 's/.*Job has been submitted with JobID \([0-9a-f]\{32\}\).*/\1/p' | tail -n 1)
  if [ -z "$job_id" ]; then
    log "flink run exited with $rc and printed no job id (client log: $log_dir/client.log)"
    exit 1
  fi
  echo "$job_id"
}

cmd_jobs() {
  require_started
  rest GET /jobs/overview | python3 -c '
import json, sys
for j in json.load(sys.stdin)["jobs"]:
    print(j["jid"], j["state"], j["name"])'
}

# Prints the job's state, with "+tasks" appended when the job is RUNNING and so is every one of its subtasks
# (finished ones aside). A vertex's own status says RUNNING as soon as one of its subtasks is.
job_state() {
  curl -sf --max-time 5 "$(rest_url)/jobs/$1" 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
state = j["state"]
if state == "RUNNING" and j["vertices"] and all(
        v["tasks"].get("RUNNING", 0) > 0
        and v["tasks"].get("RUNNING", 0) + v["tasks"].get("FINISHED", 0) == v["parallelism"]
        for v in j["vertices"]):
    state += "+tasks"
print(state)' 2>/dev/null || true
}

cmd_wait_job() {
  require_started
  job_id_arg "${1:-}"
  local job="$1" want=RUNNING timeout=60 state deadline
  shift
  if [ $# -gt 0 ] && [[ "$1" != --* ]]; then
    want="$1"
    shift
  fi
  while [ $# -gt 0 ]; do
    case "$1" in
      --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
      *) die "wait-job: unknown option '$1'" ;;
    esac
  done
  deadline=$(($(date +%s) + timeout))
  while true; do
    state=$(job_state "$job")
    if [ "$want" = RUNNING ]; then
      if [ "$state" = RUNNING+tasks ]; then
        echo RUNNING
        return 0
      fi
    elif [ "${state%+tasks}" = "$want" ]; then
      echo "$want"
      return 0
    fi
    case "$state" in
      FINISHED | CANCELED | FAILED)
        die "job $job is $state, not $want" ;;
    esac
    [ "$(date +%s)" -lt "$deadline" ] || die "job $job is '${state:-unknown}', not $want, after ${timeout}s"
    sleep 0.2
  done
}

cmd_stop_job() {
  require_started
  job_id_arg "${1:-}"
  local job="$1" dir="$cluster_dir/savepoints" drain=false body trigger result deadline
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --savepoint) dir="${2:?--savepoint needs a directory}"; shift 2 ;;
      --drain) drain=true; shift ;;
      *) die "stop-job: unknown option '$1'" ;;
    esac
  done
  case "$dir" in
    *://*) ;;
    /*) dir="file://$dir" ;;
    *) dir="file://$(pwd)/$dir" ;;
  esac
  body=$(python3 -c '
import json, sys
print(json.dumps({"targetDirectory": sys.argv[1], "drain": sys.argv[2] == "true", "formatType": "CANONICAL"}))' \
    "$dir" "$drain")
  trigger=$(rest POST "/jobs/$job/stop" -d "$body" | python3 -c '
import json, sys
r = json.load(sys.stdin)
if "request-id" not in r:
    sys.exit("stop-with-savepoint refused: %s" % r)
print(r["request-id"])')
  deadline=$(($(date +%s) + 300))
  while true; do
    result=$(rest GET "/jobs/$job/savepoints/$trigger" | python3 -c '
import json, sys
r = json.load(sys.stdin)
if r.get("status", {}).get("id") != "COMPLETED":
    print("IN_PROGRESS")
elif "failure-cause" in r.get("operation", {}):
    print("FAILED " + r["operation"]["failure-cause"].get("stack-trace", str(r["operation"]["failure-cause"])))
else:
    print("COMPLETED " + r["operation"]["location"])')
    case "$result" in
      COMPLETED*) echo "${result#COMPLETED }"; return 0 ;;
      FAILED*) die "stop-with-savepoint of $job failed: ${result#FAILED }" ;;
    esac
    [ "$(date +%s)" -lt "$deadline" ] || die "stop-with-savepoint of $job did not complete in 300s"
    sleep 0.5
  done
}

cmd_cancel() {
  require_started
  job_id_arg "${1:-}"
  [ $# -eq 1 ] || die "cancel takes one job id"
  rest PATCH "/jobs/$1?mode=cancel" -o /dev/null -w '' --fail
  cmd_wait_job "$1" CANCELED --timeout 60 >/dev/null
  echo CANCELED
}

cmd_kill_taskmanager() {
  require_started
  positive_int "taskmanager index" "${1:-}"
  kill_process "taskmanager-$1"
}

cmd_start_taskmanager() {
  require_started
  positive_int "taskmanager index" "${1:-}"
  local pid
  pid=$(live_pid "taskmanager-$1")
  [ -z "$pid" ] || die "taskmanager-$1 is running (pid $pid)"
  start_taskmanager_process "$1"
}

cmd_wait_taskmanagers() {
  require_started
  positive_int "taskmanager count" "${1:-}"
  local want="$1" timeout=60
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
      *) die "wait-taskmanagers: unknown option '$1'" ;;
    esac
  done
  wait_taskmanagers "$want" "$timeout" || exit 1
  echo "$want"
}

cmd_kill_broker() {
  require_started
  kill_process kafka
}

cmd_start_broker() {
  require_started
  local pid started_ms
  pid=$(live_pid kafka)
  [ -z "$pid" ] || die "kafka is running (pid $pid)"
  started_ms=$(now_ms)
  start_broker_process
  wait_broker || die "the broker did not start again"
  log "broker accepts connections after $(($(now_ms) - started_ms)) ms"
  echo "bootstrap.servers=127.0.0.1:$(port kafka)"
}

cmd_create_topics() {
  require_started
  KAFKA_HOME="$conf_dir/kafka" "$repo_root/deploy/kafka/create-topics.sh" "127.0.0.1:$(port kafka)" "${1:-2}" 1
}

cmd_kafka_tool() {
  require_started
  local tool="$1"
  shift
  local arg
  for arg in "$@"; do
    [ "$arg" = --bootstrap-server ] && exec "$conf_dir/kafka/bin/$tool.sh" "$@"
  done
  exec "$conf_dir/kafka/bin/$tool.sh" --bootstrap-server "127.0.0.1:$(port kafka)" "$@"
}

main() {
  [ $# -ge 1 ] || { usage >&2; exit 2; }
  check_path "$cluster_dir"
  check_path "$flink_lib"
  check_path "$kafka_lib"
  command -v "$java_bin" >/dev/null || die "no java ($java_bin)"
  mkdir -p "$cluster_dir"
  cluster_dir=$(cd "$cluster_dir" && pwd)
  conf_dir=$cluster_dir/conf
  pid_dir=$cluster_dir/pids
  log_dir=$cluster_dir/logs
  tmp_dir=$cluster_dir/tmp

  local command="$1"
  shift
  case "$command" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    submit) cmd_submit "$@" ;;
    jobs) cmd_jobs "$@" ;;
    wait-job) cmd_wait_job "$@" ;;
    stop-job) cmd_stop_job "$@" ;;
    cancel) cmd_cancel "$@" ;;
    kill-taskmanager) cmd_kill_taskmanager "$@" ;;
    start-taskmanager) cmd_start_taskmanager "$@" ;;
    wait-taskmanagers) cmd_wait_taskmanagers "$@" ;;
    kill-broker) cmd_kill_broker "$@" ;;
    start-broker) cmd_start_broker "$@" ;;
    create-topics) cmd_create_topics "$@" ;;
    kafka-topics | kafka-configs) cmd_kafka_tool "$command" "$@" ;;
    help | -h | --help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
