r"""Image captioning: a small convolutional network reads the image, a recurrent decoder writes.

The recipe of the classic captioning models: train a convolutional network
(CNN) as a classifier, cut off its classification layer, and hand the
feature vector that remains to a recurrent decoder as its initial state. The
decoder is the language model of the earlier chapters with a condition: it
reads ``<start>``, then each word of the caption, and is trained to predict
the next word, ``<end>`` last.

The CNN (weights in one dict)::

    image (N, 16, 16, 3) -> conv 3x3 (W_c1, b_c1) -> ReLU -> 2x2 max pool  -> (N, 8, 8, C1)
                         -> conv 3x3 (W_c2, b_c2) -> ReLU -> 2x2 max pool  -> (N, 4, 4, C2)
                         -> flatten -> dense (W_f, b_f) -> ReLU = feature f (N, F)
                         -> dense (W_cls, b_cls) = attribute scores (the head)

The head scores the four attributes of a scene (left colour, left shape,
right colour, right shape), one softmax each. :func:`remove_head` drops it.

The captioner (weights in a second dict)::

    h_0 = tanh(f W_fh + b_fh)               (c_0 = 0 for the LSTM)
    x_t = W_embed[w_{t-1}]                  or [W_embed[w_{t-1}], f] with the feature at every step
    s_t = cell(x_t, s_{t-1});  z_t = h_t W_hy + b_y
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..cells.activations import softmax
from ..decoding import BeamSearchResult, beam_search, log_softmax
from ..layers.convolution import (
    Conv2dCache,
    MaxPoolCache,
    conv2d_backward,
    conv2d_forward,
    init_conv2d,
    maxpool2d_backward,
    maxpool2d_forward,
)
from ..layers.dense import DenseCache, dense_backward, dense_forward
from ..layers.embedding import EmbeddingCache, embedding_backward, embedding_forward
from ..layers.sequence import (
    LayerCache,
    _check_cell,
    check_state,
    init_layer,
    layer_backward,
    layer_forward,
)
from ..params import init_dense, init_embedding
from ..training.clipping import clip_global_norm
from ..training.losses import softmax_cross_entropy
from ..training.optim import Adam
from ..validation import (
    ArgumentTypeError,
    Sizes,
    as_float_array,
    check_batch,
    check_cache,
    check_dtype,
    check_flag,
    check_input,
    check_int,
    check_positive,
    check_rng,
    check_steps,
    check_tokens,
    param_sizes,
)
from .seq2seq import _SPECS, _logit_sizes

__all__ = [
    "ATTRIBUTE_SIZES",
    "CaptionCache",
    "CNNCache",
    "Captioner",
    "CAPTION_PAD",
    "CAPTION_START",
    "CAPTION_END",
    "attribute_accuracy",
    "attribute_loss",
    "caption_backward",
    "caption_beam_search",
    "caption_forward",
    "caption_loss",
    "caption_start",
    "caption_step",
    "cnn_backward",
    "cnn_forward",
    "decode_captions",
    "fit_cnn",
    "init_captioner",
    "init_cnn",
    "remove_head",
]

CAPTION_PAD, CAPTION_START, CAPTION_END = 0, 1, 2
"""The token ids of padding, the start token and the end token."""
ATTRIBUTE_SIZES = (4, 3, 4, 3)
"""Classes of the four attributes: left colour, left shape, right colour, right shape."""


def _check_int(name: str, value, low: int) -> int:
    return check_int(name, value, low=low)


def _check_rng(rng) -> np.random.Generator:
    return check_rng("rng", rng)


def _check_counts(name: str, values, count: int | None = None) -> tuple[int, ...]:
    """A tuple of positive integers (channels, classes), of ``count`` entries when given."""
    if isinstance(values, str) or not isinstance(values, tuple | list):
        raise ArgumentTypeError(f"{name} must be a tuple of positive integers, got {values!r}")
    if count is not None and len(values) != count or not values:
        raise ValueError(f"{name} must hold {count or 'some'} positive integers, got {values!r}")
    return tuple(check_int(f"{name}[{i}]", v) for i, v in enumerate(values))


_CNN_SPEC = {
    "W_c1": ("K", "K", "C", "A"), "b_c1": ("A",), "W_c2": ("K", "K", "A", "B"), "b_c2": ("B",),
    "W_f": ("16B", "F"), "b_f": ("F",),
}  # fmt: skip


def _check_cnn(images, params: dict, *, head: bool = False) -> np.ndarray:
    """Check the CNN's weights (and its head's) and return the images, (N, 16, 16, 3)."""
    spec = {**_CNN_SPEC, "W_cls": ("F", "S"), "b_cls": ("S",)} if head else _CNN_SPEC
    sizes = param_sizes(params, spec)
    if (sizes.value("K"), sizes.value("C")) != (3, 3):
        raise ValueError(
            f'params["W_c1"] has shape {np.shape(params["W_c1"])}: the CNN takes 3 x 3 kernels '
            "over 3 colour channels (see init_cnn)"
        )
    images = as_float_array("images", images)
    if images.ndim != 4 or images.shape[1:] != (16, 16, 3):
        raise ValueError(f"images must have shape (N, 16, 16, 3), got {images.shape}")
    return images


def _check_attributes(scenes, classes, N: int) -> np.ndarray:
    """Scenes as (N, len(classes)) class ids, each column within its number of classes."""
    classes = _check_counts("classes", classes)
    scenes = check_tokens("scenes", scenes, ndim=2)
    if scenes.shape != (N, len(classes)):
        raise ValueError(f"scenes has shape {scenes.shape} but images need ({N}, {len(classes)})")
    for a, k in enumerate(classes):
        check_tokens(f"scenes[:, {a}]", scenes[:, a], k)
    return scenes


# --------------------------------------------------------------------------- the CNN


def init_cnn(
    F: int = 64,
    *,
    rng: np.random.Generator,
    channels=(8, 16),
    classes=ATTRIBUTE_SIZES,
    dtype=np.float64,
) -> dict:
    """Weights of the CNN for 16 x 16 RGB images: two conv layers, the feature layer, the head.

    Parameters
    ----------
    F : int, default 64
        Size of the feature vector.
    rng : numpy.random.Generator
    channels : (int, int), default (8, 16)
        Output channels of the two convolutions.
    classes : sequence of int
        Classes of each attribute the head scores; the head has their sum of outputs.

    Examples
    --------
    >>> params = init_cnn(32, rng=np.random.default_rng(0))
    >>> {k: v.shape for k, v in params.items() if k.startswith("W")}
    {'W_c1': (3, 3, 3, 8), 'W_c2': (3, 3, 8, 16), 'W_f': (256, 32), 'W_cls': (32, 14)}
    """
    F, rng = _check_int("F", F, 1), _check_rng(rng)
    (c1, c2), classes = _check_counts("channels", channels, 2), _check_counts("classes", classes)
    W_c1, b_c1 = init_conv2d(3, 3, c1, rng=rng, dtype=dtype)
    W_c2, b_c2 = init_conv2d(3, c1, c2, rng=rng, dtype=dtype)
    flat = 4 * 4 * c2
    W_f = rng.standard_normal((flat, F)) * np.sqrt(2 / flat)
    W_cls = rng.standard_normal((F, sum(classes))) * np.sqrt(1 / F)
    return {
        "W_c1": W_c1,
        "b_c1": b_c1,
        "W_c2": W_c2,
        "b_c2": b_c2,
        "W_f": W_f.astype(dtype),
        "b_f": np.zeros(F, dtype=dtype),
        "W_cls": W_cls.astype(dtype),
        "b_cls": np.zeros(sum(classes), dtype=dtype),
    }


def remove_head(params: dict) -> dict:
    """The CNN without its classification layer: what is left computes the feature vector.

    Examples
    --------
    >>> sorted(remove_head(init_cnn(8, rng=np.random.default_rng(0))))
    ['W_c1', 'W_c2', 'W_f', 'b_c1', 'b_c2', 'b_f']
    """
    param_sizes(params, _CNN_SPEC)  # the CNN's own weights, below the head
    return {k: v for k, v in params.items() if k not in ("W_cls", "b_cls")}


class CNNCache(NamedTuple):
    """What :func:`cnn_backward` needs, layer by layer."""

    conv1: Conv2dCache
    a1: np.ndarray
    """The first convolution's output before the ReLU."""
    pool1: MaxPoolCache
    conv2: Conv2dCache
    a2: np.ndarray
    pool2: MaxPoolCache
    flat: np.ndarray
    """(N, 16 * C2): the pooled maps, flattened."""
    a_f: np.ndarray
    """The feature layer before the ReLU."""
    W_f: np.ndarray


