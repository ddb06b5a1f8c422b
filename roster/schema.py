"""JSON Schema of both roster files, generated from the model so that editors check keys."""
from __future__ import annotations

import json
from pathlib import Path

from .model import OfficersFile, RosterFile

SCHEMAS = {
    "officers.schema.json": (OfficersFile, "三官一师人员名单 officers.yaml"),
    "roster.schema.json": (RosterFile, "站点与值班安排 roster.yaml"),
}


def schema_documents() -> dict[str, str]:
    """File name → JSON text, stable so that the committed copies can be compared in tests."""
    documents = {}
    for name, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True, mode="validation")
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}
        documents[name] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    return documents


def write_schemas(out_dir: str | Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_documents().items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
