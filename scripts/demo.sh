#!/usr/bin/env bash
# File: scripts/demo.sh — shows berth scheduling against a local berth-sim: a daemon environment gets one task
# per instance, new instances get theirs, a new task definition revision rolls out; beside it a replica service
# is placed (spread over AZs, then instances), scaled and rolled out to a new revision; then a scheduled job fires
# every 3 seconds and shows its run history. Ends on its own (< 2 min).
# Usage: bash scripts/setup.sh && bash scripts/demo.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/berth-demo-XXXXXX")"
SIM_PID="" BERTH_PID=""
AKID="AKIDEXAMPLE"
SECRET="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
START=$(date +%s)

cleanup() {
  # Stop only what this script started, by pid: berth first (it drains), then the sim.
  if [ -n "$BERTH_PID" ] && kill -0 "$BERTH_PID" 2>/dev/null; then
    kill -TERM "$BERTH_PID" 2>/dev/null || true
    wait "$BERTH_PID" 2>/dev/null || true
  fi
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  if [ -z "${KEEP_DEMO_DIR:-}" ]; then rm -rf "$WORK"; else echo "demo files kept in $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
elapsed() { echo $(( $(date +%s) - START ))s; }

# Waits for the first line of FILE (a process's ready line), at most 30 s.
first_line() {
  for _ in $(seq 1 300); do
    if [ -s "$1" ] && head -n1 "$1" | grep -q '}'; then head -n1 "$1"; return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2; return 1
}

# Polls until the shell expression "$1" succeeds, at most $2 seconds; prints progress with "$3".
wait_for() {
  local cond="$1" limit="$2" show="$3" i=0
  while ! eval "$cond"; do
    i=$((i + 1))
    if [ $((i % 4)) -eq 0 ]; then eval "$show"; fi
    if [ "$i" -ge $((limit * 2)) ]; then echo "demo: gave up waiting ($cond)" >&2; return 1; fi
    sleep 0.5
  done
}

say "building berth and berth-sim"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD" -j"$(nproc)" --target berth berth-sim 2>&1 | tail -n 2
START=$(date +%s)

say "starting berth-sim: 12 container instances, tasks start in 400 ms"
"$BUILD/berth-sim" --listen 127.0.0.1:0 --instances 12 --task-start-ms 400 --task-stop-ms 200 \
  >"$WORK/sim.out" 2>"$WORK/sim.log" &
SIM_PID=$!
SIM_READY="$(first_line "$WORK/sim.out")"
SIM="$(echo "$SIM_READY" | json 'd["endpoint"]')"
QUEUE="$(echo "$SIM_READY" | json 'd["queue_url"]')"
echo "sim endpoint $SIM, queue $QUEUE"

ecs() {  # ecs OPERATION JSON — a SigV4-signed ECS call (curl signs with the sim's demo keys)
  curl -sS --fail-with-body --aws-sigv4 "aws:amz:us-east-1:ecs" --user "$AKID:$SECRET" \
    -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" -H 'Content-Type: application/x-amz-json-1.1' \
    -d "$2" "$SIM/"
}
for rev in 1 2; do
  ecs RegisterTaskDefinition '{"family":"web","containerDefinitions":[{"name":"web","image":"nginx:1.2'"$rev"'","cpu":128,"memory":128,"essential":true}]}' \
    | json '"registered " + d["taskDefinition"]["taskDefinitionArn"]'
  ecs RegisterTaskDefinition '{"family":"api","containerDefinitions":[{"name":"api","image":"api:'"$rev"'","cpu":256,"memory":256,"essential":true}]}' \
    | json '"registered " + d["taskDefinition"]["taskDefinitionArn"]'
done
# A batch task for the job: berth-sim ends it after 800 ms with exit code 0 (BERTH_SIM_EXIT_AFTER_MS, sim-only).
ecs RegisterTaskDefinition '{"family":"report","containerDefinitions":[{"name":"report","image":"report:1","cpu":64,"memory":64,"essential":true,"environment":[{"name":"BERTH_SIM_EXIT_AFTER_MS","value":"800"}]}]}' \
  | json '"registered " + d["taskDefinition"]["taskDefinitionArn"]'

cat >"$WORK/berth.toml" <<TOML
[server]
listen = "127.0.0.1:0"
shutdown_timeout = "5s"
[aws]
region = "us-east-1"
endpoint = "$SIM"
[aws.credentials]
source = "static"
access_key_id = "$AKID"
secret_access_key = "$SECRET"
[[clusters]]
name = "default"
queue_url = "$QUEUE"
audit_interval = "60s"
[store]
path = "$WORK/state/berth.db"
TOML

say "starting berth"
"$BUILD/berth" serve -c "$WORK/berth.toml" >"$WORK/berth.out" 2>"$WORK/berth.log" &
BERTH_PID=$!
API="http://$(first_line "$WORK/berth.out" | json 'd["listen"]')"
echo "berth API $API (log: berth.log)"
wait_for '[ "$(curl -s $API/v1/stats | json "d[\"clusters\"][\"default\"][\"ready\"]")" = True ]' 20 'echo "  waiting for the cluster bootstrap"'

# Prints one line per instance: how many RUNNING tasks of each revision it has.
tasks_per_instance() {
  curl -s "$API/v1/clusters/default/tasks" | python3 -c '
import json, sys, collections
tasks = json.load(sys.stdin)["tasks"]
per = collections.defaultdict(list)
for t in tasks:
    if t["lastStatus"] == "RUNNING" and t["desiredStatus"] == "RUNNING":
        per[t["instance"].rsplit("/", 1)[-1][:8]].append(t["taskDefinition"].rsplit("/", 1)[-1])
print("  %d instances with tasks: %s" % (len(per), "  ".join("%s:%s" % (i, ",".join(v)) for i, v in sorted(per.items()))))'
}
# Number of ACTIVE instances whose only RUNNING task is revision $1.
converged_on() {
  curl -s "$API/v1/clusters/default/instances" >"$WORK/i.json"
  curl -s "$API/v1/clusters/default/tasks" | python3 -c '
import json, sys
rev = sys.argv[1]
inst = [i["arn"] for i in json.load(open(sys.argv[2]))["instances"] if i["status"] == "ACTIVE"]
tasks = [t for t in json.load(sys.stdin)["tasks"] if t["lastStatus"] == "RUNNING" and t["desiredStatus"] == "RUNNING"]
ok = all([t["taskDefinition"].endswith(rev) for t in tasks if t["instance"] == i] == [True] for i in inst)
print(len(inst) if ok else -1)' "$1" "$WORK/i.json"
}

say "creating daemon environment 'web' (web:1 on every instance) through the API"
curl -sS -X POST "$API/v1/environments" -H 'Content-Type: application/json' -d '{
  "name": "web",
  "instanceGroup": {"cluster": "default"},
  "taskDefinition": "web:1",
  "rollout": {"maxUnavailable": "50%", "minHealthySeconds": 2}
}' | json '"created environment %s, deployment %s" % (d["name"], d["activeDeploymentId"])'
wait_for '[ "$(converged_on web:1)" = 12 ]' 30 tasks_per_instance
tasks_per_instance
echo "  -> 12/12 instances run web:1 ($(elapsed))"