def cnn_forward(images, params: dict):
    r"""The feature vector of each image (the network below its head).

    Parameters
    ----------
    images : ndarray, shape (N, 16, 16, 3)
    params : dict
        From :func:`init_cnn`, with or without the head.

    Returns
    -------
    f : ndarray, shape (N, F)
    cache : CNNCache

    Notes
    -----
    .. math::

        a_1 = \mathrm{conv}(x; W_{c1}) + b_{c1}, \quad
        m_1 = \mathrm{pool}(\mathrm{relu}(a_1)), \quad
        a_2 = \mathrm{conv}(m_1; W_{c2}) + b_{c2}, \quad
        m_2 = \mathrm{pool}(\mathrm{relu}(a_2)), \quad
        f = \mathrm{relu}(\mathrm{flat}(m_2) W_f + b_f)

    Examples
    --------
    >>> params = init_cnn(32, rng=np.random.default_rng(0))
    >>> f, cache = cnn_forward(np.zeros((2, 16, 16, 3)), params)
    >>> f.shape
    (2, 32)
    """
    images = _check_cnn(images, params)
    a1, conv1 = conv2d_forward(images, params["W_c1"], params["b_c1"])
    m1, pool1 = maxpool2d_forward(np.maximum(a1, 0))
    a2, conv2 = conv2d_forward(m1, params["W_c2"], params["b_c2"])
    m2, pool2 = maxpool2d_forward(np.maximum(a2, 0))
    flat = m2.reshape(len(m2), m2[0].size if len(m2) else 16 * params["W_c2"].shape[3])
    a_f = flat @ params["W_f"] + params["b_f"]
    f = np.maximum(a_f, 0)
    return f, CNNCache(conv1, a1, pool1, conv2, a2, pool2, flat, a_f, params["W_f"])


