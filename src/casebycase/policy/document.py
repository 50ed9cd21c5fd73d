"""YAML documents that remember where every value came from (file:line:column)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from casebycase.errors import PackError, Problem

Path_ = tuple[str | int, ...]

# libyaml's parser (about 15 times faster) when PyYAML was built with it; the pure-Python
# parser otherwise, and always to report a syntax error (its messages and marks are the ones
# documented and tested).
FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class Document:
    """Plain data read from YAML plus the position of every node, keyed by path."""

    data: Any
    filename: str
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_) -> str:
        """file:line:column of the deepest known node on ``path``."""
        for end in range(len(path), -1, -1):
            pos = self.positions.get(tuple(path[:end]))
            if pos is not None:
                return f"{self.filename}:{pos[0]}:{pos[1]}"
        return self.filename


def read_yaml(text: str, filename: str) -> Document:
    """Parse one YAML document safely: duplicate keys and non-text keys are errors."""
    try:
        return _read(FAST_LOADER, text, filename)
    except PackError:
        if FAST_LOADER is yaml.SafeLoader:
            raise
    return _read(yaml.SafeLoader, text, filename)


def _read(loader_class: type[yaml.SafeLoader], text: str, filename: str) -> Document:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PackError(
                [Problem(filename, "the file is empty", "write a mapping")],
                title="invalid policy file",
            )
        doc = Document(None, filename)
        doc.data = _build(loader, node, (), doc)
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        why = f"YAML syntax: {exc.problem or exc.context}"
        raise PackError(
            [Problem(where, why, "check indentation, colons and quotes")],
            title="invalid policy file",
        ) from None
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, doc: Document) -> Any:
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _error(
                    doc, key_node, "merge keys (<<) are not supported", "write the keys out"
                )
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                raise _error(doc, key_node, f"a key must be text, got {key!r}", "quote the key")
            if key in out:
                raise _error(doc, key_node, f"duplicate key '{key}'", "keep one of the two entries")
            out[key] = _build(loader, value_node, (*path, key), doc)
            doc.positions[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), doc) for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node)
    except ValueError as exc:
        hint = (
            "write dates as YYYY-MM-DD"
            if node.tag.endswith("timestamp")
            else "quote the value if it is meant as text"
        )
        raise _error(doc, node, f"'{node.value}' is not a valid value ({exc})", hint) from None


def _error(doc: Document, node: yaml.Node, why: str, hint: str) -> PackError:
    where = f"{doc.filename}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
    return PackError([Problem(where, why, hint)], title="invalid policy file")
