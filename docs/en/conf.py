import pathlib, sys  # noqa: E401
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "_shared"))
from conf_common import *  # noqa: E402, F403
language = "en"