def cnn_backward(df: np.ndarray, cache: CNNCache) -> dict:
    """Gradients of the CNN's weights (below the head) from the gradient of the features.

    Examples
    --------
    >>> params = init_cnn(8, rng=np.random.default_rng(0))
    >>> f, cache = cnn_forward(np.ones((1, 16, 16, 3)), params)
    >>> sorted(cnn_backward(np.ones_like(f), cache))
    ['W_c1', 'W_c2', 'W_f', 'b_c1', 'b_c2', 'b_f']
    """
    check_cache("cache", cache, CNNCache, "cnn_forward")
    sizes = Sizes(N=(len(cache.a_f), "the cached images"), F=(cache.W_f.shape[1], 'params["W_f"]'))
    df = check_input("df", df, ("N", "F"), sizes)
    da_f = df * (cache.a_f > 0)
    grads = {"W_f": cache.flat.T @ da_f, "b_f": da_f.sum(axis=0)}
    dm2 = (da_f @ cache.W_f.T).reshape(cache.pool2.winner.shape)
    da2 = maxpool2d_backward(dm2, cache.pool2) * (cache.a2 > 0)
    dm1, grads["W_c2"], grads["b_c2"] = conv2d_backward(da2, cache.conv2)
    da1 = maxpool2d_backward(dm1, cache.pool1) * (cache.a1 > 0)
    _, grads["W_c1"], grads["b_c1"] = conv2d_backward(da1, cache.conv1)
    return grads


def _attribute_scores(images, params):
    images = check_batch("images", _check_cnn(images, params, head=True))
    f, cache = cnn_forward(images, params)
    return f, f @ params["W_cls"] + params["b_cls"], cache


