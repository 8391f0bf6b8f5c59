"""Declared columns of the output tables (per partnership, per organisation).

Each table lists its columns once, with type, unit and meaning; the Parquet schema and the
column tables in the docs are read from that list.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

#: Arrow type of each declared kind.
ARROW_TYPES = {
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "string": pa.string(),
}


@dataclass(frozen=True)
class Column:
    """One column of an output table."""

    name: str
    kind: str  # "int64", "float64", "bool" or "string"
    unit: str
    meaning: str
    nullable: bool = False  # may hold nulls (NA), e.g. while a partnership is active

    @property
    def arrow(self) -> pa.DataType:
        return ARROW_TYPES[self.kind]

    def field(self) -> pa.Field:
        return pa.field(self.name, self.arrow, nullable=self.nullable)
