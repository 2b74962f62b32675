#!/usr/bin/env bash
# Creates the VisionStream topics: frames (camera frames in), detections (one event per frame out),
# frames-dlq (rejected frames) and objects (tracked objects' lifecycle and zone events), with room for whole frames. Safe to run again: existing topics
# are left as they are (--if-not-exists), then the size and retention configs below are applied to
# them with kafka-configs.sh. Partitions and replication of an existing topic are not changed.
#
# Usage: deploy/kafka/create-topics.sh BOOTSTRAP_SERVERS [PARTITIONS [REPLICATION_FACTOR]]
#   BOOTSTRAP_SERVERS    host:port[,host:port...]
#   PARTITIONS           default 6. The job's useful parallelism is at most the frames partitions;
#                        frames are keyed by camera id, so one camera's frames stay in order.
#   REPLICATION_FACTOR   default 3 (new topics get min.insync.replicas=2, or 1 below 3 replicas)
#
# Environment:
#   KAFKA_HOME             use $KAFKA_HOME/bin/kafka-topics.sh and kafka-configs.sh; without it,
#                          kafka-topics.sh (or kafka-topics) and kafka-configs.sh from PATH
#   KAFKA_COMMAND_CONFIG   client properties file for a secured cluster (--command-config)
#   FRAMES_TOPIC, EVENTS_TOPIC, DLQ_TOPIC, OBJECTS_TOPIC   topic names (default frames, detections, frames-dlq, objects;
#                          they must match topic.* in deploy/detection-job.properties)
#   FRAMES_RETENTION_MS    default 3600000 (1 hour): frames are only worth detecting while fresh
#   EVENTS_RETENTION_MS    default 604800000 (7 days)
#   DLQ_RETENTION_MS       default 604800000 (7 days): time to inspect and replay rejected frames
#
# Sizes: the job accepts frames up to DetectionJobOptions.DEFAULT_MAX_FRAME_BYTES = 16 MiB
# (frame.max-bytes) and sets its producers' max.request.size and its consumer's fetch sizes to that
# plus 1 MiB. frames and frames-dlq (a dead letter carries the rejected frame itself) therefore get
# max.message.bytes = 16 MiB + 1 MiB = 17825792. Events are small JSON and keep the broker default.
# Raise them together if you raise frame.max-bytes.
#
# Broker settings this script does not touch (server.properties, or kafka-configs.sh
# --entity-type brokers for the dynamic ones):
#   transaction.max.timeout.ms must be >= the job's transaction.timeout.ms (default 15 min =
#     900000, which is also Kafka's default maximum). With a larger job timeout the exactly-once
#     producers fail at start with InvalidTxnTimeoutException.
#   replica.fetch.max.bytes: set it >= 17825792 so followers fetch a whole frame per partition and
#     request (it is a soft limit: replication does not stall below it, it just fetches one batch).
#   message.max.bytes only applies to topics without their own max.message.bytes; not needed here.
set -euo pipefail

usage() {
  cat >&2 <<'USAGE'
Usage: create-topics.sh BOOTSTRAP_SERVERS [PARTITIONS [REPLICATION_FACTOR]]
  PARTITIONS default 6, REPLICATION_FACTOR default 3.
  Environment: KAFKA_HOME, KAFKA_COMMAND_CONFIG, FRAMES_TOPIC, EVENTS_TOPIC, DLQ_TOPIC,
  FRAMES_RETENTION_MS, EVENTS_RETENTION_MS, DLQ_RETENTION_MS (see the comments in this script).
USAGE
  exit 2
}

[ $# -ge 1 ] && [ $# -le 3 ] || usage
case "$1" in -h | --help) usage ;; esac

bootstrap="$1"
partitions="${2:-6}"
replication="${3:-3}"

[[ "$partitions" =~ ^[1-9][0-9]*$ ]] || { echo "partitions must be a positive integer, got '$partitions'" >&2; exit 2; }
[[ "$replication" =~ ^[1-9][0-9]*$ ]] || { echo "replication factor must be a positive integer, got '$replication'" >&2; exit 2; }