def attribute_loss(images, scenes, params: dict, classes=ATTRIBUTE_SIZES):
    r"""The CNN as a classifier: the sum over attributes of the mean cross-entropy, and gradients.

    Parameters
    ----------
    images : ndarray, shape (N, 16, 16, 3)
    scenes : ndarray of int, shape (N, 4)
        The class of each attribute.
    params : dict
        From :func:`init_cnn`, head included.

    Returns
    -------
    loss : float
    grads : dict
        The same keys as ``params``.

    Notes
    -----
    The head's scores split into one group per attribute, :math:`z^{(a)}`, and

    .. math::

        L = \sum_{a=1}^{4} \frac{1}{N} \sum_n -\log \operatorname{softmax}(z^{(a)}_n)[y^{(a)}_n]

    Examples
    --------
    >>> params = init_cnn(8, rng=np.random.default_rng(0))
    >>> scenes = [[0, 0, 1, 1], [3, 2, 3, 2]]
    >>> loss, grads = attribute_loss(np.zeros((2, 16, 16, 3)), scenes, params)
    >>> bool(abs(loss - 2 * np.log(4) - 2 * np.log(3)) < 1e-12)  # zero images: uniform scores
    True
    """
    f, z, cache = _attribute_scores(images, params)
    scenes = _check_attributes(scenes, classes, len(f))
    dz = np.zeros_like(z)
    loss, start = 0.0, 0
    for a, k in enumerate(classes):
        part, dpart = softmax_cross_entropy(
            z[:, start : start + k], scenes[:, a], reduction="mean"
        )
        loss, dz[:, start : start + k] = loss + part, dpart
        start += k
    grads = {"W_cls": f.T @ dz, "b_cls": dz.sum(axis=0)}
    grads.update(cnn_backward(dz @ params["W_cls"].T, cache))
    return loss, grads


def attribute_accuracy(images, scenes, params: dict, classes=ATTRIBUTE_SIZES) -> np.ndarray:
    """The fraction of images whose attribute the head gets right, one number per attribute.

    Examples
    --------
    >>> params = init_cnn(8, rng=np.random.default_rng(0))
    >>> attribute_accuracy(np.zeros((2, 16, 16, 3)), [[0, 0, 0, 0]] * 2, params).shape
    (4,)
    """
    _, z, _ = _attribute_scores(images, params)
    scenes = _check_attributes(scenes, classes, len(z))
    bounds = np.cumsum((0, *classes))
    predicted = np.stack(
        [z[:, a:b].argmax(axis=1) for a, b in zip(bounds[:-1], bounds[1:], strict=True)], axis=1
    )
    return (predicted == scenes).mean(axis=0)


def fit_cnn(
    params: dict, images, scenes, *, epochs: int, rng, batch_size: int = 64, lr: float = 3e-3
) -> np.ndarray:
    """Train the CNN classifier in place with Adam; returns the loss of every update.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = init_cnn(8, rng=rng)
    >>> images, scenes = rng.uniform(size=(8, 16, 16, 3)), rng.integers(0, 3, size=(8, 4))
    >>> fit_cnn(params, images, scenes, epochs=2, batch_size=4, rng=rng).shape
    (4,)
    """
    epochs, batch_size = _check_int("epochs", epochs, 0), _check_int("batch_size", batch_size, 1)
    rng, lr = _check_rng(rng), check_positive("lr", lr)
    images = check_batch("images", _check_cnn(images, params, head=True))
    scenes = _check_attributes(scenes, ATTRIBUTE_SIZES, len(images))
    optimizer, losses = Adam(lr=lr), []
    for _ in range(epochs):
        order = rng.permutation(len(images))
        for start in range(0, len(images), batch_size):
            idx = order[start : start + batch_size]
            loss, grads = attribute_loss(images[idx], scenes[idx], params)
            optimizer.step(params, grads)
            losses.append(loss)
    return np.array(losses)


# --------------------------------------------------------------------------- the decoder


def init_captioner(
    cell: str,
    V: int,
    F: int,
    D: int,
    H: int,
    *,
    rng: np.random.Generator,
    every_step: bool = False,
    dtype=np.float64,
) -> dict:
    """Weights of a caption decoder over ``V`` words, conditioned on a feature vector of size F.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    V, F, D, H : int
        Vocabulary, feature, word-embedding and hidden sizes.
    every_step : bool, default False
        Also feed the feature vector at every step, beside the word's
        embedding: the decoder's input then has D + F entries.

    Returns
    -------
    dict
        ``W_fh`` (F, H), ``b_fh`` (H,), ``W_embed`` (V, D) with a zero ``<pad>`` row,
        the decoder layer under ``dec_`` and the output layer ``W_hy``, ``b_y``.

    Examples
    --------
    >>> params = init_captioner("lstm", 10, 6, 4, 8, rng=np.random.default_rng(0), every_step=True)
    >>> params["dec_W_x"].shape, params["W_fh"].shape
    ((10, 32), (6, 8))
    """
    V, F, D, H = (_check_int(n, v, 1) for n, v in (("V", V), ("F", F), ("D", D), ("H", H)))
    rng, dtype = _check_rng(rng), check_dtype("dtype", dtype)
    every_step = check_flag("every_step", every_step)
    params = {
        "W_fh": (rng.standard_normal((F, H)) / np.sqrt(F)).astype(dtype),
        "b_fh": np.zeros(H, dtype=dtype),
    }
    embed = init_embedding(V, D, rng=rng, padding_idx=CAPTION_PAD, dtype=dtype)
    params["W_embed"] = embed["W_embed"] * np.asarray(0.3, dtype=dtype)
    layer = init_layer(cell, D + F * bool(every_step), H, rng=rng, dtype=dtype)
    params.update({"dec_" + k: v for k, v in layer.items()})
    return {**params, **init_dense(H, V, rng=rng, dtype=dtype)}


