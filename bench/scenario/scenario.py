#!/usr/bin/env python3
# File: bench/scenario/scenario.py — scenario benchmarks: berth against berth-sim on loopback.
#
#   converge  N instances (default 5,000), ECS throttle on (modify: burst 100, 40/s): create one daemon
#             environment and time until every instance runs exactly one task. Reports StartTask calls
#             vs ceil(N/10), throttled calls, duplicates, berth CPU seconds and peak RSS, and the ratio
#             to the throttle bound (N/10 - 100)/40 s.
#   storm     100,000 task events (SendMessageBatch, pre-filled before berth starts) for 100,000
#             distinct tasks on N instances: events/s ingested and berth CPU per 1,000 events; berth's
#             RSS afterwards is the "N instances + 100,000 tasks" memory figure.
#   steady    after `converge`, a quiet window (default 60 s): ECS calls per minute with no changes.
#   service-place    (service_scenarios.py) N instances (3 AZs), one replica service of --tasks tasks
#             (default 10,000), spread over AZs then instanceId: time until every task exists vs the StartTask bound
#             (ceil(T/10) - 100)/40 s, StartTask calls vs ceil(T/10), instances over capacity, per-AZ spread.
#   service-rollout  (service_scenarios.py) service-place, then a PUT with a new task definition
#             (maximumPercent 200, minimumHealthyPercent 100 by default): time to the deployment's `completed` vs
#             ((starts/10 + stops) - 100)/40 s, with the live and healthy counts sampled against the bounds.
#   job-idle  (job_scenarios.py) 10,000 scheduled jobs that do not fire + a few that do: berth's CPU over an idle
#             window (% of one core) and RSS per job.
#   job-lag   (job_scenarios.py) jobs every 2 s: slot -> RunTask arrival at the sim, p50/p99 over a few hundred fires.
#   job-burst (job_scenarios.py) 1,000 jobs due in the same second: slot -> last RunTask vs (1,000 - 100)/40 s,
#             RunTask calls, tasks per run (duplicates), ECS calls per fire.
#
# Python 3 standard library only. Every wait is bounded; the sim and berth are children of this
# process and are terminated on exit. Prints one JSON object with the results on stdout (progress on
# stderr) and, with --markdown, a table for bench/RESULTS.md.
import argparse
import http.client
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")
SQS_OPS = {"ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "SendMessage", "SendMessageBatch",
           "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "GetQueueUrl", "GetQueueAttributes",
           "SetQueueAttributes", "ListQueues", "CreateQueue", "PurgeQueue"}


def log(*args):
    print("[scenario %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


class Http:
    """Keep-alive JSON client for one loopback host:port."""

    def __init__(self, host, port, timeout=30):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        if isinstance(data, str):
            data = data.encode()
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers or {})
                r = self.conn.getresponse()
                raw = r.read()
                return r.status, raw
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def json(self, method, path, body=None, headers=None, ok=(200, 201, 202, 204)):
        status, raw = self.request(method, path, body, headers)
        if status not in ok:
            raise RuntimeError("%s %s -> %d %s" % (method, path, status, raw[:300]))
        return json.loads(raw) if raw else None


class Proc:
    """A child process whose first stdout line is a JSON ready line."""

    def __init__(self, argv, stderr_path, ready_timeout=60):
        self.stderr = open(stderr_path, "wb")
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL)
        self.ready = self._ready_line(ready_timeout, argv[0])

    def _ready_line(self, timeout, name):
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.p.stdout, selectors.EVENT_READ)
        deadline = time.time() + timeout
        buf = b""
        while time.time() < deadline:
            if sel.select(timeout=0.5):
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf += chunk
                if b"\n" in buf:
                    return json.loads(buf.split(b"\n", 1)[0])
            if self.p.poll() is not None:
                break
        self.stop()
        raise RuntimeError("%s did not become ready (exit %s)" % (name, self.p.poll()))

    @property
    def pid(self):
        return self.p.pid

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.p.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)

    def status_kib(self, key):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout=5)
        self.stderr.close()


