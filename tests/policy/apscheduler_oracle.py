#!/usr/bin/python3
# File: tests/policy/apscheduler_oracle.py — test oracle: APScheduler 3.x CronTrigger next-fire times for ECS
# Scheduler schedules. Reads "expression|zone|after_epoch" lines, writes one epoch (or "none"/"error: ...") per line.
# Run with Debian's /usr/bin/python3 and python3-apscheduler (installed by scripts/setup.sh).
import datetime
import sys

import pytz
from apscheduler.triggers.cron import CronTrigger

FIELDS = ["second", "minute", "hour", "day_of_week", "week", "day", "month", "year"]


def next_fire(expression, zone, after):
    # As ECS Scheduler: only the given fields are passed; xth_y / last_y are APScheduler's "xth y" / "last y".
    kwargs = {name: value.replace("_", " ") for name, value in zip(FIELDS, expression.split())}
    tz = pytz.timezone(zone)
    trigger = CronTrigger(timezone=tz, **kwargs)
    # get_next_fire_time returns the first slot >= now; berth's next_fire is strictly after, at 1 s resolution.
    now = datetime.datetime.fromtimestamp(after + 1, tz)
    try:
        result = trigger.get_next_fire_time(None, now)
    except (OverflowError, ValueError):
        return "none"  # never matches: APScheduler walks up to year 9999 and overflows
    return "none" if result is None else str(int(result.timestamp()))


def main():
    with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
        for line in src:
            expression, zone, after = line.rstrip("\n").split("|")
            try:
                out.write(next_fire(expression, zone, int(after)) + "\n")
            except Exception as error:  # reported per line so one bad case does not hide the others
                out.write("error: " + str(error).replace("\n", " ") + "\n")


if __name__ == "__main__":
    main()
