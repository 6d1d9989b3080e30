"""careerportal/gunicorn.conf.py: gunicorn ignores a name it does not know, so a misspelt setting or hook would go
unnoticed."""

import gc
import runpy
import types
from pathlib import Path

from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "careerportal" / "gunicorn.conf.py"


def test_every_name_the_configuration_sets_is_a_gunicorn_setting():
    conf = runpy.run_path(str(CONF))
    ours = {
        name for name, value in conf.items() if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert ours <= Config().settings.keys(), ours - Config().settings.keys()


def test_a_worker_moves_what_it_loaded_out_of_the_collectors_reach():
    post_worker_init = runpy.run_path(str(CONF))["post_worker_init"]
    gc.unfreeze()
    try:
        post_worker_init(worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
