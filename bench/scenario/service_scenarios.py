#!/usr/bin/env python3
# File: bench/scenario/service_scenarios.py — the replica-service scenarios of scenario.py: service-place
# (10,000 tasks spread over 3 AZs then instances, against the StartTask throttle bound) and service-rollout
# (then a new task definition, against the StartTask + StopTask bound, live/healthy counts sampled).
# Run through scenario.py (`python3 scenario.py service-place ...`), which owns the processes and arguments.
import math
import time

from scenario import Berth, Sim, ecs_calls, log, register_task_definition, wait_queue_empty

SPREAD_AZ_THEN_INSTANCE = [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                           {"type": "spread", "field": "instanceId"}]


def zone_of_instances(sim):
    """{instance ARN: AZ} from ECS's own attribute (ListAttributes), read with the sim's throttle off so the
    read bucket berth shares is untouched; called outside every measured window."""
    sim.http.json("POST", "/_sim/throttle", {"enabled": False})
    try:
        out, token = {}, None
        while True:
            req = {"cluster": "bench", "targetType": "container-instance", "attributeName": "ecs.availability-zone"}
            if token:
                req["nextToken"] = token
            r = sim.ecs("ListAttributes", req)
            for a in r["attributes"]:
                out[a["targetId"]] = a.get("value")
            token = r.get("nextToken")
            if not token:
                return out
    finally:
        sim.http.json("POST", "/_sim/throttle", {"enabled": True})


def placement_check(sim, zone_of, family_arns, task_cpu, task_memory):
    """Counts from the sim's state: live tasks of the given task definitions per AZ and per instance, instances
    over capacity (negative remaining in the sim, or live tasks of ours needing more than the instance has)."""
    st = sim.state(tasks=True, instances=True)["clusters"][0]
    insts = {i["arn"]: i for i in st["instances"]}
    per_az, per_inst = {}, {}
    for t in st["tasks"]:
        if t["last_status"] == "STOPPED" or t["task_definition"] not in family_arns:
            continue
        per_inst[t["instance"]] = per_inst.get(t["instance"], 0) + 1
        az = zone_of.get(t["instance"], "?")
        per_az[az] = per_az.get(az, 0) + 1
    negative = sum(1 for i in insts.values() if i["cpu_remaining"] < 0 or i["memory_remaining"] < 0)
    over = sum(1 for arn, n in per_inst.items()
               if n * task_cpu > insts[arn]["cpu"] or n * task_memory > insts[arn]["memory"])
    counts = list(per_inst.values())
    return {"per_az": dict(sorted(per_az.items())),
            "per_az_max_minus_min": (max(per_az.values()) - min(per_az.values())) if per_az else None,
            "tasks_per_instance_min_max": [min(counts), max(counts)] if counts else None,
            "instances_used": len(per_inst),
            "instances_negative_remaining": negative, "instances_over_capacity": over}


def op_delta(s0, s1, op):
    return s1["api_calls"].get(op, 0) - s0["api_calls"].get(op, 0)


