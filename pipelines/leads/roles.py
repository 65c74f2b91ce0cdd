"""Edge roles: each source's own words for an edge read into one small vocabulary
(data/leads/roles.yml) that says what kind of tie it is, which end controls the other, and how
far it can be taken as true."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal, cast

from pipelines.resources import read_yaml

Side = Literal["subject", "object"]
KINDS = ("ownership", "control", "officer", "property", "group", "intermediary", "other")


@dataclass(frozen=True)
class Role:
    """A canonical role; `certainty` is already capped by the source that used it."""

    name: str
    kind: str
    controller: Side
    certainty: float
    reason: str
    symmetric: bool = False
    natures: bool = False


@dataclass(frozen=True)
class Vocabulary:
    words: dict[str, str]  # normalised word -> canonical role name
    cap: float | None = None
    cap_reason: str | None = None
    fallback: str | None = None  # a JSON path into the edge's raw payload


@dataclass(frozen=True)
class Qualifier:
    """A raw-payload value that replaces an edge's base certainty (GLEIF's validation)."""

    source: str
    path: str
    value: str
    certainty: float
    reason: str


@dataclass(frozen=True)
class RoleBook:
    roles: dict[str, Role]
    vocabularies: dict[str, Vocabulary]
    sources: dict[str, tuple[str, ...]]
    qualifiers: tuple[Qualifier, ...]

    def canonical_role(self, source: str, published_role: str | None) -> Role | None:
        """The canonical role SOURCE means by PUBLISHED_ROLE, or None when it is not known."""
        word = normalise_word(published_role)
        for name in self.sources.get(source, ()):
            vocabulary = self.vocabularies[name]
            if word in vocabulary.words:
                return _capped(self.roles[vocabulary.words[word]], vocabulary)
        return None

    def fallback_paths(self) -> dict[str, str]:
        """Source -> the raw-payload path read when a word is not known."""
        found: dict[str, str] = {}
        for source, names in self.sources.items():
            for name in names:
                path = self.vocabularies[name].fallback
                if path:
                    found.setdefault(source, path)
        return found

    def word_rows(self) -> list[tuple[Any, ...]]:
        """(source, word, role, kind, controller, certainty, reason, symmetric, natures) for
        every word every source uses, the first vocabulary of a source winning."""
        rows: dict[tuple[str, str], tuple[Any, ...]] = {}
        for source, names in self.sources.items():
            for name in names:
                for word in self.vocabularies[name].words:
                    role = self.canonical_role(source, word)
                    if role is not None and (source, word) not in rows:
                        rows[(source, word)] = (
                            source, word, role.name, role.kind, role.controller,
                            role.certainty, role.reason, role.symmetric, role.natures,
                        )  # fmt: skip
        return list(rows.values())


def normalise_word(published_role: str | None) -> str:
    """How a source's word is compared: lower-cased, spaces trimmed (as edges.py compares it
    in SQL: inner spaces are kept, so a word with doubled spaces is another word)."""
    return (published_role or "").lower().strip(" ")


def _capped(role: Role, vocabulary: Vocabulary) -> Role:
    if vocabulary.cap is None or role.certainty <= vocabulary.cap:
        return role
    reason = f"{role.reason}; {vocabulary.cap_reason}" if vocabulary.cap_reason else role.reason
    return replace(role, certainty=vocabulary.cap, reason=reason)


@cache
def load_roles(name: str = "leads/roles.yml") -> RoleBook:
    """The role book in data/NAME; a malformed file raises ValueError saying what is wrong."""
    data = read_yaml(name)
    roles = {key: _role(key, value) for key, value in data["roles"].items()}
    vocabularies = {
        key: _vocabulary(key, value, roles) for key, value in data["vocabularies"].items()
    }
    sources = {}
    for source, names in data["sources"].items():
        unknown = [n for n in names if n not in vocabularies]
        if unknown:
            raise ValueError(f"roles: source {source} names unknown vocabularies {unknown}")
        sources[source] = tuple(names)
    qualifiers = tuple(
        Qualifier(source, path, value, _certainty(f"{source} {value}", spec["certainty"]),
                  str(spec["reason"]))
        for source, rule in (data.get("qualifiers") or {}).items()
        for path in rule["paths"]
        for value, spec in rule["values"].items()
    )  # fmt: skip
    return RoleBook(roles, vocabularies, sources, qualifiers)


def canonical_role(source: str, published_role: str | None) -> Role | None:
    """The canonical role SOURCE means by PUBLISHED_ROLE (from data/leads/roles.yml)."""
    return load_roles().canonical_role(source, published_role)


def _role(name: str, spec: dict[str, Any]) -> Role:
    kind, controller = spec.get("kind"), spec.get("controller")
    if kind not in KINDS:
        raise ValueError(f"roles: {name} has kind {kind!r}, not one of {', '.join(KINDS)}")
    if controller not in ("subject", "object"):
        raise ValueError(f"roles: {name} has controller {controller!r}, not subject or object")
    if not spec.get("reason"):
        raise ValueError(f"roles: {name} gives no reason for its certainty")
    return Role(
        name, kind, cast(Side, controller), _certainty(name, spec.get("certainty")),
        str(spec["reason"]), bool(spec.get("symmetric", False)), bool(spec.get("natures", False)),
    )  # fmt: skip


def _vocabulary(name: str, spec: dict[str, Any], roles: dict[str, Role]) -> Vocabulary:
    words = {normalise_word(word): role for word, role in spec["words"].items()}
    unknown = sorted({role for role in words.values() if role not in roles})
    if unknown:
        raise ValueError(f"roles: vocabulary {name} maps to unknown roles {unknown}")
    cap = spec.get("cap")
    return Vocabulary(
        words,
        None if cap is None else _certainty(name, cap),
        spec.get("cap_reason"),
        spec.get("fallback"),
    )


def _certainty(name: str, value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"roles: {name} has certainty {value!r}, not a number in [0, 1]")
    return float(value)