say "adding 4 instances through the sim's control API"
curl -sS -X POST "$SIM/_sim/instances" -d '{"cluster":"default","count":4}' | json '"added %d instances" % len(d["container_instance_arns"])'
wait_for '[ "$(converged_on web:1)" = 16 ]' 30 tasks_per_instance
tasks_per_instance
echo "  -> 16/16 instances run web:1 ($(elapsed))"

say "rolling out web:2 (maxUnavailable 50%, healthy after 2 s)"
# The Blox flow: read the environment's deploymentToken, deploy with it (it rotates with every deployment).
TOKEN="$(curl -sS "$API/v1/environments/web" | json 'd["deploymentToken"]')"
DEP="$(curl -sS -X POST "$API/v1/environments/web/deployments?deploymentToken=$TOKEN" \
  -H 'Content-Type: application/json' -d '{"taskDefinition":"web:2"}' | json 'd["id"]')"
echo "deployment $DEP"
# Blox's status is "completed" once over; berth's outcome says how (succeeded, failed, rolled_back).
dep_outcome() { curl -s "$API/v1/environments/web/deployments/$DEP" | json 'd["outcome"] or ""'; }
show_dep() { curl -s "$API/v1/environments/web/deployments/$DEP" | json '"  %s: %d/%d updated" % (d["status"], d["updatedCount"], d["desiredCount"])'; }
wait_for '[ "$(dep_outcome)" = succeeded ]' 60 show_dep
show_dep
tasks_per_instance
echo "  -> deployment completed ($(elapsed))"

