#!/usr/bin/env python3
# File: bench/scenario/job_scenarios.py — the scheduled-job scenarios of scenario.py (issue 12, "Performance"):
#   job-idle   10,000 jobs that do not fire (once a year) + a few that do: berth's CPU over an idle window as % of
#              one core, and RSS per job (RSS with the jobs minus RSS before, / jobs).
#   job-lag    jobs every 2 s (tasks end by themselves before the next slot): slot -> RunTask arrival at the sim
#              (the task's createdAt), p50/p99 over a few hundred fires, while the modify bucket has tokens.
#   job-burst  1,000 jobs `at(T)` (the same second): slot -> the last RunTask against the throttle bound
#              (1,000 - 100)/40 s, RunTask calls at the sim, tasks per run group (duplicates), ECS calls per fire.
# Run through scenario.py (`python3 scenario.py job-idle ...`), which owns the processes and arguments.
# The run id of a slot is its epoch seconds and the task group is "berth-job:<job id>:<run id>" (policy/job.hpp),
# so the slot of every task is read back from the sim (DescribeTasks, throttle off, outside the measured windows).
import math
import threading
import time

from scenario import Berth, Http, Sim, ecs_calls, log, wait_queue_empty

FAMILY = "bench-job"


def register_exiting_task_definition(sim, exit_after_ms):
    """A task definition whose tasks end by themselves (tests/sim/README.md: BERTH_SIM_EXIT_AFTER_MS), so a job's
    previous run is over before its next slot (with concurrencyPolicy Allow, live tasks count as running)."""
    env = [] if exit_after_ms is None else [{"name": "BERTH_SIM_EXIT_AFTER_MS", "value": str(exit_after_ms)}]
    r = sim.ecs("RegisterTaskDefinition", {
        "family": FAMILY,
        "containerDefinitions": [{"name": "main", "image": "bench/job:1", "cpu": 16, "memory": 16,
                                  "essential": True, "environment": env}]})
    td = r["taskDefinition"]
    return "%s:%d" % (td["family"], td["revision"])


def start(args, workdir, instances, exit_after_ms):
    sim = Sim(args.sim, instances, workdir,
              ["--task-start-ms", str(args.job_task_start_ms), "--task-stop-ms", str(args.job_task_start_ms)])
    sim.set_throttle("modify", 100, 40)
    sim.set_throttle("read", 100, 20)
    td = register_exiting_task_definition(sim, exit_after_ms)
    berth = Berth(args.berth, sim, workdir, wrap=args.wrap)
    t_boot = berth.wait_bootstrapped(instances, args.timeout)
    log("berth bootstrapped %d instances in %.1f s" % (instances, t_boot - berth.started_at))
    wait_queue_empty(sim, 60)
    return sim, berth, td


def create_jobs(berth, specs, concurrency):
    """POST /v1/jobs for every spec over `concurrency` keep-alive connections; returns seconds taken."""
    host, port = berth.http.host, berth.http.port
    errors, lock, it = [], threading.Lock(), iter(specs)

    def worker():
        h = Http(host, port)
        while True:
            with lock:
                spec = next(it, None)
            if spec is None or errors:
                return
            try:
                h.json("POST", "/v1/jobs", spec)
            except Exception as e:  # noqa: BLE001 — reported after the join
                with lock:
                    errors.append(str(e))

    t0 = time.time()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError("creating jobs: %s" % errors[0])
    return time.time() - t0


def wait_cpu_quiet(berth, timeout, quiet_s=0.02, step=2.0):
    """Until berth spends less than quiet_s CPU seconds in `step` s (the change feed and first syncs are done)."""
    deadline = time.time() + timeout
    last = berth.proc.cpu_seconds()
    while time.time() < deadline:
        time.sleep(step)
        now = berth.proc.cpu_seconds()
        if now - last < quiet_s:
            return True
        last = now
    return False


def job_tasks(sim):
    """Every task the sim knows (STOPPED ones included, retention 1 h) whose group is a berth job's:
    [(job id, run id, createdAt epoch s, startedBy)]. Read with the sim's throttle off: outside measured windows."""
    arns = [t["arn"] for t in sim.state(tasks=True)["clusters"][0]["tasks"]]
    sim.http.json("POST", "/_sim/throttle", {"enabled": False})
    try:
        out = []
        for i in range(0, len(arns), 100):
            r = sim.ecs("DescribeTasks", {"cluster": "bench", "tasks": arns[i:i + 100]})
            for t in r["tasks"]:
                group = t.get("group", "")
                if not group.startswith("berth-job:"):
                    continue
                job, run = group[len("berth-job:"):].rsplit(":", 1)
                out.append((job, run, float(t["createdAt"]), t.get("startedBy")))
        return out
    finally:
        sim.http.json("POST", "/_sim/throttle", {"enabled": True})


