#!/bin/sh
# The compose file's Kafka: the broker configuration of scripts/services (deploy/kafka/server.properties,
# SASL/SCRAM-SHA-512 on the client listener, SASL/PLAIN on the loopback controller listener, ACLs;
# docs/adr/0018-kafka-sasl-scram-and-acls.md), listening on the container's network as kafka:9092.
# The first start formats the storage with the SCRAM users; later starts keep it.
# Passwords come from the environment (the compose file gives demo-only defaults).
set -eu
: "${KAFKA_BROKER_PASSWORD:?}" "${KAFKA_CONTROLLER_PASSWORD:?}" "${KAFKA_ADMIN_PASSWORD:?}"
: "${KAFKA_GOVERNOR_PASSWORD:?}" "${KAFKA_LOOP_PASSWORD:?}"
data=/var/lib/kafka/data
config=/tmp/server.properties
sed -e "s|@KAFKA_DATA_DIR@|$data|" -e "s|@KAFKA_LISTEN_HOST@|0.0.0.0|" -e "s|@KAFKA_ADVERTISED_HOST@|kafka|" \
    -e "s|@KAFKA_PORT@|9092|g" -e "s|@KAFKA_CONTROLLER_PORT@|9093|g" -e "s|@KAFKA_CLIENT_PROTOCOL@|SASL_PLAINTEXT|" \
    -e "s|@KAFKA_BROKER_PASSWORD@|$KAFKA_BROKER_PASSWORD|" -e "s|@KAFKA_CONTROLLER_PASSWORD@|$KAFKA_CONTROLLER_PASSWORD|g" \
    /governor/server.properties >"$config"
chmod 600 "$config"
if [ ! -f "$data/meta.properties" ]; then
  /opt/kafka/bin/kafka-storage.sh format --standalone --cluster-id R292ZXJub3JLYWZrYTAwMQ --config "$config" \
    --add-scram "SCRAM-SHA-512=[name=kafka-broker,password=$KAFKA_BROKER_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=governor-admin,password=$KAFKA_ADMIN_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=governor,password=$KAFKA_GOVERNOR_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=loop-agent,password=$KAFKA_LOOP_PASSWORD]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config"