class Sim:
    def __init__(self, binary, instances, workdir, extra=()):
        argv = [binary, "--listen", "127.0.0.1:0", "--no-auth", "--cluster", "bench", "--instances", str(instances),
                "--throttle", "on", "--seed", "1", *extra]
        self.proc = Proc(argv, os.path.join(workdir, "sim.stderr"))
        ready = self.proc.ready
        self.endpoint, self.queue_url = ready["endpoint"], ready["queue_url"]
        u = urllib.parse.urlparse(self.endpoint)
        self.http = Http(u.hostname, u.port)
        self.queue_path = urllib.parse.urlparse(self.queue_url).path

    def stats(self):
        return self.http.json("GET", "/_sim/stats")

    def state(self, tasks=False, instances=False):
        q = []
        if tasks:
            q.append("tasks=1")
        if not instances:
            q.append("instances=0")
        return self.http.json("GET", "/_sim/state" + ("?" + "&".join(q) if q else ""))

    def ecs(self, op, body):
        return self.http.json("POST", "/", body, {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AmazonEC2ContainerServiceV20141113." + op})

    def sqs(self, op, body):
        return self.http.json("POST", "/", body, {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + op})

    def set_throttle(self, category, burst, rate):
        self.http.json("POST", "/_sim/throttle", {"enabled": True, "category": category, "burst": burst, "rate": rate})


class Berth:
    def __init__(self, binary, sim, workdir, audit_interval="10m", wrap=(), receivers=2):
        cfg = os.path.join(workdir, "berth.toml")
        with open(cfg, "w") as f:
            f.write("""[server]
listen = "127.0.0.1:0"
[log]
level = "info"
[aws]
region = "us-east-1"
endpoint = "%s"
[aws.credentials]
source = "static"
access_key_id = "AKIDEXAMPLE"
secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
[[clusters]]
name = "bench"
queue_url = "%s"
audit_interval = "%s"
bootstrap = true
receivers = %d
[store]
path = "%s"
""" % (sim.endpoint, sim.queue_url, audit_interval, receivers, os.path.join(workdir, "berth.db")))
        self.started_at = time.time()
        # `wrap` (e.g. perf record ... --) is for profiling only: CPU/RSS figures are then the wrapper's.
        self.proc = Proc([*wrap, binary, "serve", "-c", cfg], os.path.join(workdir, "berth.stderr"))
        host, port = self.proc.ready["listen"].rsplit(":", 1)
        self.http = Http(host, int(port))

    def stats(self):
        try:
            return self.http.json("GET", "/v1/stats")
        except Exception:  # noqa: BLE001 — optional endpoint
            return None

    def wait_bootstrapped(self, instances, timeout):
        """Until /v1/stats says cluster `bench` is ready with `instances` instances in the model."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            st = self.stats()
            c = (st or {}).get("clusters", {}).get("bench", {})
            if c.get("ready") and c.get("instances", 0) >= instances:
                return time.time()
            time.sleep(0.1)
        raise RuntimeError("berth did not bootstrap %d instances within %d s" % (instances, timeout))


def ecs_calls(stats):
    return {op: n for op, n in stats.get("api_calls", {}).items() if op not in SQS_OPS}


def wait_queue_empty(sim, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        q = sim.state()["queue"]
        if q["visible"] + q["inflight"] + q["delayed"] == 0:
            return True
        time.sleep(0.2)
    return False


def register_task_definition(sim, family="bench-daemon", cpu=64, memory=64, image="bench/agent:1"):
    r = sim.ecs("RegisterTaskDefinition", {
        "family": family,
        "containerDefinitions": [{"name": "main", "image": image, "cpu": cpu, "memory": memory,
                                  "essential": True}]})
    td = r["taskDefinition"]
    return "%s:%d" % (td["family"], td["revision"])


# --- converge (+ steady) --------------------------------------------------------------------------

def run_converge(args, workdir, steady_window=0):
    n = args.instances
    sim = Sim(args.sim, n, workdir, ["--task-start-ms", str(args.task_start_ms)])
    berth = None
    try:
        sim.set_throttle("modify", 100, 40)
        sim.set_throttle("read", 100, 20)
        td = register_task_definition(sim)
        berth = Berth(args.berth, sim, workdir, wrap=args.wrap)
        t_boot = berth.wait_bootstrapped(n, args.timeout)
        log("berth bootstrapped %d instances in %.1f s" % (n, t_boot - berth.started_at))
        wait_queue_empty(sim, 60)
        time.sleep(1.0)  # let the bucket refill after bootstrap reads; modify bucket is untouched
        s0 = sim.stats()
        cpu0, sim_cpu0 = berth.proc.cpu_seconds(), sim.proc.cpu_seconds()
        t0 = time.time()
        berth.http.json("POST", "/v1/environments", {
            "name": "daemon", "instanceGroup": {"cluster": "bench", "attributes": []}, "taskDefinition": td})
        t_placed = t_running = None
        deadline = t0 + args.timeout
        samples = []
        while time.time() < deadline:
            c = sim.state()["clusters"][0]
            now = time.time() - t0
            placed = c["running_tasks"] + c["pending_tasks"]
            samples.append((round(now, 2), placed, c["running_tasks"]))
            if t_placed is None and placed >= n:
                t_placed = now
            if c["running_tasks"] >= n:
                t_running = now
                break
            time.sleep(0.1)
        cpu_converge = berth.proc.cpu_seconds() - cpu0
        sim_cpu_converge = sim.proc.cpu_seconds() - sim_cpu0
        time.sleep(3.0)  # late duplicates would show up here
        s1 = sim.stats()
        st = sim.state(tasks=True)
        tasks = st["clusters"][0]["tasks"]
        per_instance = {}
        for t in tasks:
            per_instance.setdefault(t["instance"], []).append(t)
        with_one_live = sum(1 for ts in per_instance.values()
                            if sum(1 for t in ts if t["last_status"] != "STOPPED") == 1)
        duplicates = sum(1 for ts in per_instance.values() if len(ts) > 1)
        start_calls = s1["api_calls"].get("StartTask", 0) - s0["api_calls"].get("StartTask", 0)
        throttled = s1.get("throttled_total", 0) - s0.get("throttled_total", 0)
        minimum = math.ceil(n / 10)
        bound = (n / 10 - 100) / 40
        res = {
            "scenario": "converge", "instances": n, "task_start_ms": args.task_start_ms,
            "bootstrap_s": round(t_boot - berth.started_at, 2),
            "time_to_all_placed_s": None if t_placed is None else round(t_placed, 2),
            "time_to_all_running_s": None if t_running is None else round(t_running, 2),
            "throttle_bound_s": bound,
            "ratio_placed_to_bound": None if t_placed is None or bound <= 0 else round(t_placed / bound, 3),
            "ratio_running_to_bound": None if t_running is None or bound <= 0 else round(t_running / bound, 3),
            "instances_with_one_live_task": with_one_live, "tasks_launched": len(tasks),
            "duplicate_instances": duplicates,
            "start_task_calls": start_calls, "start_task_minimum": minimum,
            "start_task_ratio": round(start_calls / minimum, 3) if minimum else None,
            "throttled_calls": throttled, "throttled_by_op": s1.get("throttled", {}),
            "ecs_calls_during_converge": {k: v - ecs_calls(s0).get(k, 0) for k, v in ecs_calls(s1).items()},
            "berth_cpu_s_converge": round(cpu_converge, 2),
            "berth_cpu_s_total": round(berth.proc.cpu_seconds(), 2),
            "berth_peak_rss_mib": round(berth.proc.status_kib("VmHWM") / 1024, 1),
            "sim_cpu_s_converge": round(sim_cpu_converge, 2),
            "berth_stats": berth.stats(),
            "progress_samples": samples[:: max(1, len(samples) // 40)],
        }
        res["deployment_completed_s"] = wait_deployment_completed(berth, t0, args.timeout)
        if steady_window:
            res.update(measure_steady(sim, berth, steady_window))
        return res
    finally:
        if berth:
            berth.proc.stop()
        sim.proc.stop()


def wait_deployment_completed(berth, t0, timeout):
    """Seconds from environment creation until its first deployment is `completed` (the tasks passed
    the rollout's min-healthy gate), or None. Until then berth re-plans on health-gate wake-ups."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = berth.http.json("GET", "/v1/environments/daemon/deployments")
        items = d.get("items", [])
        # Blox's status is "completed" however it ended; berth's outcome says it succeeded.
        if items and items[0].get("outcome") == "succeeded":
            return round(time.time() - t0, 2)
        time.sleep(0.2)
    return None


def measure_steady(sim, berth, window):
    wait_queue_empty(sim, 30)
    time.sleep(2.0)
    s0, cpu0, t0 = sim.stats(), berth.proc.cpu_seconds(), time.time()
    log("steady: measuring %d s with no changes" % window)
    time.sleep(window)
    s1, cpu1, t1 = sim.stats(), berth.proc.cpu_seconds(), time.time()
    e0, e1 = ecs_calls(s0), ecs_calls(s1)
    delta = {k: v - e0.get(k, 0) for k, v in e1.items() if v - e0.get(k, 0)}
    sqs = {k: v - s0["api_calls"].get(k, 0) for k, v in s1["api_calls"].items()
           if k in SQS_OPS and v - s0["api_calls"].get(k, 0)}
    minutes = (t1 - t0) / 60
    return {"steady_window_s": round(t1 - t0, 1),
            "steady_ecs_calls_per_min": round(sum(delta.values()) / minutes, 2),
            "steady_ecs_calls_by_op": delta, "steady_sqs_calls_by_op": sqs,
            "steady_berth_cpu_s_per_min": round((cpu1 - cpu0) / minutes, 3)}


# --- storm ----------------------------------------------------------------------------------------

TASK_EVENT = ('{"version":"0","id":"%(id)s","detail-type":"ECS Task State Change","source":"aws.ecs",'
              '"account":"000000000000","time":"2026-11-25T09:00:03.000Z","region":"us-east-1",'
              '"resources":["%(arn)s"],"detail":{"attachments":[],"availabilityZone":"us-east-1a",'
              '"clusterArn":"%(cluster)s","containerInstanceArn":"%(inst)s","containers":['
              '{"containerArn":"%(carn)s","taskArn":"%(arn)s","name":"app","lastStatus":"RUNNING",'
              '"networkBindings":[]}],"cpu":"256","memory":"512","createdAt":"2026-11-25T09:00:00.000Z",'
              '"desiredStatus":"RUNNING","group":"service:svc-%(svc)d","launchType":"EC2","lastStatus":"RUNNING",'
              '"overrides":{"containerOverrides":[]},"pullStartedAt":"2026-11-25T09:00:01.000Z",'
              '"pullStoppedAt":"2026-11-25T09:00:02.000Z","startedAt":"2026-11-25T09:00:03.000Z",'
              '"startedBy":"ecs-svc/922337055615%(svc)05d","taskArn":"%(arn)s",'
              '"taskDefinitionArn":"arn:aws:ecs:us-east-1:000000000000:task-definition/svc-%(svc)d:3",'
              '"updatedAt":"2026-11-25T09:00:03.000Z","version":3}}')


def run_storm(args, workdir):
    n, events = args.instances, args.events
    sim = Sim(args.sim, n, workdir)
    berth = None
    try:
        st = sim.state(instances=True)
        cluster = st["clusters"][0]
        insts = [i["arn"] for i in cluster["instances"]]
        cluster_arn = cluster["arn"]
        log("storm: sending %d task events (SendMessageBatch of 10)" % events)
        t_send = time.time()
        batch = []
        for k in range(events):
            tid = "%032x" % (0x5eed0000000000000000 + k)
            arn = "arn:aws:ecs:us-east-1:000000000000:task/bench/" + tid
            body = TASK_EVENT % {"id": "%08x-0000-4000-8000-%012x" % (k, k), "arn": arn, "cluster": cluster_arn,
                                 "inst": insts[k % len(insts)], "carn": arn.replace(":task/", ":container/") + "/c0",
                                 "svc": k % 50}
            batch.append({"Id": str(len(batch)), "MessageBody": body})
            if len(batch) == 10 or k == events - 1:
                r = sim.sqs("SendMessageBatch", {"QueueUrl": sim.queue_url, "Entries": batch})
                if r.get("Failed"):
                    raise RuntimeError("SendMessageBatch failed: %s" % r["Failed"][:1])
                batch = []
        q = sim.state()["queue"]
        queued = q["visible"] + q["delayed"]
        log("storm: %d messages queued in %.1f s (incl. the sim's own instance events)" % (queued, time.time() - t_send))
        s0 = sim.stats()
        berth = Berth(args.berth, sim, workdir, wrap=args.wrap, receivers=args.receivers)
        t_start = berth.started_at
        samples = []  # (t, deleted, cpu)
        deadline = time.time() + args.timeout
        drained = False
        while time.time() < deadline:
            s = sim.stats()
            samples.append((time.time(), s["messages_deleted"] - s0["messages_deleted"], berth.proc.cpu_seconds(),
                            sim.proc.cpu_seconds()))
            if s["queue_visible"] + s["queue_inflight"] + s["queue_delayed"] == 0 and samples[-1][1] >= queued:
                drained = True
                break
            time.sleep(0.25)
        first = next((x for x in samples if x[1] > 0), None)
        last = samples[-1]
        res = {"scenario": "storm", "instances": n, "receivers": args.receivers, "events_sent": events,
               "messages_queued": queued,
               "drained": drained, "messages_deleted": last[1]}
        if first and last[0] > first[0]:
            span = last[0] - first[0]
            processed = last[1] - first[1]
            cpu = last[2] - first[2]
            res.update({
                "drain_seconds": round(span, 2),
                "events_per_s": round(processed / span, 0),
                "berth_cpu_s_drain": round(cpu, 2),
                "sim_cpu_s_drain": round(last[3] - first[3], 2),
                "berth_cpu_ms_per_1000_events": round(cpu / processed * 1e6, 1) if processed else None,
                "berth_cpu_bound_events_per_s": round(processed / cpu, 0) if cpu > 0 else None,
                "time_from_berth_start_to_first_delete_s": round(first[0] - t_start, 2),
            })
        res.update({"berth_rss_mib_after": round(berth.proc.status_kib("VmRSS") / 1024, 1),
                    "berth_peak_rss_mib": round(berth.proc.status_kib("VmHWM") / 1024, 1),
                    "berth_cpu_s_total": round(berth.proc.cpu_seconds(), 2),
                    "berth_stats": berth.stats(),
                    "sim_receive_calls": sim.stats()["api_calls"].get("ReceiveMessage", 0) - s0["api_calls"].get("ReceiveMessage", 0)})
        return res
    finally:
        if berth:
            berth.proc.stop()
        sim.proc.stop()


def markdown(res):
    rows = ["| metric | value |", "|---|---|"]
    for k, v in res.items():
        if k in ("progress_samples", "berth_stats", "rollout_progress_samples"):
            continue
        rows.append("| %s | %s |" % (k, json.dumps(v) if isinstance(v, (dict, list)) else v))
    return "\n".join(rows)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", choices=["converge", "storm", "steady", "service-place", "service-rollout",
                                         "job-idle", "job-lag", "job-burst"])
    ap.add_argument("--build", default=os.path.join(root, "build-bench"))
    ap.add_argument("--instances", type=int, default=5000)
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--tasks", type=int, default=10000, help="service-*: desiredCount")
    ap.add_argument("--max-percent", type=int, default=200, help="service-rollout: maximumPercent")
    ap.add_argument("--min-healthy-percent", type=int, default=100, help="service-rollout: minimumHealthyPercent")
    ap.add_argument("--min-healthy-seconds", type=int, default=10, help="service-*: minHealthySeconds")
    ap.add_argument("--task-start-ms", type=int, default=1000)
    ap.add_argument("--steady-window", type=int, default=60)
    ap.add_argument("--receivers", type=int, default=2, help="clusters[].receivers: concurrent SQS long polls")
    ap.add_argument("--jobs", type=int, default=10000, help="job-idle: jobs that do not fire")
    ap.add_argument("--idle-firing-jobs", type=int, default=5, help="job-idle: jobs firing every 10 s beside them")
    ap.add_argument("--idle-window", type=int, default=60, help="job-idle: seconds measured")
    ap.add_argument("--create-concurrency", type=int, default=8, help="job-*: keep-alive connections creating jobs")
    ap.add_argument("--job-instances", type=int, default=10, help="job-idle, job-lag: instances in the sim")
    ap.add_argument("--job-task-start-ms", type=int, default=100, help="job-*: the sim's task start and stop delays")
    ap.add_argument("--lag-jobs", type=int, default=20, help="job-lag: jobs")
    ap.add_argument("--lag-period", type=int, default=2, help="job-lag: seconds between slots")
    ap.add_argument("--lag-window", type=int, default=30, help="job-lag: seconds of slots measured")
    ap.add_argument("--burst-jobs", type=int, default=1000, help="job-burst: jobs due in the same second")
    ap.add_argument("--burst-instances", type=int, default=100, help="job-burst: instances in the sim")
    ap.add_argument("--burst-lead", type=int, default=60, help="job-burst: the slot is this many s after the start")
    ap.add_argument("--timeout", type=int, default=300, help="bound on each wait, seconds")
    ap.add_argument("--out", help="also write the JSON result here")
    ap.add_argument("--wrap", default="", help="command prefix for berth, for profiling (e.g. 'perf record -g -o F --')")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--keep-workdir", action="store_true", help="keep the children's logs and config (printed)")
    args = ap.parse_args()
    args.berth = os.path.join(args.build, "berth")
    args.sim = os.path.join(args.build, "berth-sim")
    args.wrap = args.wrap.split()
    if args.keep_workdir:
        import contextlib
        tmp = contextlib.nullcontext(tempfile.mkdtemp(prefix="berth-bench-"))
        log("workdir kept: " + tmp.enter_result)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="berth-bench-")
    with tmp as workdir:
        try:
            if args.scenario == "converge":
                res = run_converge(args, workdir)
            elif args.scenario == "steady":
                res = run_converge(args, workdir, steady_window=args.steady_window)
                res["scenario"] = "steady"
            elif args.scenario in ("service-place", "service-rollout"):
                from service_scenarios import run_service  # imports this module's helpers
                res = run_service(args, workdir, rollout=args.scenario == "service-rollout")
            elif args.scenario.startswith("job-"):
                from job_scenarios import run_job  # imports this module's helpers
                res = run_job(args, workdir)
            else:
                res = run_storm(args, workdir)
        except Exception as e:  # noqa: BLE001 — report, with the children's logs
            res = {"scenario": args.scenario, "error": str(e)}
            for name in ("berth.stderr", "sim.stderr"):
                p = os.path.join(workdir, name)
                if os.path.exists(p):
                    with open(p, "rb") as f:
                        res[name + "_tail"] = f.read()[-2000:].decode(errors="replace")
    res["date_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    res["loadavg"] = open("/proc/loadavg").read().split()[:3]
    out = json.dumps(res, indent=2)
    print(out)
    if args.out:
        with open(args.out, "w") as f:
            f.write(out + "\n")
    if args.markdown:
        print(markdown(res), file=sys.stderr)
    return 1 if "error" in res else 0


if __name__ == "__main__":
    sys.exit(main())
