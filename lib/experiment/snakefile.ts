/**
 * The Snakefile `nucseg experiment run` writes into the experiment folder. It is the same
 * for every plan: everything plan-specific is in config.json (see workflow.ts). Rules call
 * the nucseg CLI: augment → train → segment → score, then `summary` gathers every score
 * into results/scores.csv (+ .json, tidy: one row per strategy, replicate, test set and IoU
 * threshold) and results/summary.csv + summary.md (mean ± s.d. of F1 over replicates).
 * Outputs are written to a temporary name and renamed.
 */
export const SNAKEFILE = String.raw`# Written by nucseg experiment run; the plan's settings are in config.json.
# Run it again with: snakemake --cores N   (in this folder)
import csv, json, math, os, shlex, statistics

configfile: "config.json"

# not rule parameters: moving the installation (or Node) or another device reruns no finished job
NUCSEG = " ".join(shlex.quote(a) for a in config["nucseg"])
DEVICE = shlex.quote(config.get("device", "cpu"))
STRATS = list(config["strategies"])
REPS = config["replicates"]
TESTS = list(config["tests"])

def q(args):
    return " ".join(shlex.quote(str(a)) for a in args)

wildcard_constraints:
    s="[^/]+", r="[0-9]+", t="[^/]+", key="[0-9a-f]+"

rule all:
    input: "results/scores.csv", "results/scores.json", "results/summary.csv", "results/summary.md"

rule augment:
    input: lambda w: config["augment"][w.key]["inputs"]
    output: "augment/{key}.h5"
    params: args=lambda w: q(config["augment"][w.key]["args"])
    log: "logs/augment/{key}.log"
    threads: workflow.cores
    shell: "{NUCSEG} augment {params.args} --threads {threads} --quiet --out {output} > {log} 2>&1"

rule train:
    input:
        data=lambda w: "augment/%s.h5" % config["strategies"][w.s]["augment"],
        init=lambda w: config["strategies"][w.s]["inputs"]
    output: model="models/{s}/r{r}/model.onnx", card="models/{s}/r{r}/model.card.json"
    params: args=lambda w: q(config["strategies"][w.s]["train_args"])
    log: "logs/train/{s}/r{r}.log"
    benchmark: "benchmarks/train/{s}/r{r}.tsv"
    threads: workflow.cores
    shell: "OMP_NUM_THREADS={threads} {NUCSEG} train --data {input.data} {params.args} --seed {wildcards.r} --device {DEVICE} --out {output.model} --quiet > {log} 2>&1"

rule segment:
    input:
        model="models/{s}/r{r}/model.onnx", card="models/{s}/r{r}/model.card.json",
        fields=lambda w: config["tests"][w.t]["inputs"]
    output: directory("segment/{s}/r{r}/{t}")
    params: images=lambda w: shlex.quote(config["tests"][w.t]["images"])
    log: "logs/segment/{s}/r{r}/{t}.log"
    threads: workflow.cores
    shell: "{NUCSEG} segment {params.images} --model {input.model} --device {DEVICE} --out {output} --threads {threads} --no-csv --quiet > {log} 2>&1"

rule score:
    input: pred="segment/{s}/r{r}/{t}", fields=lambda w: config["tests"][w.t]["inputs"]
    output: "scores/{s}/r{r}/{t}.json"
    params: gt=lambda w: shlex.quote(config["tests"][w.t]["labels"]), thr=",".join(str(t) for t in config["iou"])
    log: "logs/score/{s}/r{r}/{t}.log"
    shell: "{NUCSEG} score --gt {params.gt} --pred {input.pred} --thresholds {params.thr} --json {output} --threads 1 --quiet > {log} 2>&1"

def write_atomic(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)

def fmt(v):
    return "" if v is None else ("%.6g" % v if isinstance(v, float) else str(v))

rule summary:
    input:
        scores=expand("scores/{s}/r{r}/{t}.json", s=STRATS, r=REPS, t=TESTS),
        bench=expand("benchmarks/train/{s}/r{r}.tsv", s=STRATS, r=REPS)
    output: csv="results/scores.csv", json="results/scores.json", summary="results/summary.csv", md="results/summary.md"
    params: iou=config["iou"]
    run:
        rows = []
        for s in STRATS:
            factor, value = config["strategies"][s]["factor"], config["strategies"][s]["value"]
            for r in REPS:
                with open("benchmarks/train/%s/r%s.tsv" % (s, r)) as f:
                    train_s = float(list(csv.DictReader(f, delimiter="\t"))[0]["s"])
                for t in TESTS:
                    with open("scores/%s/r%s/%s.json" % (s, r, t)) as f:
                        sc = json.load(f)
                    p = sc["pooled"]
                    for i, thr in enumerate(sc["thresholds"]):
                        rows.append(dict(strategy=s, factor=factor, value=value, replicate=r, test_set=t, iou=thr,
                                         tp=p["tp"][i], fp=p["fp"][i], fn=p["fn"][i], f1=p["f1"][i],
                                         precision=p["precision"][i], recall=p["recall"][i],
                                         splits=p["splits"], merges=p["merges"], train_s=round(train_s, 2)))
        cols = list(rows[0]) if rows else []
        write_atomic(output.csv, ",".join(cols) + "\n" + "".join(",".join(fmt(x[c]) for c in cols) + "\n" for x in rows))
        write_atomic(output.json, json.dumps(rows, indent=1) + "\n")
        ious = sorted(set(x["iou"] for x in rows))
        head = ["strategy", "factor", "value", "test_set", "replicates"] + ["f1@%g_mean" % u for u in ious] + ["f1@%g_sd" % u for u in ious]
        lines, md = [",".join(head)], []
        md.append("| strategy | test set | n | " + " | ".join("F1@%g" % u for u in ious) + " |")
        md.append("|---|---|---:|" + "---:|" * len(ious))
        for s in STRATS:
            for t in TESTS:
                sel = [x for x in rows if x["strategy"] == s and x["test_set"] == t]
                means, sds = [], []
                for u in ious:
                    f = [x["f1"] for x in sel if x["iou"] == u]
                    means.append(statistics.fmean(f))
                    sds.append(statistics.stdev(f) if len(f) > 1 else 0.0)
                n = len(REPS)
                lines.append(",".join([s, sel[0]["factor"], sel[0]["value"], t, str(n)] + ["%.4f" % m for m in means] + ["%.4f" % d for d in sds]))
                md.append("| %s | %s | %d | " % (s, t, n) + " | ".join("%.3f ± %.3f" % (m, d) for m, d in zip(means, sds)) + " |")
        write_atomic(output.summary, "\n".join(lines) + "\n")
        write_atomic(output.md, "\n".join(md) + "\n")
`;