def _decoder(params: dict) -> dict:
    return {k[4:]: v for k, v in params.items() if k.startswith("dec_")}


def _every_step(params: dict, F: int) -> bool:
    """Whether the decoder reads the feature vector at every step, from its input size."""
    key = "dec_W_xh" if "dec_W_xh" in params else "dec_W_x"
    D, D_in = params["W_embed"].shape[1], params[key].shape[0]
    if D_in not in (D, D + F):
        raise ValueError(
            f'params["{key}"] has {D_in} rows, expected D={D} or D+F={D + F} (see init_captioner)'
        )
    return D_in == D + F


def _features(features, params: dict, cell: str) -> np.ndarray:
    """Check the captioner's weights (finite, one V, D, F and H) and return the features."""
    cell_spec = _SPECS[_check_cell(cell)]
    layer = {"dec_" + k: tuple(l.replace("D", "E") for l in s) for k, s in cell_spec.items()}
    spec = {"W_fh": ("F", "H"), "b_fh": ("H",), "W_embed": ("V", "D"), **layer}
    param_sizes(params, {**spec, "W_hy": ("H", "V"), "b_y": ("V",)})
    f = as_float_array("features", features)
    if f.ndim != 2 or f.shape[1] != params["W_fh"].shape[0]:
        raise ValueError(
            f'features has shape {f.shape} but params["W_fh"] has shape '
            f"{params['W_fh'].shape}: expected (N, {params['W_fh'].shape[0]})"
        )
    return f


def caption_start(cell: str, features, params: dict) -> tuple[np.ndarray, ...]:
    r"""The decoder's first state, from the features: :math:`h_0 = \tanh(f W_{fh} + b_{fh})`.

    Returns
    -------
    tuple of ndarray
        ``(h0,)``, or ``(h0, c0)`` with :math:`c_0 = 0` for the LSTM.

    Examples
    --------
    >>> params = init_captioner("lstm", 5, 3, 2, 4, rng=np.random.default_rng(0))
    >>> [s.shape for s in caption_start("lstm", np.ones((2, 3)), params)]
    [(2, 4), (2, 4)]
    """
    f = _features(features, params, cell)
    h0 = np.tanh(f @ params["W_fh"] + params["b_fh"])
    return (h0, np.zeros_like(h0)) if cell == "lstm" else (h0,)


class CaptionCache(NamedTuple):
    """What :func:`caption_backward` needs."""

    features: np.ndarray
    h0: np.ndarray
    embedding: EmbeddingCache
    decoder: LayerCache
    dense: DenseCache
    every_step: bool


