#!/bin/sh
# The compose file's one-shot Kafka setup, as governor-admin: Governor's topics (deploy/kafka/topics.txt)
# and the ACLs of deploy/kafka/acls.txt for the users governor and loop-agent, with Kafka's own
# tools; every command is idempotent, so the service may run at every `up`.
set -eu
: "${KAFKA_ADMIN_PASSWORD:?}"
admin=/tmp/admin.properties
umask 077
cat >"$admin" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="governor-admin" password="$KAFKA_ADMIN_PASSWORD";
PROPS
bin=/opt/kafka/bin
server="--bootstrap-server kafka:9092 --command-config $admin"
until $bin/kafka-topics.sh $server --list >/dev/null 2>&1; do sleep 1; done

sed 's/#.*//' /governor/topics.txt | while read -r name partitions configs; do
  [ -n "$name" ] || continue
  set --
  if [ "$configs" != "-" ]; then
    for c in $(echo "$configs" | tr ',' ' '); do set -- "$@" --config "$c"; done
  fi
  $bin/kafka-topics.sh $server --create --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor 1 "$@"
done

acl() { $bin/kafka-acls.sh $server --add --force "$@"; }
acl --allow-principal User:governor --operation Read --operation Write --operation Describe \
  --topic rsi. --resource-pattern-type prefixed
acl --allow-principal User:governor --operation Read --group governor --resource-pattern-type prefixed
acl --allow-principal User:governor --operation Write --operation Describe \
  --transactional-id governor --resource-pattern-type prefixed
acl --allow-principal User:governor --operation IdempotentWrite --cluster
acl --allow-principal User:loop-agent --operation Write --operation Describe --topic rsi.proposals
acl --allow-principal User:loop-agent --operation Read --operation Describe --topic rsi.control --topic rsi.decisions
acl --allow-principal User:loop-agent --operation Read --group loop-agent --resource-pattern-type prefixed
