#!/usr/bin/env python3
"""A stand-in for the nucseg CLI in the workflow tests: each command writes plausible
outputs at once (no training), appends `command out` to $FAKE_LOG, and sleeps $FAKE_SLEEP
seconds in train (to kill a run mid-way)."""
import json, os, sys, time

cmd, args = sys.argv[1], sys.argv[2:]
def opt(name):
    return args[args.index(name) + 1]
out = opt("--json") if cmd == "score" else os.path.join(args[1], "report.html") if cmd == "experiment" else opt("--out")
if os.environ.get("FAKE_LOG"):
    with open(os.environ["FAKE_LOG"], "a") as f:
        f.write("%s %s\n" % (cmd, out))
if cmd == "augment":
    open(out, "w").write(json.dumps(args))
elif cmd == "train":
    time.sleep(float(os.environ.get("FAKE_SLEEP", "0")))
    open(out, "w").write(json.dumps(args))
    open(out[:-5] + ".card.json", "w").write("{}")
elif cmd == "segment":
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, "summary.csv"), "w").write("x\n")
elif cmd == "score":
    thr = [float(t) for t in opt("--thresholds").split(",")]
    seed = sum(map(ord, opt("--pred")))  # different per strategy / replicate / test set
    tp = [seed % 50 + 10 - i for i in range(len(thr))]
    pooled = dict(tp=tp, fp=[5] * len(thr), fn=[7] * len(thr), splits=1, merges=2,
                  f1=[2 * t / (2 * t + 12) for t in tp], precision=[t / (t + 5) for t in tp], recall=[t / (t + 7) for t in tp])
    open(out, "w").write(json.dumps(dict(thresholds=thr, pooled=pooled)))
elif cmd == "experiment" and args[0] == "report":
    open(out, "w").write("<!doctype html><title>fake report</title>\n")
else:
    sys.exit("fake nucseg: unknown command " + cmd)