def caption_forward(cell: str, features, inputs, params: dict, **options):
    r"""Scores of the next word at every position of the captions, under teacher forcing.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    features : ndarray, shape (N, F)
        The images' feature vectors.
    inputs : ndarray of int, shape (N, T)
        ``<start>`` and the caption's words, padded with ``<pad>``.
    params : dict
        From :func:`init_captioner`.
    **options
        The cell's options.

    Returns
    -------
    logits : ndarray, shape (N, T, V)
    cache : CaptionCache

    Notes
    -----
    The decoder runs over the whole padded length T. Past a caption's end its
    inputs are ``<pad>`` (a zero embedding) and its outputs are scored
    against ``<pad>`` targets that the masked loss ignores; under teacher
    forcing no valid step depends on a later one, so what the state does there
    changes neither the loss nor any gradient.

    .. math::

        h_0 = \tanh(f W_{fh} + b_{fh}), \quad
        x_t = W_\text{embed}[w_{t-1}] \;\; (\text{or } [W_\text{embed}[w_{t-1}], f]), \quad
        h_t = \mathrm{cell}(x_t, h_{t-1}), \quad
        z_t = h_t W_{hy} + b_y

    Examples
    --------
    >>> params = init_captioner("gru", 6, 3, 2, 4, rng=np.random.default_rng(0))
    >>> logits, cache = caption_forward("gru", np.ones((2, 3)), [[1, 3, 4], [1, 5, 0]], params)
    >>> logits.shape
    (2, 3, 6)
    """
    f = _features(features, params, cell)
    every = _every_step(params, f.shape[1])
    inputs = check_steps("inputs", check_tokens("inputs", inputs, params["W_embed"].shape[0]))
    if inputs.ndim != 2 or inputs.shape[0] != f.shape[0]:
        raise ValueError(
            f"inputs has shape {inputs.shape} but features has shape {f.shape}: "
            f"expected ({f.shape[0]}, T)"
        )
    state0 = caption_start(cell, f, params)
    x, embed_cache = embedding_forward(inputs, params["W_embed"], padding_idx=CAPTION_PAD)
    if every:
        x = np.concatenate([x, np.broadcast_to(f[:, None], (*inputs.shape, f.shape[1]))], axis=2)
    hs, _, dec_cache = layer_forward(cell, x, _decoder(params), state0, **options)
    logits, dense_cache = dense_forward(hs, params)
    return logits, CaptionCache(f, state0[0], embed_cache, dec_cache, dense_cache, every)


def caption_backward(dlogits: np.ndarray, cache: CaptionCache) -> dict:
    r"""Gradients of every captioner weight from the gradient of the scores.

    Notes
    -----
    Read in reverse: the output layer, the decoder (which returns the gradient
    of its initial state), the embedding, and the projection of the features:

    .. math::

        \frac{\partial L}{\partial W_{fh}} = f^\top \left(\frac{\partial L}{\partial h_0}
        \odot (1 - h_0^2)\right)

    Examples
    --------
    >>> params = init_captioner("rnn", 6, 3, 2, 4, rng=np.random.default_rng(0))
    >>> logits, cache = caption_forward("rnn", np.ones((1, 3)), [[1, 3]], params)
    >>> sorted(caption_backward(np.ones_like(logits), cache)) == sorted(params)
    True
    """
    check_cache("cache", cache, CaptionCache, "caption_forward")
    dlogits = check_input("dlogits", dlogits, ("N", "T", "V"), _logit_sizes(cache))
    dhs, grads = dense_backward(dlogits, cache.dense)
    dx, dstate0, dec_grads = layer_backward(dhs, cache.decoder)
    grads.update({"dec_" + k: v for k, v in dec_grads.items()})
    D = cache.embedding.table_shape[1]
    grads["W_embed"] = embedding_backward(dx[..., :D], cache.embedding)
    da0 = dstate0[0] * (1 - cache.h0**2)
    grads["W_fh"] = cache.features.T @ da0
    grads["b_fh"] = da0.sum(axis=0)
    return grads


def caption_loss(cell: str, features, inputs, targets, params: dict, **options):
    r"""Masked mean cross-entropy of the captions under teacher forcing, and its gradients.

    Parameters
    ----------
    targets : ndarray of int, shape (N, T)
        The words then ``<end>``, padded with ``<pad>``; the mask is
        ``targets != CAPTION_PAD``, so the mean is over the real words and ``<end>``.

    Returns
    -------
    loss : float
    grads : dict

    Examples
    --------
    >>> params = init_captioner("lstm", 6, 3, 2, 4, rng=np.random.default_rng(0))
    >>> loss, grads = caption_loss("lstm", np.ones((2, 3)), [[1, 3, 4], [1, 5, 0]],
    ...                            [[3, 4, 2], [5, 2, 0]], params)
    >>> bool(abs(loss - np.log(6)) < 0.3)  # near chance before training
    True
    """
    targets = check_tokens("targets", targets)
    logits, cache = caption_forward(cell, features, inputs, params, **options)
    if targets.shape != logits.shape[:2]:
        raise ValueError(f"targets has shape {targets.shape} but inputs has {logits.shape[:2]}")
    loss, dlogits = softmax_cross_entropy(
        logits, targets, reduction="mean", mask=targets != CAPTION_PAD
    )
    return loss, caption_backward(dlogits, cache)


