#!/bin/sh
# Creates the namespace and the order saga's search attributes (idempotent). Compose runs it in the admin-tools
# image; scripts/cluster runs the same file with the CLI built into .tools/. On a cluster the other frontends learn
# a new namespace a few seconds later, so each step is retried until the namespace really has the attribute, and
# the script fails (instead of passing silently) when it never does.
set -eu
tries=${SETUP_TRIES:-90}
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do sleep 1; done
temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NAMESPACE" --retention 7d --address "$TEMPORAL_ADDRESS"
for attribute in OrderStatus=Keyword CustomerId=Keyword SagaStep=Keyword OrderTotal=Int TenantId=Keyword \
  ParkedStep=KeywordList ParkedReason=KeywordList; do
  name=${attribute%%=*}
  n=0
  until temporal operator search-attribute list --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" 2>/dev/null |
    grep -qw "$name"; do
    n=$((n + 1))
    [ "$n" -le "$tries" ] || { echo "search attribute $name: not registered after $tries tries" >&2; exit 1; }
    temporal operator search-attribute create --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" \
      --name "$name" --type "${attribute#*=}" >/dev/null 2>&1 || sleep 1
  done
done
echo "namespace $NAMESPACE ready"
