#!/usr/bin/env python3
"""Builds the fuzz corpora (`fuzz/corpus/<target>/`, git-ignored) from the conformance cases.

Usage: fuzz/seeds/extract.py [TARGET ...]   (default: every target)

Each target gets inputs in the layout its source file documents: templates with their
helpers and values, YAML files, `--set` arguments, chart archives, whole cases. The
hand-written seeds beside this script (`fuzz/seeds/<target>/`) are copied in as well.
"""
import hashlib
import io
import shlex
import shutil
import sys
import tarfile
from pathlib import Path

FUZZ = Path(__file__).resolve().parent.parent
ROOT = FUZZ.parent
CASES = ROOT / "tests" / "conformance"
DEFAULT_CHART = b"apiVersion: v2\nname: snip\nversion: 0.1.0\n"
MAX_INPUT = 64 * 1024


def parse_txtar(data):
    """Returns [(name, bytes)] of a txtar archive (the comment is dropped)."""
    files, name, buf = [], None, []
    for line in data.split(b"\n"):
        s = line.strip()
        if line.startswith(b"-- ") and line.endswith(b" --") and len(line) > 6:
            if name is not None:
                files.append((name, b"\n".join(buf) + b"\n"))
            name, buf = line[3:-3].strip().decode("utf-8", "replace"), []
        elif name is not None:
            buf.append(line)
    if name is not None:
        files.append((name, b"\n".join(buf) + b"\n" if buf else b""))
    return files


def cases():
    for path in sorted(CASES.rglob("*.txt")):
        try:
            yield path, parse_txtar(path.read_bytes())
        except OSError:
            continue


def write(target, data):
    if len(data) > MAX_INPUT:
        return
    out = FUZZ / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)


def template():
    for _, files in cases():
        d = dict(files)
        helpers = b"".join(v for k, v in files if k.endswith(".tpl"))
        values = d.get("values.yaml")
        for k, v in files:
            if k.startswith("templates/") and not k.endswith(".tpl"):
                data = b"\x00" + v + b"\x00" + helpers
                if values is not None:
                    data += b"\x00" + values
                write("template", data)


def yaml_load():
    for _, files in cases():
        for k, v in files:
            if k.endswith((".yaml", ".yml", ".json")) and not k.startswith("templates/"):
                write("yaml_load", v)


def yaml_fast():
    for _, files in cases():
        for k, v in files:
            if k.endswith((".yaml", ".yml")) and not k.startswith("templates/"):
                write("yaml_fast", v)
    for path in sorted((ROOT / "benches" / "yaml").glob("*.yaml")):
        write("yaml_fast", path.read_bytes())


def strvals():
    for _, files in cases():
        d = dict(files)
        cmd = d.get("cmd")
        if cmd is None:
            continue
        try:
            args = shlex.split(cmd.decode("utf-8", "replace"))
        except ValueError:
            continue
        lines = []
        for i, a in enumerate(args):
            for flag, mode in (("--set-string", "t"), ("--set-json", "j"),
                               ("--set-literal", "l"), ("--set", "s")):
                if a == flag and i + 1 < len(args):
                    lines.append(mode + args[i + 1])
                    break
                if a.startswith(flag + "="):
                    lines.append(mode + a[len(flag) + 1:])
                    break
        if lines:
            data = "\n".join(lines).encode() + b"\x00" + d.get("values.yaml", b"")
            write("strvals", data)


def chart_files(files):
    out = [(k, v) for k, v in files if k not in ("cmd", "stdin") and not k.startswith("../")]
    if not any(k == "Chart.yaml" for k, _ in out):
        out.append(("Chart.yaml", DEFAULT_CHART))
    return out


def archive():
    for _, files in cases():
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for k, v in chart_files(files):
                info = tarfile.TarInfo("snip/" + k)
                info.size = len(v)
                tar.addfile(info, io.BytesIO(v))
        write("archive", buf.getvalue())


def render():
    for path, files in cases():
        if any(k.startswith("charts/") for k, _ in files):
            continue
        data = b"".join(b"-- " + k.encode() + b" --\n" + v for k, v in chart_files(files))
        write("render", data)


TARGETS = {"template": template, "yaml_load": yaml_load, "yaml_fast": yaml_fast,
           "strvals": strvals,
           "archive": archive, "render": render}

if __name__ == "__main__":
    for t in sys.argv[1:] or TARGETS:
        TARGETS[t]()
        seeds = FUZZ / "seeds" / t
        if seeds.is_dir():
            for f in seeds.iterdir():
                write(t, f.read_bytes())
        print(t, len(list((FUZZ / "corpus" / t).iterdir())))
