#!/bin/sh
# Creates the namespace and the order saga's search attributes (idempotent).
set -eu
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do sleep 1; done
temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NAMESPACE" --retention 7d --address "$TEMPORAL_ADDRESS"
for attribute in OrderStatus=Keyword CustomerId=Keyword SagaStep=Keyword OrderTotal=Int TenantId=Keyword; do
  temporal operator search-attribute create --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" \
    --name "${attribute%%=*}" --type "${attribute#*=}" || true
done
echo "namespace $NAMESPACE ready"
