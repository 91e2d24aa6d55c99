"""snippets/snippets.toml: what the suite knows about each snippet, declared once.

Read once per site as ``Site.manifest`` (harness/site/pages.py): the tests, the notebook
generator, the integrity rules and the MkDocs hook that labels continued blocks all take it from
there; noxfile.py calls ``load`` for the releases the troubleshooting page's errors come from.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

FIELDS = {
    "continues",
    "replaces",
    "tier",
    "output",
    "legacy",
    "server",
    "notebook",
    "raises",
    "reads",
    "run_in_test",
    "logs",
    "example",
    "not_run",
    "checked",
}
TIERS = {"any", "gpu"}
RAISE_FIELDS = {"output", "error", "under", "tier"}
RAISE_TIERS = {"any", "cpu", "gpu"}


@dataclass(frozen=True)
class Raises:
    """An error the snippet raises, shown on a page as ``output`` (the last line of the
    traceback), or named by ``error`` (its exception class) where no page shows it: with
    ``under``, a requirement (``transformers==4.36.2``) that the snippet meets in an environment
    of its own; with ``tier``, only on that tier (cpu: no flash-attn there)."""

    output: str | None = None
    under: str | None = None
    tier: str = "any"
    error: str = ""  # the exception's class, as Python prints it; read from ``output`` if absent


@dataclass(frozen=True)
class Snippet:
    path: str  # relative to snippets/
    continues: str | None = None
    replaces: str | None = None
    tier: str = "any"
    output: str | None = None
    legacy: str | None = None
    server: bool = False
    notebook: dict[str, str] = field(default_factory=dict)
    raises: tuple[Raises, ...] = ()
    reads: tuple[str, ...] = ()  # snippet files it opens by name, saved beside it as the page says
    run_in_test: str | None = None  # why only its test module can run it (what it sets up)
    logs: tuple[str, ...] = ()  # outputs/ files: a warning it logs on some machines, as shown
    example: str | None = None  # outputs/ file: what it prints for stated inputs (its test's)
    not_run: dict[str, str] = field(default_factory=dict)  # why nothing here runs it, per language
    # What the suite checks of it instead, per language (shown with not_run): its test module
    # must exist, so that the claim fails the suite when nothing checks it.
    checked: dict[str, str] = field(default_factory=dict)

    def unrun(self, lang: str) -> str | None:
        """What its page's label says of a snippet nothing here runs: why, and what the suite
        checks instead (None for a snippet that runs)."""
        said = (self.not_run.get(lang), self.checked.get(lang))
        return ("" if lang == "zh" else " ").join(filter(None, said)) or None

    @property
    def is_python(self) -> bool:
        return self.path.endswith(".py")

    @property
    def needs_gpu(self) -> bool:
        """Only a GPU run shows what it does: the cpu tier does not run it, or only sees it
        raise (no CUDA, no flash-attn)."""
        return self.tier == "gpu" or any(r.tier == "cpu" for r in self.raises)


class ManifestError(ValueError):
    pass


def load(path: Path) -> dict[str, Snippet]:
    """Read and check a manifest; errors name the file and the entry."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out, problems = {}, []
    for name, entry in data.items():
        unknown = set(entry) - FIELDS
        if unknown:
            problems.append(f"{path.name}: [{name!r}] has unknown fields {sorted(unknown)}")
            continue
        raises = []
        for r in entry.pop("raises", []):
            if (
                set(r) <= RAISE_FIELDS
                and {"output", "error"} & set(r)
                and (r.get("tier", "any") in RAISE_TIERS)
            ):
                if "output" in r and "error" not in r:
                    shown = path.parent / r["output"]  # a missing file is a rule's finding
                    text = shown.read_text(encoding="utf-8") if shown.is_file() else ""
                    r = {**r, "error": text.split(":")[0].strip()}
                raises.append(Raises(**r))
            else:
                problems.append(
                    f"{path.name}: [{name!r}] raises {r}: needs `output` or `error`, may have "
                    f"`under` and `tier` (one of {sorted(RAISE_TIERS)})"
                )
        reads, logs = tuple(entry.pop("reads", ())), tuple(entry.pop("logs", ()))
        snippet = Snippet(path=name, raises=tuple(raises), reads=reads, logs=logs, **entry)
        if snippet.tier not in TIERS:
            problems.append(f"{path.name}: [{name!r}] tier {snippet.tier!r} not in {TIERS}")
        for what in ("not_run", "checked"):
            if getattr(snippet, what) and set(getattr(snippet, what)) != {"en", "zh"}:
                problems.append(f"{path.name}: [{name!r}] {what} needs `en` and `zh`")
        if snippet.checked and not snippet.not_run:
            problems.append(f"{path.name}: [{name!r}] checked says what replaces a run: not_run")
        if snippet.replaces and not snippet.continues:
            problems.append(f"{path.name}: [{name!r}] replaces a line but continues nothing")
        out[name] = snippet
    for snippet in out.values():
        for read in snippet.reads:
            if read not in out:
                problems.append(
                    f"{path.name}: [{snippet.path!r}] reads {read!r}, which has no entry"
                )
        if snippet.continues and snippet.continues not in out:
            problems.append(
                f"{path.name}: [{snippet.path!r}] continues {snippet.continues!r}, "
                "which has no entry"
            )
    if problems:
        raise ManifestError("\n".join(problems))
    return out


def outputs(entries: dict[str, Snippet]) -> set[str]:
    """Every file under outputs/ that some entry declares: printed output, a raised error, a
    logged warning."""
    return (
        {e.output for e in entries.values() if e.output}
        | {r.output for e in entries.values() for r in e.raises if r.output}
        | {log for e in entries.values() for log in e.logs}
        | {e.example for e in entries.values() if e.example}
    )


def needs_gpu(entries: dict[str, Snippet], path: str) -> bool:
    """Whether a file under snippets/ shows what only a GPU run produces: a snippet that needs a
    GPU, or an error that only the gpu tier raises."""
    if path in entries:
        return entries[path].needs_gpu
    return any(r.output == path and r.tier == "gpu" for e in entries.values() for r in e.raises)


def snippet_of(entries: dict[str, Snippet], path: str) -> str:
    """The snippet a file under snippets/ belongs to: itself, or the snippet whose printed output
    or raised error it is."""
    for name, e in entries.items():
        if path == e.output or any(r.output == path for r in e.raises):
            return name
    return path


def chain(entries: dict[str, Snippet], name: str) -> list[str]:
    """The snippets a reader runs before ``name``, first first."""
    before = entries[name].continues
    return [*chain(entries, before), before] if before else []


def reader_requirements(entries: dict[str, Snippet], snippets: Path) -> list[str]:
    """What the pages' install blocks tell readers to install, every tier-any `pip install` line
    but MLX's (an environment of its own) and requirement files, without version bounds: the
    newest releases, as the weekly canary installs them."""
    from harness.site import shell

    names: list[str] = []
    for name, entry in entries.items():
        if not name.endswith(".sh") or entry.tier != "any" or name.startswith("mlx/"):
            continue
        lines = (snippets / name).read_text(encoding="utf-8").splitlines()
        for argv in (shell.argv(ln) for ln in lines if ln.startswith("pip install")):
            if "-r" not in argv:
                names += [re.split(r"[<>=!~]", a)[0] for a in argv[2:] if not a.startswith("-")]
    return list(dict.fromkeys(names))
