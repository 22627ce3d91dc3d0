"""The learner's file, rebuilt from a function defined in a notebook (or a script).

The judge grades a whole file, but a notebook learner hands over a function object. We start
from the text of the cell that defined it (IPython keeps every cell in linecache, which is also
how `inspect.getsource` finds it) and keep the statements that define things: imports,
functions, classes and constant assignments. Calls such as `check(...)` or a quick test
`split_heads(x, 4)` are left out, so nothing runs twice and nothing recurses. Names the code
uses but the cell does not define (imports made in an earlier cell, a helper from another cell,
a constant) are looked up in the function's globals and written in as imports, source or
literals.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import linecache
import symtable
import sys
import types

KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
LITERALS = (int, float, complex, str, bytes, bool, type(None))


class SourceNotFound(ValueError):
    """The function's source cannot be found (defined at a bare Python prompt, or built at run time)."""


def _code_of(obj) -> types.CodeType | None:
    if isinstance(obj, types.FunctionType):
        return obj.__code__
    if isinstance(obj, type):
        for value in vars(obj).values():
            func = getattr(value, "__func__", value)
            if isinstance(func, types.FunctionType):
                return func.__code__
    return None


def _globals_of(obj) -> dict:
    if isinstance(obj, types.FunctionType):
        return obj.__globals__
    module = sys.modules.get(getattr(obj, "__module__", ""), None)
    return vars(module) if module is not None else {}


def _is_mlkatas(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "mlkatas"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "mlkatas" for alias in node.names)
    return False


def _is_constant_assignment(node: ast.stmt) -> bool:
    """`EPS = 1e-6`, `AXES: tuple = (0, 2)`: plain values, no calls, nothing that runs code."""
    if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
        return False
    runs_code = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.Lambda)
    return not any(isinstance(n, runs_code) for n in ast.walk(node.value))


def defining_statements(text: str, name: str | None = None, line: int | None = None) -> str:
    """The statements of `text` that define names, in order; everything else dropped. Of the
    definitions of `name`, only the one around `line` is kept (a script may redefine it)."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    kept = []
    for node in tree.body:
        if (isinstance(node, KEEP) and not _is_mlkatas(node)) or _is_constant_assignment(node):
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            if name and line and getattr(node, "name", None) == name and not start <= line <= node.end_lineno:
                continue
            kept.append("".join(lines[start - 1 : node.end_lineno]).rstrip() + "\n")
    return "\n\n".join(kept)


def _definition_text(obj) -> str:
    """The text of the file or cell that defined `obj`, or just its own source."""
    code = _code_of(obj)
    if code is not None:
        lines = linecache.getlines(code.co_filename)
        if lines:
            text = "".join(lines)
            try:
                ast.parse(text)
                return text
            except SyntaxError:
                pass
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        where = code.co_filename if code is not None else "an unknown place"
        raise SourceNotFound(
            f"cannot find the source of {getattr(obj, '__name__', obj)!r} (defined in {where}). "
            "Define it in a notebook cell or a .py file, or pass its source as a string: check(slug, source)."
        ) from None


def _bound_and_used(text: str) -> tuple[set[str], set[str]]:
    """(names the module binds, global names any scope reads)."""
    table = symtable.symtable(text, "<learner>", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}
    used: set[str] = set()

    def walk(t: symtable.SymbolTable) -> None:
        for sym in t.get_symbols():
            if sym.is_referenced() and (sym.is_global() or (t.get_type() == "module" and not sym.is_assigned())):
                used.add(sym.get_name())
        for child in t.get_children():
            walk(child)

    walk(table)
    return bound, used


def _import_line(name: str, value) -> str | None:
    if isinstance(value, types.ModuleType):
        return f"import {value.__name__}" if value.__name__ == name else f"import {value.__name__} as {name}"
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if not module or not qualname or module == "__main__" or "." in qualname or module.split(".")[0] == "mlkatas":
        return None
    owner = sys.modules.get(module)
    if owner is None or getattr(owner, qualname, None) is not value:
        return None
    return f"from {module} import {qualname}" + ("" if qualname == name else f" as {name}")


def _literal(value) -> bool:
    if isinstance(value, LITERALS):
        return True
    if isinstance(value, (tuple, list, frozenset, set)) and len(value) <= 64:
        return all(_literal(v) for v in value)
    if isinstance(value, dict) and len(value) <= 64:
        return all(_literal(k) and _literal(v) for k, v in value.items())
    return False


def learner_source(obj, entry: str) -> str:
    """The file the judge should grade for `obj`, whose kata entry point is called `entry`."""
    if isinstance(obj, str):
        return obj
    obj = inspect.unwrap(obj) if callable(obj) else obj  # a decorated function: the one the learner wrote
    if not isinstance(obj, (types.FunctionType, type)):
        raise TypeError(
            f"check() takes the function (or class) you wrote, or its source as a string; got {type(obj).__name__}"
        )
    code = _code_of(obj)
    body = defining_statements(_definition_text(obj), obj.__name__, code.co_firstlineno if code else None)
    name = obj.__name__
    if name not in _bound_and_used(body)[0]:  # defined in a way the filter dropped: take its own source
        body += "\n\n" + inspect.getsource(obj)
    header: list[str] = []
    helpers: list[str] = []
    namespace = _globals_of(obj)
    seen: set[str] = set()
    pending = [body]
    while pending:
        text = pending.pop()
        bound, used = _bound_and_used(text)
        for free in sorted(used - bound - seen - set(dir(builtins))):
            seen.add(free)
            if free not in namespace:
                continue  # the judge will say NameError, as the notebook would have
            value = namespace[free]
            line = _import_line(free, value)
            if line:
                header.append(line)
            elif isinstance(value, (types.FunctionType, type)) and getattr(value, "__module__", None) == "__main__":
                try:
                    helper = inspect.getsource(value)
                except (OSError, TypeError):
                    continue
                if value.__name__ != free:
                    helper += f"\n{free} = {value.__name__}\n"
                helpers.append(helper)
                pending.append(helper)
            elif _literal(value):
                header.append(f"{free} = {value!r}")
    parts = ["\n".join(header)] if header else []
    parts += [h.rstrip() + "\n" for h in reversed(helpers)]
    parts.append(body)
    if name != entry:
        parts.append(f"{entry} = {name}\n")
    return "\n\n".join(p.rstrip("\n") + "\n" for p in parts)
