"""Drover auto-capture hook, put first on a task's PYTHONPATH by the agent.

- argparse: ArgumentParser.parse_known_args (and so parse_args) returns the task's parameters
  (JSON map in $DROVER_PARAMS, keys "dest" or "Args/dest") where the task sets them, converted
  with the argument's own type; the full resulting argument set, defaults included, is written
  as strings to $DROVER_CAPTURE_FILE for the agent to report.
- It must never break a script: every step is guarded, and any other sitecustomize on the path
  still runs afterwards.
"""
import os
import sys


def _drover_install():
    if not os.environ.get("DROVER_PARAMS") and not os.environ.get("DROVER_CAPTURE_FILE"):
        return
    if "argparse" in sys.modules:
        _drover_patch(sys.modules["argparse"])
    else:
        # Patch argparse when the script imports it, not now: json + argparse would add ~20 ms
        # to the start of every task, argparse user or not.
        sys.meta_path.insert(0, _DroverArgparseFinder)


class _DroverArgparseFinder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "argparse":
            return None
        try:
            sys.meta_path.remove(cls)
        except ValueError:
            pass
        import importlib.machinery
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        original_exec = spec.loader.exec_module

        def exec_module(module):
            original_exec(module)
            try:
                _drover_patch(module)
            except Exception:
                pass

        spec.loader.exec_module = exec_module
        return spec


def _drover_patch(argparse):
    import json
    params_json = os.environ.get("DROVER_PARAMS")
    capture_file = os.environ.get("DROVER_CAPTURE_FILE")
    try:
        params = json.loads(params_json) if params_json else {}
        if not isinstance(params, dict):
            params = {}
    except Exception:
        params = {}
    captured = {}
    original = argparse.ArgumentParser.parse_known_args

    def lookup(dest):
        for key in ("Args/" + dest, dest):
            if key in params and params[key] is not None:
                return str(params[key])
        return None

    def to_bool(s):
        return s.strip().lower() in ("1", "true", "yes", "y", "on")

    def convert(parser, action, text):
        if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
            return to_bool(text)
        if type(action).__name__ == "BooleanOptionalAction":
            return to_bool(text)
        if isinstance(action, argparse._StoreConstAction):
            return action.const if to_bool(text) else action.default
        if isinstance(action, argparse._CountAction):
            return int(text)
        if text == "" and action.default is None:
            return None
        many = action.nargs in ("*", "+", argparse.REMAINDER) or isinstance(action.nargs, int) and action.nargs > 1 \
            or isinstance(action, argparse._AppendAction)
        if many:
            try:
                items = json.loads(text)
                if not isinstance(items, list):
                    items = [items]
                items = [str(i) for i in items]
            except Exception:
                import shlex
                items = shlex.split(text)
            return [parser._get_value(action, i) for i in items]
        value = parser._get_value(action, text)
        if action.choices is not None and value not in action.choices:
            raise ValueError("not a valid choice")
        return value

    def as_text(v):
        if v is None:
            return ""
        if isinstance(v, (list, tuple)):
            return json.dumps([as_text(i) for i in v])
        return str(v)

    def patched(self, args=None, namespace=None):
        relaxed = []
        try:
            for action in self._actions:
                if action.required and action.dest != argparse.SUPPRESS and lookup(action.dest) is not None:
                    action.required = False  # the task supplies it
                    relaxed.append(action)
        except Exception:
            pass
        try:
            ns, extras = original(self, args, namespace)
        finally:
            for action in relaxed:
                action.required = True
        try:
            for action in self._actions:
                dest = action.dest
                if dest == argparse.SUPPRESS or isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                    continue
                if isinstance(action, argparse._SubParsersAction):
                    continue
                text = lookup(dest)
                if text is None:
                    continue
                try:
                    setattr(ns, dest, convert(self, action, text))
                except Exception as e:
                    sys.stderr.write("[drover] parameter %s=%r ignored: %s\n" % (dest, text, e))
        except Exception:
            pass
        try:
            if capture_file:
                for k, v in vars(ns).items():
                    captured[k] = as_text(v)
                tmp = capture_file + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(captured, f)
                os.replace(tmp, capture_file)
        except Exception:
            pass
        return ns, extras

    argparse.ArgumentParser.parse_known_args = patched


def _drover_chain():
    """Runs the next sitecustomize on sys.path, the one ours shadows."""
    import importlib.machinery
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.origin is None or os.path.abspath(spec.origin) == os.path.abspath(__file__):
        return
    import importlib.util
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


try:
    _drover_install()
except Exception:
    pass
try:
    _drover_chain()
except Exception as _e:
    sys.stderr.write("[drover] the original sitecustomize failed: %s\n" % (_e,))