frames_topic="${FRAMES_TOPIC:-frames}"
events_topic="${EVENTS_TOPIC:-detections}"
dlq_topic="${DLQ_TOPIC:-frames-dlq}"
objects_topic="${OBJECTS_TOPIC:-objects}"
frames_retention_ms="${FRAMES_RETENTION_MS:-3600000}"
events_retention_ms="${EVENTS_RETENTION_MS:-604800000}"
dlq_retention_ms="${DLQ_RETENTION_MS:-604800000}"

# 16 MiB frame + 1 MiB for key, headers and batch framing (what the job and FrameProducer allow).
max_message_bytes=17825792

if [ "$replication" -ge 3 ]; then
  min_isr=2
else
  min_isr=1
fi

# Prints the path of a Kafka CLI tool: $KAFKA_HOME/bin/NAME.sh, else NAME.sh or NAME on PATH
# (Confluent packages drop the .sh).
find_tool() {
  local name="$1"
  if [ -n "${KAFKA_HOME:-}" ]; then
    if [ -x "$KAFKA_HOME/bin/$name.sh" ]; then
      echo "$KAFKA_HOME/bin/$name.sh"
      return 0
    fi
    echo "KAFKA_HOME is set but $KAFKA_HOME/bin/$name.sh is not executable" >&2
    return 1
  fi
  if command -v "$name.sh" >/dev/null 2>&1; then
    command -v "$name.sh"
  elif command -v "$name" >/dev/null 2>&1; then
    command -v "$name"
  else
    echo "$name.sh not found: set KAFKA_HOME or put Kafka's bin/ on PATH" >&2
    return 1
  fi
}

kafka_topics="$(find_tool kafka-topics)"
kafka_configs="$(find_tool kafka-configs)"

common=(--bootstrap-server "$bootstrap")
if [ -n "${KAFKA_COMMAND_CONFIG:-}" ]; then
  [ -r "$KAFKA_COMMAND_CONFIG" ] || { echo "KAFKA_COMMAND_CONFIG=$KAFKA_COMMAND_CONFIG is not readable" >&2; exit 1; }
  common+=(--command-config "$KAFKA_COMMAND_CONFIG")
fi

# ensure_topic NAME CONFIG...: creates NAME if it does not exist, with the configs (key=value) and
# min.insync.replicas; then applies the configs again, which converges a topic that existed before.
# min.insync.replicas is only set at creation, since an existing topic may have fewer replicas.
ensure_topic() {
  local topic="$1"
  shift
  local create_args=() config joined
  for config in "$@" "min.insync.replicas=$min_isr"; do
    create_args+=(--config "$config")
  done
  echo "topic $topic: $partitions partitions, replication factor $replication, min.insync.replicas=$min_isr, $*" >&2
  "$kafka_topics" "${common[@]}" --create --if-not-exists --topic "$topic" \
    --partitions "$partitions" --replication-factor "$replication" "${create_args[@]}"
  joined="$(IFS=,; echo "$*")"
  "$kafka_configs" "${common[@]}" --alter --entity-type topics --entity-name "$topic" --add-config "$joined"
}

# Frames: large JPEG/PNG records, short retention. Segments roll every 15 min so that retention can
# delete them promptly (only closed segments are deleted; the default segment.ms is 7 days).
# Retention is judged on record timestamps, which are the capture times: frames replayed from old
# footage become deletable as soon as their segment rolls.
ensure_topic "$frames_topic" \
  "max.message.bytes=$max_message_bytes" \
  "retention.ms=$frames_retention_ms" \
  "segment.ms=900000"

# Detection events: small JSON, written in Kafka transactions by the job (exactly-once), so their
# consumers must read with isolation.level=read_committed.
ensure_topic "$events_topic" \
  "retention.ms=$events_retention_ms"

# Dead letters: the original frame record plus dead-letter headers (stage, reason, message, source,
# timestamp), so as large as a frame. Also written transactionally.
ensure_topic "$dlq_topic" \
  "max.message.bytes=$max_message_bytes" \
  "retention.ms=$dlq_retention_ms"

# Object events (appeared, updated, disappeared, zones, lines): small JSON, transactional like the events.
ensure_topic "$objects_topic" \
  "retention.ms=$events_retention_ms"

# --topic takes a regular expression with --describe.
"$kafka_topics" "${common[@]}" --describe --topic "$frames_topic|$events_topic|$dlq_topic|$objects_topic" >&2