# Live (desired RUNNING) tasks of task definition family $1 per availability zone and revision, from berth's
# model (GET /v1/clusters/default/{instances,tasks}); prints one line, or with "count" only the RUNNING total.
service_view() {
  curl -s "$API/v1/clusters/default/instances" >"$WORK/i.json"
  curl -s "$API/v1/clusters/default/tasks" | python3 -c '
import json, sys, collections
family, mode = sys.argv[1], sys.argv[3]
az = {}
for i in json.load(open(sys.argv[2]))["instances"]:
    for a in i["attributes"]:
        if a["name"] == "ecs.availability-zone":
            az[i["arn"]] = a.get("value", "?")
tasks = [t for t in json.load(sys.stdin)["tasks"] if t["desiredStatus"] == "RUNNING"
         and t["taskDefinition"].rsplit("/", 1)[-1].split(":")[0] == family]
running = [t for t in tasks if t["lastStatus"] == "RUNNING"]
if mode == "count":
    print(len(running)); sys.exit()
per = collections.defaultdict(collections.Counter)
for t in running:
    per[az.get(t["instance"], "?")][t["taskDefinition"].rsplit("/", 1)[-1]] += 1
hosts = collections.Counter(t["instance"] for t in running)
print("  %d RUNNING (%d starting): %s; at most %d on one instance" % (len(running), len(tasks) - len(running),
      "  ".join("%s %s" % (z, ",".join("%s=%d" % kv for kv in sorted(c.items()))) for z, c in sorted(per.items())),
      max(hosts.values()) if hosts else 0))' "$1" "$WORK/i.json" "${2:-show}"
}
# Number of instances whose only RUNNING task of family $1 is revision $2 (the daemon, beside the service).
daemon_on() {
  curl -s "$API/v1/clusters/default/tasks" | python3 -c '
import json, sys, collections
family, rev = sys.argv[1], sys.argv[2]
per = collections.defaultdict(list)
for t in json.load(sys.stdin)["tasks"]:
    name = t["taskDefinition"].rsplit("/", 1)[-1]
    if t["lastStatus"] == "RUNNING" and t["desiredStatus"] == "RUNNING" and name.split(":")[0] == family:
        per[t["instance"]].append(name)
print(sum(1 for v in per.values() if v == [rev]))' "$1" "$2"
}

SERVICE_SPEC='"cluster": "default",
  "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "spread", "field": "instanceId"}],
  "deploymentConfiguration": {"minimumHealthyPercent": 100, "maximumPercent": 200, "minHealthySeconds": 2}'
say "creating replica service 'api' (6 x api:1, spread over AZs then instances) beside the daemon"
curl -sS -X POST "$API/v1/services" -H 'Content-Type: application/json' \
  -d '{"name": "api", "taskDefinition": "api:1", "desiredCount": 6, '"$SERVICE_SPEC"'}' \
  | json '"created service %s version %d (%s x %d)" % (d["name"], d["version"], d["taskDefinition"], d["desiredCount"])'
wait_for '[ "$(service_view api count)" = 6 ]' 30 'service_view api'
service_view api
echo "  -> 6 placed by berth itself with StartTask, 2 per AZ ($(elapsed))"

say "scaling 'api' to 9 (POST /v1/services/api/scale; not a new version)"
curl -sS -X POST "$API/v1/services/api/scale" -H 'Content-Type: application/json' -d '{"desiredCount": 9}' \
  | json '"desiredCount %d, version %d" % (d["desiredCount"], d["version"])'
wait_for '[ "$(service_view api count)" = 9 ]' 30 'service_view api'
service_view api
echo "  -> 9 RUNNING, 3 per AZ ($(elapsed))"

