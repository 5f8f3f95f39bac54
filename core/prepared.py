"""A read-only Core statement compiled once per database dialect and run on the driver directly.

For the hottest public reads (an article page, a category archive): executing a statement
through SQLAlchemy costs more than the query itself — a cache key is generated from the
whole statement tree on every call, then the compiled form is looked up, then a result
object is set up. Here the statement is compiled once per dialect; a call converts the
parameters with the bind parameters' own types, runs the SQL on a pooled connection in
autocommit (a single read needs no BEGIN/ROLLBACK round trips) and converts each column
with its own type's result processor — exactly what SQLAlchemy would do, minus the
per-call bookkeeping.
"""
from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select


class _Compiled:
    def __init__(self, statement: Select, engine: Engine):
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("prepared statements take no expanding or literal-execute parameters")
        self.sql = compiled.string
        self.positional = dialect.positional
        self.order = list(compiled.positiontup or []) if self.positional else None
        self.defaults = {key: value for key, value in compiled.params.items()}
        self.bind_processors = {}
        for bind in compiled.binds.values():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.bind_processors[compiled.bind_names[bind]] = processor
        names = [column.key for column in statement.selected_columns]
        self.row = namedtuple("Row", names, rename=True)
        self.result_processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ]
        self.any_processor = any(self.result_processors)
        self.sqlite = dialect.name == "sqlite"

    def params(self, values: dict):
        merged = {**self.defaults, **values}
        for name, processor in self.bind_processors.items():
            merged[name] = processor(merged[name])
        if self.positional:
            return tuple(merged[name] for name in self.order)
        return merged

    def rows(self, raw_rows) -> list:
        make = self.row._make
        if not self.any_processor:
            return [make(row) for row in raw_rows]
        processors = self.result_processors
        return [make([value if process is None or value is None else process(value)
                      for process, value in zip(processors, row)]) for row in raw_rows]


class PreparedQuery:
    """``PreparedQuery(build)``: ``build(dialect_name)`` returns the Core select (built once)."""

    def __init__(self, build: Callable[[str], Select]):
        self._build = build
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, engine: Engine) -> _Compiled:
        dialect = engine.dialect
        key = (dialect.name, dialect.driver, dialect.paramstyle, dialect.server_version_info)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = self._compiled[key] = _Compiled(self._build(dialect.name), engine)
        return compiled

    def all(self, engine: Engine, **values) -> list:
        compiled = self._for(engine)
        connection = engine.raw_connection()
        try:
            driver = connection.driver_connection
            autocommit = not compiled.sqlite and not driver.autocommit
            if autocommit:
                driver.autocommit = True  # psycopg: client-side, while no transaction is open
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(compiled.sql, compiled.params(values))
                    raw_rows = cursor.fetchall()
                finally:
                    cursor.close()
            finally:
                if autocommit:
                    driver.autocommit = False
        finally:
            connection.close()
        return compiled.rows(raw_rows)