def _check_step(tokens, state, f: np.ndarray, params: dict, cell: str) -> np.ndarray:
    """caption_step's tokens, (N,) ids, and its state, one (N, H) row per feature vector."""
    tokens = check_tokens("tokens", tokens, params["W_embed"].shape[0], ndim=1)
    if tokens.shape[0] != f.shape[0]:
        raise ValueError(f"tokens has shape {tokens.shape} but features has N={f.shape[0]}")
    check_state("state", state, cell, batch=f.shape[0])
    return tokens


def caption_step(cell: str, params: dict, features, tokens, state, **options):
    """One decoding step: the log-probabilities of the next word, and the next state.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    params : dict
    features : ndarray, shape (N, F)
    tokens : ndarray of int, shape (N,)
        The word each caption wrote last (``<start>`` at first).
    state : tuple of ndarray
        The decoder's state, as :func:`caption_start` gives it.

    Returns
    -------
    log_probs : ndarray, shape (N, V)
    state : tuple of ndarray

    Examples
    --------
    >>> params = init_captioner("gru", 6, 3, 2, 4, rng=np.random.default_rng(0))
    >>> f = np.ones((2, 3))
    >>> log_p, state = caption_step("gru", params, f, [1, 1], caption_start("gru", f, params))
    >>> log_p.shape, bool(np.allclose(np.exp(log_p).sum(axis=1), 1))
    ((2, 6), True)
    """
    f = _features(features, params, cell)
    tokens = _check_step(tokens, state, f, params, cell)
    x = params["W_embed"][tokens]
    if _every_step(params, f.shape[1]):
        x = np.concatenate([x, f], axis=1)
    hs, state, _ = layer_forward(cell, x[:, None], _decoder(params), state, **options)
    return log_softmax(hs[:, 0] @ params["W_hy"] + params["b_y"]), state


def caption_beam_search(
    cell: str,
    features,
    params: dict,
    *,
    beam_width: int,
    max_len: int,
    alpha: float = 0.0,
    **options,
) -> BeamSearchResult:
    """The ``beam_width`` most probable captions of each image (:func:`~rnn_tutorial.beam_search`).

    The beam's state is ``(f, h)`` or ``(f, h, c)``: the feature vector
    travels with each hypothesis, so that a decoder fed it at every step
    finds it in the rows beam search has reordered.

    Returns
    -------
    BeamSearchResult
        ``tokens`` (N, B, L), best caption first, ``<end>`` after the last
        word and in the positions after it; ``scores`` their log-probabilities.

    Examples
    --------
    >>> params = init_captioner("lstm", 6, 3, 2, 4, rng=np.random.default_rng(0))
    >>> result = caption_beam_search("lstm", np.ones((2, 3)), params, beam_width=3, max_len=5)
    >>> result.tokens.shape[:2], bool(np.all(result.scores[:, 0] >= result.scores[:, 1]))
    ((2, 3), True)
    """
    f = _features(features, params, cell)

    def step(tokens, state):
        log_p, decoder_state = caption_step(cell, params, state[0], tokens, state[1:], **options)
        return log_p, (state[0], *decoder_state)

    state = (f, *caption_start(cell, f, params))
    return beam_search(
        step,
        state,
        start=CAPTION_START,
        end=CAPTION_END,
        beam_width=beam_width,
        max_len=max_len,
        alpha=alpha,
    )


def _check_sampling(max_len, temperature, rng):
    """decode_captions' options: a length >= 1, and a temperature > 0 with an rng, or None."""
    if temperature is not None:
        temperature = check_positive("temperature", temperature)
    if temperature is not None or rng is not None:
        rng = _check_rng(rng)
    return _check_int("max_len", max_len, 1), temperature, rng


