/**
 * The Snakefile `nucseg experiment run` writes into the experiment folder. It is the same
 * for every plan: everything plan-specific is in config.json (see workflow.ts). Rules call
 * the nucseg CLI: augment → train → segment → score, then `summary` gathers every score
 * into results.csv (+ .json, tidy: one row per strategy, replicate, test set and IoU
 * threshold, with a column per factor), results/images.csv (per image), results/cycles.csv
 * (training loss per cycle, from the model cards) and results/summary.csv + summary.md (mean ±
 * s.d. of F1 over replicates); `report` renders report.html (`nucseg experiment report`).
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

# tiny jobs: run where Snakemake runs, not as cluster jobs
localrules: all, summary, report

wildcard_constraints:
    s="[^/]+", r="[0-9]+", t="[^/]+", key="[0-9a-f]+"

rule all:
    input: "results.csv", "results.json", "results/summary.csv", "results/summary.md", "results/images.csv", "results/cycles.csv", "report.html"

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
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)

def fmt(v):
    return "" if v is None else ("%.6g" % v if isinstance(v, float) else str(v))

def recipe_value(v):
    if isinstance(v, list):
        return "+".join(recipe_value(x) for x in v)
    v = str(v)
    return os.path.splitext(os.path.basename(v))[0] if v.endswith((".onnx", ".yaml", ".yml", ".json")) else v

def write_csv(path, rows):
    cols = list(rows[0]) if rows else []
    write_atomic(path, ",".join(cols) + "\n" + "".join(",".join(fmt(x[c]) for c in cols) + "\n" for x in rows))

rule summary:
    input:
        scores=expand("scores/{s}/r{r}/{t}.json", s=STRATS, r=REPS, t=TESTS),
        bench=expand("benchmarks/train/{s}/r{r}.tsv", s=STRATS, r=REPS),
        cards=expand("models/{s}/r{r}/model.card.json", s=STRATS, r=REPS)
    output: csv="results.csv", json="results.json", summary="results/summary.csv", md="results/summary.md", images="results/images.csv", cycles="results/cycles.csv"
    params: iou=config["iou"], factors=config.get("factors", [])
    run:
        rows, images, cycles = [], [], []
        for s in STRATS:
            st = config["strategies"][s]
            factor, value = st["factor"], st["value"]
            levels = {k: recipe_value(st["recipe"][k]) for k in params.factors}
            for r in REPS:
                with open("benchmarks/train/%s/r%s.tsv" % (s, r)) as f:
                    train_s = float(list(csv.DictReader(f, delimiter="\t"))[0]["s"])
                with open("models/%s/r%s/model.card.json" % (s, r)) as f:
                    history = json.load(f).get("training", {}).get("history") or []
                for h in history:
                    cycles.append(dict(strategy=s, replicate=r, cycle=h.get("cycle"), train_loss=h.get("train_loss"), val_loss=h.get("val_loss"), seconds=h.get("seconds")))
                for t in TESTS:
                    with open("scores/%s/r%s/%s.json" % (s, r, t)) as f:
                        sc = json.load(f)
                    p = sc["pooled"]
                    for i, thr in enumerate(sc["thresholds"]):
                        rows.append(dict(strategy=s, factor=factor, value=value, **levels, replicate=r, test_set=t, iou=thr,
                                         tp=p["tp"][i], fp=p["fp"][i], fn=p["fn"][i], f1=p["f1"][i],
                                         precision=p["precision"][i], recall=p["recall"][i],
                                         splits=p["splits"], merges=p["merges"], train_s=round(train_s, 2)))
                        for im in sc.get("images", []):
                            images.append(dict(strategy=s, factor=factor, value=value, replicate=r, test_set=t, image=im["name"], iou=thr,
                                               tp=im["tp"][i], fp=im["fp"][i], fn=im["fn"][i], f1=im["f1"][i], splits=im["splits"], merges=im["merges"]))
        write_csv(output.csv, rows)
        write_atomic(output.json, json.dumps(rows, indent=1) + "\n")
        write_csv(output.images, images)
        write_csv(output.cycles, cycles)
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

rule report:
    input: "results.csv", "results/summary.csv", "results/images.csv", "results/cycles.csv"
    output: "report.html"
    log: "logs/report.log"
    shell: "{NUCSEG} experiment report . --quiet > {log} 2>&1"
`;