def run_service(args, workdir, rollout=False):
    n, tasks = args.instances, args.tasks
    cpu, memory = 256, 512
    sim = Sim(args.sim, n, workdir, ["--task-start-ms", str(args.task_start_ms)])
    berth = None
    try:
        sim.set_throttle("modify", 100, 40)
        sim.set_throttle("read", 100, 20)
        td1 = register_task_definition(sim, "bench-web", cpu, memory, "bench/web:1")
        td2 = register_task_definition(sim, "bench-web", cpu, memory, "bench/web:2")
        arn = {td: "arn:aws:ecs:us-east-1:000000000000:task-definition/" + td for td in (td1, td2)}
        berth = Berth(args.berth, sim, workdir, wrap=args.wrap)
        t_boot = berth.wait_bootstrapped(n, args.timeout)
        log("berth bootstrapped %d instances in %.1f s" % (n, t_boot - berth.started_at))
        wait_queue_empty(sim, 60)
        time.sleep(1.0)
        spec = {"name": "web", "cluster": "bench", "taskDefinition": td1, "desiredCount": tasks,
                "placementStrategy": SPREAD_AZ_THEN_INSTANCE,
                "deploymentConfiguration": {"minimumHealthyPercent": args.min_healthy_percent,
                                            "maximumPercent": args.max_percent,
                                            "minHealthySeconds": args.min_healthy_seconds}}
        s0 = sim.stats()
        cpu0 = berth.proc.cpu_seconds()
        t0 = time.time()
        berth.http.json("POST", "/v1/services", spec)
        t_placed = t_running = None
        deadline = t0 + args.timeout
        while time.time() < deadline:
            c = sim.state()["clusters"][0]
            now = time.time() - t0
            if t_placed is None and c["running_tasks"] + c["pending_tasks"] >= tasks:
                t_placed = now
            if c["running_tasks"] >= tasks:
                t_running = now
                break
            time.sleep(0.1)
        cpu_place = berth.proc.cpu_seconds() - cpu0
        time.sleep(2.0)  # late extra starts would show up here
        s1 = sim.stats()
        zone_of = zone_of_instances(sim)
        start_calls = op_delta(s0, s1, "StartTask")
        minimum = math.ceil(tasks / 10)
        bound = (minimum - 100) / 40
        svc = berth.http.json("GET", "/v1/services/web")
        res = {
            "scenario": "service-rollout" if rollout else "service-place", "instances": n, "tasks": tasks,
            "task_cpu_memory": [cpu, memory], "task_start_ms": args.task_start_ms,
            "azs": sorted(set(zone_of.values())),
            "bootstrap_s": round(t_boot - berth.started_at, 2),
            "place_time_to_all_placed_s": None if t_placed is None else round(t_placed, 2),
            "place_time_to_all_running_s": None if t_running is None else round(t_running, 2),
            "place_throttle_bound_s": bound,
            "place_ratio_placed_to_bound": None if t_placed is None or bound <= 0 else round(t_placed / bound, 3),
            "place_start_task_calls": start_calls, "place_start_task_minimum": minimum,
            "place_start_task_ratio": round(start_calls / minimum, 3),
            "place_throttled_calls": s1.get("throttled_total", 0) - s0.get("throttled_total", 0),
            "place_ecs_calls": {k: v - ecs_calls(s0).get(k, 0) for k, v in ecs_calls(s1).items()
                                if v - ecs_calls(s0).get(k, 0)},
            "place_unplaced": svc.get("unplaced"),
            "place_berth_cpu_s": round(cpu_place, 2),
        }
        res.update({"place_" + k: v for k, v in placement_check(sim, zone_of, {arn[td1]}, cpu, memory).items()})
        if rollout:
            res.update(measure_rollout(args, sim, berth, spec, td2, arn, zone_of, cpu, memory))
        res.update({"berth_cpu_s_total": round(berth.proc.cpu_seconds(), 2),
                    "berth_peak_rss_mib": round(berth.proc.status_kib("VmHWM") / 1024, 1),
                    "berth_stats": berth.stats()})
        return res
    finally:
        if berth:
            berth.proc.stop()
        sim.proc.stop()