def decode_captions(
    cell: str,
    features,
    params: dict,
    *,
    max_len: int,
    temperature: float | None = None,
    rng: np.random.Generator | None = None,
    **options,
) -> np.ndarray:
    r"""Write a caption for every feature vector: greedily, or by sampling with a temperature.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    features : ndarray, shape (N, F)
    params : dict
    max_len : int
        The most tokens written, ``<end>`` included.
    temperature : float, optional
        ``None`` picks the most probable word at every step (greedy
        decoding); a positive number samples from
        :math:`\operatorname{softmax}(z / \tau)`.
    rng : numpy.random.Generator
        Needed when sampling.

    Returns
    -------
    ndarray of int, shape (N, L)
        The tokens written, ``L <= max_len``; after a caption's ``<end>``
        come ``<pad>`` tokens. Decoding stops when every caption has ended.

    Examples
    --------
    >>> params = init_captioner("lstm", 6, 3, 2, 4, rng=np.random.default_rng(0))
    >>> decode_captions("lstm", np.ones((2, 3)), params, max_len=5).shape[1] <= 5
    True
    """
    f = _features(features, params, cell)
    max_len, temperature, rng = _check_sampling(max_len, temperature, rng)
    state = caption_start(cell, f, params)
    previous = np.full(len(f), CAPTION_START)
    ended = np.zeros(len(f), dtype=bool)
    written = []
    for _ in range(max_len):
        log_p, state = caption_step(cell, params, f, previous, state, **options)
        if temperature is None:
            word = log_p.argmax(axis=1)
        else:
            p = softmax(log_p / temperature)
            word = (p.cumsum(axis=1) < rng.uniform(size=(len(f), 1))).sum(axis=1)
            word = np.minimum(word, p.shape[1] - 1)
        word = np.where(ended, CAPTION_PAD, word)
        written.append(word)
        ended |= word == CAPTION_END
        previous = np.where(ended, CAPTION_END, word)
        if ended.all():
            break
    return np.stack(written, axis=1)


class Captioner:
    """A caption decoder's weights and their training with Adam, for an experiment.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = Captioner("gru", V=6, F=3, D=4, H=8, rng=rng)
    >>> f = rng.normal(size=(4, 3))
    >>> losses = model.fit(f, [[1, 3]] * 4, [[3, 2]] * 4, steps=3, batch_size=2, rng=rng)
    >>> losses.shape, model.decode(f, max_len=4).shape[0]
    ((3,), 4)
    """

    def __init__(
        self,
        cell: str,
        *,
        V: int,
        F: int,
        D: int,
        H: int,
        rng,
        every_step: bool = False,
        **options,
    ) -> None:
        self.params = init_captioner(cell, V, F, D, H, rng=rng, every_step=every_step)
        self.cell, self.options = cell, options
        self.optimizer: Adam | None = None

    def loss_and_grads(self, features, inputs, targets, params: dict | None = None):
        """Masked teacher-forced cross-entropy and its gradients (:func:`caption_loss`)."""
        params = self.params if params is None else params
        return caption_loss(self.cell, features, inputs, targets, params, **self.options)

    def fit(
        self,
        features,
        inputs,
        targets,
        *,
        steps: int,
        rng,
        batch_size: int = 64,
        lr: float = 1e-2,
        clip: float | None = 5.0,
    ) -> np.ndarray:
        """Adam on random mini-batches; returns the loss of every update."""
        steps, batch_size = _check_int("steps", steps, 0), _check_int("batch_size", batch_size, 1)
        rng, lr = _check_rng(rng), check_positive("lr", lr)
        if clip is not None:
            check_positive("clip", clip)
        features = check_batch("features", _features(features, self.params, self.cell))
        inputs, targets = check_tokens("inputs", inputs), check_tokens("targets", targets)
        for name, tokens in (("inputs", inputs), ("targets", targets)):
            if tokens.ndim != 2 or tokens.shape[0] != len(features):
                raise ValueError(
                    f"{name} has shape {tokens.shape} but features has N={len(features)}; "
                    f"{name} must be (N, T)"
                )
        if self.optimizer is None:
            self.optimizer = Adam(lr=lr)
        losses = np.empty(steps)
        for step in range(steps):
            idx = rng.choice(len(features), size=min(batch_size, len(features)), replace=False)
            losses[step], grads = self.loss_and_grads(features[idx], inputs[idx], targets[idx])
            if clip is not None:
                grads, _ = clip_global_norm(grads, clip)
            self.optimizer.step(self.params, grads)
        return losses

    def decode(self, features, *, max_len: int = 16, temperature=None, rng=None) -> np.ndarray:
        """Captions as token ids (:func:`decode_captions`)."""
        return decode_captions(
            self.cell,
            features,
            self.params,
            max_len=max_len,
            temperature=temperature,
            rng=rng,
            **self.options,
        )

    def beam(self, features, *, beam_width: int, max_len: int = 16, alpha: float = 0.0):
        """The best caption of each image by beam search, as token ids (N, L)."""
        result = caption_beam_search(
            self.cell,
            features,
            self.params,
            beam_width=beam_width,
            max_len=max_len,
            alpha=alpha,
            **self.options,
        )
        return result.tokens[:, 0]