say "rolling 'api' out to api:2 (PUT the whole spec: minimumHealthyPercent 100, maximumPercent 200)"
SVC_DEP="$(curl -sS -X PUT "$API/v1/services/api" -H 'Content-Type: application/json' \
  -d '{"name": "api", "taskDefinition": "api:2", "desiredCount": 9, '"$SERVICE_SPEC"'}' | json 'd["activeDeploymentId"]')"
echo "deployment $SVC_DEP"
svc_dep() { curl -s "$API/v1/services/api/deployments" | python3 -c '
import json, sys
d = next(x for x in json.load(sys.stdin)["items"] if x["id"] == sys.argv[1])
print("%s %d/%d" % (d["status"], d["updatedCount"], d["desiredCount"]))' "$SVC_DEP"; }
# Prints the service each time it changes until the deployment ends (at most 60 s): during the rollout at most
# 18 (200 %) run and never fewer than 9 (100 %) RUNNING.
last="" status=""
for _ in $(seq 1 120); do
  status="$(svc_dep)"
  line="  deployment $status updated, $(service_view api | sed "s/^ *//")"
  if [ "$line" != "$last" ]; then echo "$line"; last="$line"; fi
  case "$status" in completed* | failed* | rolled_back*) break ;; esac
  sleep 0.5
done
[ "${status%% *}" = completed ] || { echo "demo: deployment did not complete ($status)" >&2; exit 1; }
curl -s "$API/v1/services/api/versions" | json '"  versions: " + ", ".join("%d %s%s" % (v["version"], v["spec"]["taskDefinition"], " (stable)" if v["stable"] else "") for v in d["items"])'
curl -s "$API/v1/services/api" | json '"  unplaced: %d" % d["unplaced"]["count"]'
echo "  -> api:2 everywhere; the daemon beside it still runs web:2 on $(daemon_on web web:2)/16 instances ($(elapsed))"

say "creating scheduled job 'report' (2 x report:1 every 3 seconds, ECS Scheduler's schedule form \"*/3\")"
curl -sS -X POST "$API/v1/jobs" -H 'Content-Type: application/json' \
  -d '{"id": "report", "taskDefinition": "report:1", "schedule": "*/3", "taskCount": 2, "concurrencyPolicy": "Forbid"}' \
  | json '"created job %s, next run %s" % (d["id"], d["estimatedNextRun"])'
job_runs() {
  curl -s "$API/v1/jobs/report/runs" | python3 -c '
import json, sys
runs = json.load(sys.stdin)["items"]
for r in runs[:4]:
    print("  run %s: %s, %d task(s)%s" % (r["id"], r["status"], len(r["tasks"]), ", " + r["message"] if r.get("message") else ""))
print("  %d runs, %d succeeded" % (len(runs), sum(1 for r in runs if r["status"] == "succeeded")))'
}
runs_succeeded() { curl -s "$API/v1/jobs/report/runs" | json 'sum(1 for r in d["items"] if r["status"] == "succeeded")'; }
wait_for '[ "$(runs_succeeded)" -ge 3 ]' 40 'job_runs | tail -n 1'
echo "  run history (GET /v1/jobs/report/runs, newest first):"
job_runs
echo "  the same job as ECS Scheduler's clients see it (GET /jobs/report):"
curl -s "$API/jobs/report" | json '"  schedule %s, lastRun %s, lastRunTasks %d, estimatedNextRun %s" % (d["schedule"], d.get("lastRun"), len(d.get("lastRunTasks", [])), d.get("estimatedNextRun"))'

say "berth counters (GET /v1/stats)"
curl -s "$API/v1/stats" | json '"ECS calls: %s\nevents: %s\nreconciles: %d, tasks started %d, stopped %d" % (d["ecs"]["calls"], {k: d["events"][k] for k in ("received","applied","stale","malformed")}, d["reconcile"]["runs"], d["reconcile"]["tasks_started"], d["reconcile"]["tasks_stopped"])'

say "stopping berth and berth-sim"
kill -TERM "$BERTH_PID"; wait "$BERTH_PID" && echo "berth exited 0"; BERTH_PID=""
echo "demo finished in $(elapsed)"