def percentile(values, p):
    """Nearest rank."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def delta_calls(s0, s1):
    e0 = ecs_calls(s0)
    return {k: v - e0.get(k, 0) for k, v in ecs_calls(s1).items() if v - e0.get(k, 0)}


# --- job-idle -------------------------------------------------------------------------------------

def run_job_idle(args, workdir):
    n, firing = args.jobs, args.idle_firing_jobs
    sim, berth, td = start(args, workdir, args.job_instances, exit_after_ms=1000)
    try:
        wait_cpu_quiet(berth, 30)
        rss0 = berth.proc.status_kib("VmRSS")
        # Once a year (1 January 00:00 UTC): loaded, timed, never due within the run.
        idle = [{"id": "idle-%05d" % k, "taskDefinition": td, "schedule": "cron:0 0 1 1 *"} for k in range(n)]
        fire = [{"id": "fire-%d" % k, "taskDefinition": td, "schedule": "*/10"} for k in range(firing)]
        create_s = create_jobs(berth, idle + fire, args.create_concurrency)
        log("created %d + %d jobs in %.1f s (%d connections)" % (n, firing, create_s, args.create_concurrency))
        quiet = wait_cpu_quiet(berth, 120)
        rss1 = berth.proc.status_kib("VmRSS")
        listed = berth.http.json("GET", "/v1/jobs?limit=1")
        s0, cpu0, t0 = sim.stats(), berth.proc.cpu_seconds(), time.time()
        log("idle: measuring %d s with %d jobs loaded" % (args.idle_window, n + firing))
        time.sleep(args.idle_window)
        s1, cpu1, t1 = sim.stats(), berth.proc.cpu_seconds(), time.time()
        rss2 = berth.proc.status_kib("VmRSS")
        tasks = job_tasks(sim)
        window = t1 - t0
        return {
            "scenario": "job-idle", "jobs_idle": n, "jobs_firing": firing, "firing_schedule": "*/10 (every 10 s)",
            "instances": args.job_instances,
            "create_s": round(create_s, 1), "create_per_s": round((n + firing) / create_s, 0),
            "create_concurrency": args.create_concurrency, "settled_after_create": quiet,
            "first_list_item": (listed.get("items") or [{}])[0].get("id"),
            "rss_before_kib": rss0, "rss_after_create_kib": rss1, "rss_after_idle_kib": rss2,
            "rss_per_job_bytes": round((rss1 - rss0) * 1024 / n, 0),
            "idle_window_s": round(window, 1),
            "idle_berth_cpu_s": round(cpu1 - cpu0, 3),
            "idle_cpu_pct_of_core": round((cpu1 - cpu0) / window * 100, 3),
            "idle_ecs_calls_by_op": delta_calls(s0, s1),
            "runs_of_idle_jobs": sum(1 for t in tasks if t[0].startswith("idle-")),
            "tasks_of_firing_jobs": sum(1 for t in tasks if t[0].startswith("fire-")),
            "berth_peak_rss_mib": round(berth.proc.status_kib("VmHWM") / 1024, 1),
            "berth_stats": berth.stats(),
        }
    finally:
        berth.proc.stop()
        sim.proc.stop()


# --- job-lag --------------------------------------------------------------------------------------

def run_job_lag(args, workdir):
    n, period = args.lag_jobs, args.lag_period
    # Tasks end after 200 ms (+ the sim's start and stop delays): the run is over well before the next slot.
    sim, berth, td = start(args, workdir, args.job_instances, exit_after_ms=200)
    try:
        specs = [{"id": "lag-%03d" % k, "taskDefinition": td, "schedule": "*/%d" % period} for k in range(n)]
        create_jobs(berth, specs, min(8, n))
        # Slots from the next whole period after a settle second: the first slots after creation are measured too.
        t_first = (math.floor(time.time()) // period + 2) * period
        s0 = sim.stats()
        log("lag: %d jobs every %d s, measuring slots %d.. for %d s" % (n, period, t_first, args.lag_window))
        time.sleep(max(0.0, t_first + args.lag_window - time.time()))
        t_last = t_first + args.lag_window - period  # the last measured slot
        time.sleep(2.0)  # its RunTasks are in
        s1 = sim.stats()
        for k in range(n):  # no slot after the window
            berth.http.json("POST", "/v1/jobs/lag-%03d/suspend" % k)
        tasks = [t for t in job_tasks(sim) if t_first <= int(t[1]) <= t_last]
        slots = list(range(t_first, t_last + 1, period))
        per_run = {}
        for job, run, created, _ in tasks:
            per_run.setdefault((job, run), []).append(created)
        lags_ms = [(min(c) - int(run)) * 1000 for (job, run), c in per_run.items()]
        expected = n * len(slots)
        return {
            "scenario": "job-lag", "jobs": n, "period_s": period, "instances": args.job_instances,
            "task_start_stop_ms": args.job_task_start_ms, "task_exit_after_ms": 200,
            "slots_measured": len(slots), "fires_expected": expected, "runs_with_tasks": len(per_run),
            "fires_without_task": expected - len(per_run),
            "duplicate_tasks": sum(len(c) - 1 for c in per_run.values()),
            "lag_ms_min": round(min(lags_ms), 1) if lags_ms else None,
            "lag_ms_p50": round(percentile(lags_ms, 50), 1) if lags_ms else None,
            "lag_ms_p90": round(percentile(lags_ms, 90), 1) if lags_ms else None,
            "lag_ms_p99": round(percentile(lags_ms, 99), 1) if lags_ms else None,
            "lag_ms_max": round(max(lags_ms), 1) if lags_ms else None,
            "lag_ms_negative": sum(1 for x in lags_ms if x < 0),
            "run_task_calls": s1["api_calls"].get("RunTask", 0) - s0["api_calls"].get("RunTask", 0),
            "throttled_calls": s1.get("throttled_total", 0) - s0.get("throttled_total", 0),
            "ecs_calls_by_op": delta_calls(s0, s1),
            "berth_stats": berth.stats(),
        }
    finally:
        berth.proc.stop()
        sim.proc.stop()


# --- job-burst ------------------------------------------------------------------------------------

def run_job_burst(args, workdir):
    n = args.burst_jobs
    sim, berth, td = start(args, workdir, args.burst_instances, exit_after_ms=None)
    try:
        slot = math.ceil(time.time()) + args.burst_lead
        at = time.strftime("at(%Y-%m-%dT%H:%M:%S)", time.gmtime(slot))
        specs = [{"id": "burst-%04d" % k, "taskDefinition": td, "schedule": at} for k in range(n)]
        create_s = create_jobs(berth, specs, args.create_concurrency)
        left = slot - time.time()
        log("burst: %d jobs %s created in %.1f s, %.1f s before the slot" % (n, at, create_s, left))
        if left < 3:
            raise RuntimeError("jobs created %.1f s before their slot: raise --burst-lead" % left)
        wait_queue_empty(sim, 30)
        time.sleep(max(0.0, slot - 1 - time.time()))  # the modify bucket is full: nothing spent it
        s0, cpu0 = sim.stats(), berth.proc.cpu_seconds()
        deadline = slot + args.timeout
        while time.time() < deadline:
            s = sim.stats()
            if s["api_calls"].get("RunTask", 0) - s0["api_calls"].get("RunTask", 0) - \
                    (s.get("throttled", {}).get("RunTask", 0) - s0.get("throttled", {}).get("RunTask", 0)) >= n:
                break
            time.sleep(0.2)
        cpu_burst = berth.proc.cpu_seconds() - cpu0
        time.sleep(3.0)  # late duplicates would show up here
        s1 = sim.stats()
        tasks = [t for t in job_tasks(sim) if t[1] == str(slot)]
        per_run = {}
        for job, _, created, _ in tasks:
            per_run.setdefault(job, []).append(created)
        last = max((t[2] for t in tasks), default=None)
        first = min((t[2] for t in tasks), default=None)
        bound = (n - 100) / 40
        calls = delta_calls(s0, s1)
        run_calls = calls.get("RunTask", 0)
        throttled = s1.get("throttled_total", 0) - s0.get("throttled_total", 0)
        return {
            "scenario": "job-burst", "jobs": n, "schedule": at, "instances": args.burst_instances,
            "create_s": round(create_s, 1), "created_before_slot_s": round(left, 1),
            "slot_to_first_run_task_s": None if first is None else round(first - slot, 3),
            "slot_to_last_run_task_s": None if last is None else round(last - slot, 3),
            "throttle_bound_s": bound,
            "ratio_to_bound": None if last is None else round((last - slot) / bound, 3),
            "run_task_calls": run_calls, "run_task_throttled": throttled,
            "run_task_accepted": run_calls - throttled,
            "runs_with_tasks": len(per_run), "runs_without_task": n - len(per_run),
            "tasks": len(tasks), "duplicate_tasks": sum(len(c) - 1 for c in per_run.values()),
            "runs_with_other_than_one_task": sum(1 for c in per_run.values() if len(c) != 1),
            "ecs_calls_by_op": calls,
            "ecs_calls_per_fire": round(sum(calls.values()) / n, 3),
            "ecs_scheduler_calls_per_fire": "1 ListTasks + ceil(taskCount/10) RunTask = 2 for taskCount 1",
            "berth_cpu_s_burst": round(cpu_burst, 2),
            "berth_peak_rss_mib": round(berth.proc.status_kib("VmHWM") / 1024, 1),
            "berth_stats": berth.stats(),
        }
    finally:
        berth.proc.stop()
        sim.proc.stop()


def run_job(args, workdir):
    return {"job-idle": run_job_idle, "job-lag": run_job_lag, "job-burst": run_job_burst}[args.scenario](args, workdir)
