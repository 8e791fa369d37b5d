"""Prints bench/run.sh's tables from the raw figures it wrote in its work directory.
Usage: report.py WORK_DIR STRESS_FILES STRESS_UNTRACED_S"""
import os
import statistics
import sys

work, stress_files, stress_untraced = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def rows(name):
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def median(values):
    values = [float(v) for v in values if v not in ("-", "")]
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def ratio(value, base):
    return "-" if value is None or not base else f"{value / base:.2f}x"


def overhead():
    results = rows("results.tsv")
    if not results:
        return
    print("\n## Overhead (medians; wall and workload CPU measured inside the traced tree,")
    print("## total = the whole command incl. recorder start-up/shutdown and its own CPU)\n")
    print("| workload | variant | runs | wall s | vs untraced | total wall s | workload CPU s "
          "| total CPU s | vs untraced | peak RSS MiB | lost events |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    names = list(dict.fromkeys(r[0] for r in results))
    for name in names:
        base = {}
        for variant in ("untraced", "armorer", "strace"):
            runs = [r for r in results if r[0] == name and r[1] == variant and r[8] != "failed"]
            if not runs:
                continue
            # A stopped strace run counts as infinitely slow: the median is then either a run
            # that finished or only known to exceed the timeout.
            walls = sorted(float("inf") if r[8] == "timeout" else float(r[2]) for r in runs)
            mid = walls[(len(walls) - 1) // 2: len(walls) // 2 + 1]
            timed_out = float("inf") in mid
            wall = (max(float(r[2]) for r in runs if r[8] == "timeout") if timed_out
                    else statistics.median(walls))
            finished = [r for r in runs if r[8] != "timeout"] or runs
            cpu = median(r[3] for r in finished)
            total_wall = wall if timed_out else median(r[4] for r in runs)
            total_cpu = median(r[5] for r in finished)
            rss = median(r[6] for r in runs)
            if variant == "untraced":
                base = {"wall": wall, "cpu": total_cpu}
            lost = ",".join(sorted({r[7] for r in runs})) if variant == "armorer" else "-"
            prefix = "> " if timed_out else ""
            print(f"| {name} | {variant} | {len(runs)} | {prefix}{fmt(wall)} | "
                  f"{prefix}{ratio(wall, base.get('wall'))} | {prefix}{fmt(total_wall)} | "
                  f"{'-' if timed_out else fmt(cpu)} | {'-' if timed_out else fmt(total_cpu)} | "
                  f"{'-' if timed_out else ratio(total_cpu, base.get('cpu'))} | "
                  f"{fmt(rss / 1024 if rss else None, 1)} | {lost} |")
    failed = [r for r in results if r[8] == "failed"]
    if failed:
        print(f"\n{len(failed)} runs FAILED and are left out: " +
              ", ".join(f"{r[0]}/{r[1]}" for r in failed))


def loss():
    results = rows("loss.tsv")
    if not results:
        return
    print(f"\n## Loss stress: {stress_files} distinct new files as fast as possible "
          f"(untraced: {stress_untraced} s)\n")
    print("| buffer MiB | created | recorded | lost (--json) | lost (run row) | recorded + lost "
          "| events delivered / written | wall s | peak RSS MiB | accounting |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for buffer, created, recorded, lost_json, lost_db, ev_json, ev_db, wall, rss in results:
        created, recorded, lost_json, lost_db = map(int, (created, recorded, lost_json, lost_db))
        exact = recorded + lost_json == created and lost_json == lost_db and ev_json == ev_db
        print(f"| {buffer} | {created} | {recorded} | {lost_json} | {lost_db} | "
              f"{recorded + lost_json} | {ev_json} / {ev_db} | {float(wall):.2f} | {int(rss) / 1024:.1f} | "
              f"{'exact' if exact else 'MISMATCH'} |")


def scale():
    results = rows("scale.tsv")
    if not results:
        return
    print("\n## emit at scale (synthetic recordings; median of the emit runs)\n")
    print("| observations | generate s | emit runs | emit wall s | emit CPU s | µs per observation "
          "| peak RSS MiB | profile lines |")
    print("|---|---|---|---|---|---|---|---|")
    for n in dict.fromkeys(r[0] for r in results):
        runs = [r for r in results if r[0] == n]
        wall = median(r[2] for r in runs)
        cpu = median(r[3] for r in runs)
        rss = median(r[4] for r in runs)
        print(f"| {n} | {fmt(float(runs[0][1]), 1)} | {len(runs)} | {fmt(wall)} | {fmt(cpu)} | "
              f"{wall * 1e6 / int(n):.1f} | {rss / 1024:.0f} | {runs[0][5]} |")


overhead()
loss()
scale()
