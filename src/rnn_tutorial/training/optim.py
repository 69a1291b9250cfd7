"""Optimisers that update a params dict in place, one key at a time.

Gradients come back in a dict with the same keys as the weights, so an update
is a loop over keys. An optimiser is a class because its state (Adagrad's
memory, Adam's moments) lives across calls, one array per key.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..validation import ArgumentTypeError, check_grads, check_mapping, check_real

__all__ = ["SGD", "Adagrad", "Adam"]


def _check_hyper(name: str, value, *, low: float, high: float | None = None, strict=True):
    """A hyperparameter in (low, high) or [low, high): ``check_real`` with open ends."""
    return check_real(name, value, low=low, high=high, open_low=strict, open_high=True)


def _check_step(params: Mapping, grads: Mapping) -> dict[str, np.ndarray]:
    """Every gradient checked (a dict, the keys of ``params``, shapes, finite) before any write."""
    check_mapping("params", params)
    check_mapping("grads", grads)
    missing = [key for key in params if key not in grads]
    if missing:
        raise ValueError(f"grads has no {', '.join(map(repr, missing))}, which params has")
    extra = [key for key in grads if key not in params]
    if extra:
        raise ValueError(f"grads has {', '.join(map(repr, extra))}, which params does not have")
    for key, theta in params.items():
        if not (isinstance(theta, np.ndarray) and theta.dtype.kind == "f"):
            kind = theta.dtype if isinstance(theta, np.ndarray) else type(theta).__name__
            raise ArgumentTypeError(
                f'params["{key}"] must be a floating ndarray to be updated in place, got {kind}'
            )
    return check_grads("grads", grads, params)


def _state_for(state: dict, key: str, theta: np.ndarray) -> np.ndarray:
    """The state array of ``key``, created as zeros on first use."""
    if key not in state:
        state[key] = np.zeros_like(theta)
    elif state[key].shape != theta.shape:
        raise ValueError(
            f'params["{key}"] has shape {theta.shape} but this optimiser\'s state for it has '
            f"shape {state[key].shape}; use a new optimiser for a new model"
        )
    return state[key]


class SGD:
    r"""Plain gradient descent: :math:`\theta \leftarrow \theta - \eta\, g`.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\eta`.

    Examples
    --------
    >>> params = {"w": np.array([1.0, 2.0])}
    >>> SGD(lr=0.1).step(params, {"w": np.array([10.0, -10.0])})
    >>> params["w"]
    array([0., 3.])
    """

    def __init__(self, lr: float):
        self.lr = _check_hyper("lr", lr, low=0)

    def step(self, params: dict, grads: Mapping[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place with the gradient of the same key."""
        for key, g in _check_step(params, grads).items():
            params[key] -= self.lr * g


class Adagrad:
    r"""Adagrad, as the minimal character-level RNN uses it.

    Each entry's step is divided by the root of the sum of all its past
    squared gradients, so entries that keep receiving large gradients slow
    down, and rarely updated ones keep a large step.

    Parameters
    ----------
    lr : float, default 0.1
        The learning rate :math:`\eta`.
    eps : float, default 1e-8
        Added under the square root so a zero memory does not divide by zero.

    Attributes
    ----------
    memory : dict of str to ndarray
        :math:`m`, the running sum of squared gradients, one array per key.

    Notes
    -----
    .. math::

        m &\leftarrow m + g \odot g \\
        \theta &\leftarrow \theta - \eta\, g / \sqrt{m + \epsilon}

    Examples
    --------
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> opt = Adagrad(lr=0.1)
    >>> opt.step(params, {"w": np.array([2.0, -0.5])})  # first step: about lr * sign(g)
    >>> np.round(params["w"], 6)
    array([0.9, 1.1])
    >>> opt.memory["w"]
    array([4.  , 0.25])
    """

    def __init__(self, lr: float = 0.1, eps: float = 1e-8):
        self.lr = _check_hyper("lr", lr, low=0)
        self.eps = _check_hyper("eps", eps, low=0)
        self.memory: dict[str, np.ndarray] = {}

    def step(self, params: dict, grads: Mapping[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place; the memory keeps growing."""
        grads = _check_step(params, grads)
        memory = {key: _state_for(self.memory, key, params[key]) for key in grads}
        for key, g in grads.items():
            m = memory[key]
            m += g * g
            params[key] -= self.lr * g / np.sqrt(m + self.eps)


class Adam:
    r"""Adam: momentum on the gradient and on its square, with bias correction.

    Parameters
    ----------
    lr : float, default 1e-3
        The learning rate :math:`\eta`.
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the first and second moment estimates, in [0, 1).
    eps : float, default 1e-8
        Added to the root of the second moment.

    Attributes
    ----------
    m, v : dict of str to ndarray
        The first and second moment estimates, one array per key.
    t : int
        The number of steps taken.

    Notes
    -----
    .. math::

        m &\leftarrow \beta_1 m + (1 - \beta_1)\, g \\
        v &\leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g \\
        \hat m &= m / (1 - \beta_1^t), \qquad \hat v = v / (1 - \beta_2^t) \\
        \theta &\leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)

    The moments start at zero, so without the division by
    :math:`1 - \beta^t` the first steps would be far too short. With it the
    first step is :math:`\eta\, g / (|g| + \epsilon)`, about
    :math:`\eta\,\mathrm{sign}(g)` whatever the size of :math:`g`.

    Examples
    --------
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> Adam(lr=0.01).step(params, {"w": np.array([300.0, -0.02])})
    >>> np.round(params["w"], 6)
    array([0.99, 1.01])
    """

    def __init__(
        self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ):
        self.lr = _check_hyper("lr", lr, low=0)
        self.beta1 = _check_hyper("beta1", beta1, low=0, high=1, strict=False)
        self.beta2 = _check_hyper("beta2", beta2, low=0, high=1, strict=False)
        self.eps = _check_hyper("eps", eps, low=0)
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}
        self.t = 0

    def step(self, params: dict, grads: Mapping[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place and advance the step count."""
        grads = _check_step(params, grads)
        moments = {
            key: (_state_for(self.m, key, params[key]), _state_for(self.v, key, params[key]))
            for key in grads
        }
        self.t += 1
        b1, b2, t = self.beta1, self.beta2, self.t
        for key, g in grads.items():
            m, v = moments[key]
            m[...] = b1 * m + (1 - b1) * g
            v[...] = b2 * v + (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