def measure_rollout(args, sim, berth, spec, td2, arn, zone_of, cpu, memory):
    """PUT the spec with td2; until the deployment completes, sample the sim every 200 ms (live = RUNNING +
    PENDING + PROVISIONING, tasks being stopped included: the maximumPercent side) and every 2 s the task list
    (RUNNING with desired RUNNING: the minimumHealthyPercent side, as a user of the service would see it)."""
    tasks = spec["desiredCount"]
    max_live = tasks * args.max_percent // 100
    min_healthy = math.ceil(tasks * args.min_healthy_percent / 100)
    wait_queue_empty(sim, 60)
    time.sleep(3.0)  # the modify bucket refills (100 tokens at 40/s)
    s0, cpu0 = sim.stats(), berth.proc.cpu_seconds()
    t0 = time.time()
    body = dict(spec, taskDefinition=td2)
    put = berth.http.json("PUT", "/v1/services/web", body)
    dep_id = put.get("activeDeploymentId")
    log("rollout: deployment %s of %s" % (dep_id, td2))
    samples, exact = [], []
    t_done, status, last_exact, dep = None, None, 0.0, {}
    deadline = t0 + args.timeout
    while time.time() < deadline:
        now = time.time() - t0
        c = sim.state()["clusters"][0]
        samples.append((round(now, 2), c["running_tasks"] + c["pending_tasks"], c["running_tasks"]))
        if now - last_exact >= 2.0:
            last_exact = now
            ts = sim.state(tasks=True)["clusters"][0]["tasks"]
            healthy = sum(1 for t in ts if t["last_status"] == "RUNNING" and t["desired_status"] == "RUNNING")
            live = sum(1 for t in ts if t["last_status"] != "STOPPED")
            new = sum(1 for t in ts if t["last_status"] != "STOPPED" and t["task_definition"] == arn[td2])
            exact.append((round(now, 2), live, healthy, new))
        items = berth.http.json("GET", "/v1/services/web/deployments").get("items", [])
        dep = next((d for d in items if d.get("id") == dep_id), {})
        status = dep.get("status")
        if status in ("completed", "failed", "rolled_back", "stopped"):
            t_done = now if status == "completed" else None
            break
        time.sleep(0.2)
    cpu_rollout = berth.proc.cpu_seconds() - cpu0
    s1 = sim.stats()
    starts, stops = op_delta(s0, s1, "StartTask"), op_delta(s0, s1, "StopTask")
    bound = (tasks / 10 + tasks - 100) / 40  # ideal: ceil(T/10) StartTask calls, T StopTask calls
    out = {
        "rollout_deployment_status": status, "rollout_deployment": {k: dep.get(k) for k in
                                                                    ("id", "status", "reason", "updatedCount")},
        "rollout_max_percent": args.max_percent, "rollout_min_healthy_percent": args.min_healthy_percent,
        "rollout_min_healthy_seconds": args.min_healthy_seconds,
        "rollout_time_to_completed_s": None if t_done is None else round(t_done, 2),
        "rollout_throttle_bound_s": bound,
        "rollout_ratio_to_bound": None if t_done is None else round(t_done / bound, 3),
        "rollout_start_task_calls": starts, "rollout_stop_task_calls": stops,
        "rollout_calls_bound_s": round((starts + stops - 100) / 40, 2),
        "rollout_throttled_calls": s1.get("throttled_total", 0) - s0.get("throttled_total", 0),
        "rollout_ecs_calls": {k: v - ecs_calls(s0).get(k, 0) for k, v in ecs_calls(s1).items()
                              if v - ecs_calls(s0).get(k, 0)},
        "rollout_max_live_bound": max_live, "rollout_min_healthy_bound": min_healthy,
        "rollout_samples": len(samples), "rollout_exact_samples": len(exact),
        "rollout_max_live_sampled": max(x[1] for x in samples) if samples else None,
        "rollout_min_running_sampled": min(x[2] for x in samples) if samples else None,
        "rollout_max_live_exact": max(x[1] for x in exact) if exact else None,
        "rollout_min_healthy_exact": min(x[2] for x in exact) if exact else None,
        "rollout_berth_cpu_s": round(cpu_rollout, 2),
        "rollout_progress_samples": exact[:: max(1, len(exact) // 40)],
    }
    out["rollout_within_max"] = out["rollout_max_live_sampled"] is not None and out["rollout_max_live_sampled"] <= max_live
    out["rollout_within_min_healthy"] = (out["rollout_min_healthy_exact"] is not None
                                         and out["rollout_min_healthy_exact"] >= min_healthy)
    time.sleep(2.0)
    out.update({"rollout_" + k: v for k, v in placement_check(sim, zone_of, {arn[td2]}, cpu, memory).items()})
    old_left = placement_check(sim, zone_of, {arn[spec["taskDefinition"]]}, cpu, memory)
    out["rollout_old_tasks_left"] = sum(old_left["per_az"].values())
    return out
