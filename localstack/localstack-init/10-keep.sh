#!/usr/bin/env bash
# LocalStack ready hook: creates Keep's queues and tables. UNTESTED here (no Docker in CI).
# The tables come from the same data files the Java code uses (schema/.../keep/tables/*.json).
# Keep's local stack also creates both on start, idempotently, so this hook is a convenience.
set -euo pipefail

awslocal sqs create-queue --queue-name keep-signing-dlq >/dev/null
dlq_arn=$(awslocal sqs get-queue-attributes --queue-url http://localhost:4566/000000000000/keep-signing-dlq \
  --attribute-names QueueArn --query Attributes.QueueArn --output text)
awslocal sqs create-queue --queue-name keep-signing --attributes \
  "{\"VisibilityTimeout\":\"30\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"$dlq_arn\\\",\\\"maxReceiveCount\\\":\\\"8\\\"}\"}" >/dev/null

for definition in /keep/tables/*.json; do
  python3 - "$definition" <<'PY' | sh
import json, shlex, sys
t = json.load(open(sys.argv[1]))
attrs = {t["partitionKey"]["name"]: t["partitionKey"]["type"]}
keys = [f'AttributeName={t["partitionKey"]["name"]},KeyType=HASH']
if t.get("sortKey"):
    attrs[t["sortKey"]["name"]] = t["sortKey"]["type"]
    keys.append(f'AttributeName={t["sortKey"]["name"]},KeyType=RANGE')
gsis = []
for i in t.get("globalSecondaryIndexes", []):
    attrs[i["partitionKey"]["name"]] = i["partitionKey"]["type"]
    schema = [{"AttributeName": i["partitionKey"]["name"], "KeyType": "HASH"}]
    if i.get("sortKey"):
        attrs[i["sortKey"]["name"]] = i["sortKey"]["type"]
        schema.append({"AttributeName": i["sortKey"]["name"], "KeyType": "RANGE"})
    gsis.append({"IndexName": i["name"], "KeySchema": schema, "Projection": {"ProjectionType": i["projection"]}})
cmd = ["awslocal", "dynamodb", "create-table", "--table-name", t["name"], "--billing-mode", "PAY_PER_REQUEST",
       "--attribute-definitions", *[f"AttributeName={k},AttributeType={v}" for k, v in attrs.items()],
       "--key-schema", *keys]
if gsis:
    cmd += ["--global-secondary-indexes", json.dumps(gsis)]
if t.get("stream"):
    cmd += ["--stream-specification", f'StreamEnabled=true,StreamViewType={t["stream"]}']
print(" ".join(shlex.quote(c) for c in cmd) + " >/dev/null || true")
if t.get("ttl"):
    ttl = ["awslocal", "dynamodb", "update-time-to-live", "--table-name", t["name"],
           "--time-to-live-specification", f'Enabled=true,AttributeName={t["ttl"]}']
    print(" ".join(shlex.quote(c) for c in ttl) + " >/dev/null || true")
PY
done
echo "keep: queues and tables ready"
