"""Bad input gets a clear ValueError naming the argument and both sizes (DESIGN.md).

The sizes are chosen all different (N=4, T=7, D=5, H=6, V=3) so that a message
showing "5" can only mean D, and a raw numpy error (which is also a ValueError)
can never satisfy the ``match``: it names no argument of ours.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from helpers import RAW_NUMPY_PHRASES, arg, message_with, size
from rnn_tutorial import (
    dense_backward,
    dense_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    softmax_cross_entropy,
)
from rnn_tutorial.validation import as_float_array, check_input, param_sizes

N, T, D, H, V = 4, 7, 5, 6, 3
RNN_SPEC = {"W_xh": ("D", "H"), "W_hh": ("H", "H"), "b_h": ("H",)}


@pytest.fixture
def params(rng):
    return {
        "W_xh": rng.normal(size=(D, H)),
        "W_hh": rng.normal(size=(H, H)),
        "b_h": rng.normal(size=H),
    }


@pytest.fixture
def dense_params(rng):
    return {"W_hy": rng.normal(size=(H, V)), "b_y": rng.normal(size=V)}


@pytest.fixture
def step_cache(rng, params):
    _, cache = rnn_step_forward(rng.normal(size=(N, D)), rng.normal(size=(N, H)), params)
    return cache


@pytest.fixture
def seq_cache(rng, params):
    _, cache = rnn_forward(rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), params)
    return cache


# --------------------------------------------------------------------------- the helpers


def test_message_with_rejects_a_raw_numpy_broadcast_error():
    # The matcher itself must be able to fail: numpy's error is a ValueError too.
    with pytest.raises(ValueError) as info:
        np.zeros((4, 3)) + np.zeros((4, 5))
    assert re.search(message_with(arg("x"), "(4, 3)", size("D", 5)), str(info.value)) is None
    good = 'x has shape (4, 3) but params["W_xh"] expects D=5'
    assert re.search(message_with(arg("x"), "(4, 3)", size("D", 5)), good)
    # "x" inside "W_xh" is not the argument x.
    assert re.search(message_with(arg("x")), 'params["W_xh"] is bad') is None


# --------------------------------------------------------------------------- as_float_array


def test_as_float_array_promotes_integers_and_booleans_to_float64():
    ints = as_float_array("x", [[1, 2], [3, 4]])
    assert ints.dtype == np.float64
    assert ints.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert as_float_array("x", np.array([True, False])).tolist() == [1.0, 0.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_as_float_array_keeps_the_callers_float_precision(dtype):
    assert as_float_array("x", np.ones(3, dtype=dtype)).dtype == dtype


@pytest.mark.parametrize("bad", [np.array([1 + 2j]), np.array(["a", "b"]), np.array([None])])
def test_as_float_array_rejects_non_real_input_naming_the_argument(bad):
    with pytest.raises(ValueError, match=message_with(arg("my_input"), "real numbers")):
        as_float_array("my_input", bad)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_as_float_array_rejects_nan_and_infinity(bad):
    with pytest.raises(ValueError, match=message_with(arg("h0"), "NaN or infinity")):
        as_float_array("h0", [0.0, bad])


def test_as_float_array_allows_nan_when_asked():
    assert np.isnan(as_float_array("x", [np.nan], finite=False)[0])


# --------------------------------------------------------------------------- param_sizes


def test_param_sizes_reads_each_size_and_where_it_came_from():
    p = {"W_xh": np.zeros((5, 6)), "W_hh": np.zeros((6, 6)), "b_h": np.zeros(6)}
    sizes = param_sizes(p, RNN_SPEC)
    assert (sizes.value("D"), sizes.value("H")) == (5, 6)
    assert sizes["D"] == (5, 'params["W_xh"]')


def test_param_sizes_reports_the_wrong_key_its_shape_and_the_expected_shape():
    p = {"W_xh": np.zeros((5, 6)), "W_hh": np.zeros((6, 4)), "b_h": np.zeros(6)}
    with pytest.raises(
        ValueError, match=message_with(arg('params["W_hh"]'), "(6, 4)", size("H", 6), "(6, 6)")
    ):
        param_sizes(p, RNN_SPEC)


def test_param_sizes_reads_multiples_such_as_4H():
    # LSTM-style stacked gates: W_x (D, 4H), W_h (H, 4H), b (4H,) with D=3, H=2.
    spec = {"W_x": ("D", "4H"), "W_h": ("H", "4H"), "b": ("4H",)}
    good = {"W_x": np.zeros((3, 8)), "W_h": np.zeros((2, 8)), "b": np.zeros(8)}
    sizes = param_sizes(good, spec)
    assert (sizes.value("D"), sizes.value("H")) == (3, 2)
    bad = dict(good, W_h=np.zeros((2, 6)))
    with pytest.raises(ValueError, match=message_with(arg('params["W_h"]'), "(2, 6)", "(2, 8)")):
        param_sizes(bad, spec)


def test_param_sizes_with_a_multiple_that_does_not_divide_gives_a_valueerror():
    # H appears only as "4H" and 7 is not a multiple of 4: no H can be read.
    # The docstring promises multiples are supported; the answer must be a
    # ValueError naming params["b"], not a KeyError from inside the helper.
    with pytest.raises(ValueError, match=message_with(arg('params["b"]'), "(7,)")):
        param_sizes({"b": np.zeros(7)}, {"b": ("4H",)})


def test_param_sizes_names_the_missing_key_and_the_keys_present():
    with pytest.raises(ValueError, match=message_with("'W_hh'", "'W_xh'", "'b_h'", "missing")):
        param_sizes({"W_xh": np.zeros((5, 6)), "b_h": np.zeros(6)}, RNN_SPEC)


def test_param_sizes_rejects_a_wrong_number_of_dimensions():
    p = {"W_xh": np.zeros(5), "W_hh": np.zeros((6, 6)), "b_h": np.zeros(6)}
    with pytest.raises(ValueError, match=message_with(arg('params["W_xh"]'), "2-D", "(5,)")):
        param_sizes(p, RNN_SPEC)


def test_param_sizes_rejects_something_that_is_not_a_dict():
    with pytest.raises(ValueError, match=message_with("params", "list")):
        param_sizes([np.zeros((5, 6))], RNN_SPEC)


# --------------------------------------------------------------------------- check_input


def test_check_input_records_new_sizes_with_the_argument_as_source():
    sizes = param_sizes(
        {"W_xh": np.zeros((5, 6)), "W_hh": np.zeros((6, 6)), "b_h": np.zeros(6)}, RNN_SPEC
    )
    check_input("x", np.zeros((4, 5)), ("N", "D"), sizes)
    assert sizes["N"] == (4, "x")
    with pytest.raises(
        ValueError, match=message_with(arg("h_prev"), "(3, 6)", arg("x"), size("N", 4))
    ):
        check_input("h_prev", np.zeros((3, 6)), ("N", "H"), sizes)


def test_check_input_design_example():
    sizes = param_sizes(
        {"W_xh": np.zeros((5, 2)), "W_hh": np.zeros((2, 2)), "b_h": np.zeros(2)}, RNN_SPEC
    )
    with pytest.raises(
        ValueError, match=message_with(arg("x"), "(4, 3)", arg('params["W_xh"]'), size("D", 5))
    ):
        check_input("x", np.zeros((4, 3)), ("N", "D"), sizes)


# --------------------------------------------------------------------------- rnn_step_forward


def test_step_forward_wrong_D(params):
    with pytest.raises(
        ValueError, match=message_with(arg("x"), "(4, 3)", arg('params["W_xh"]'), size("D", D))
    ):
        rnn_step_forward(np.zeros((N, 3)), np.zeros((N, H)), params)


def test_step_forward_wrong_H_in_h_prev(params):
    with pytest.raises(ValueError, match=message_with(arg("h_prev"), "(4, 2)", size("H", H))):
        rnn_step_forward(np.zeros((N, D)), np.zeros((N, 2)), params)


def test_step_forward_W_hh_not_square(params):
    params["W_hh"] = np.zeros((H, H + 1))
    with pytest.raises(
        ValueError, match=message_with(arg('params["W_hh"]'), "(6, 7)", size("H", H), "(6, 6)")
    ):
        rnn_step_forward(np.zeros((N, D)), np.zeros((N, H)), params)


def test_step_forward_b_h_wrong_length(params):
    params["b_h"] = np.zeros(H - 1)
    with pytest.raises(ValueError, match=message_with(arg('params["b_h"]'), "(5,)", "(6,)")):
        rnn_step_forward(np.zeros((N, D)), np.zeros((N, H)), params)


def test_step_forward_batch_mismatch(params):
    with pytest.raises(
        ValueError, match=message_with(arg("h_prev"), "(3, 6)", arg("x"), size("N", N))
    ):
        rnn_step_forward(np.zeros((N, D)), np.zeros((3, H)), params)


def test_step_forward_sequence_where_a_step_is_needed(params):
    with pytest.raises(ValueError, match=message_with(arg("x"), "2-D", "(4, 7, 5)")):
        rnn_step_forward(np.zeros((N, T, D)), np.zeros((N, H)), params)


@pytest.mark.parametrize("key", ["W_xh", "W_hh", "b_h"])
def test_step_forward_missing_param_key(params, key):
    del params[key]
    with pytest.raises(ValueError, match=message_with(f"'{key}'", "missing")):
        rnn_step_forward(np.zeros((N, D)), np.zeros((N, H)), params)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("where", ["x", "h_prev", "W_xh", "W_hh", "b_h"])
def test_step_forward_rejects_nan_and_inf(rng, params, bad, where):
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    name = {"x": "x", "h_prev": "h_prev"}.get(where, f'params["{where}"]')
    target = {"x": x, "h_prev": h_prev}.get(where, params.get(where))
    target.flat[3] = bad
    with pytest.raises(ValueError, match=message_with(arg(name), "NaN or infinity")):
        rnn_step_forward(x, h_prev, params)


# --------------------------------------------------------------------------- rnn_forward


def test_forward_needs_a_3d_sequence(params):
    with pytest.raises(ValueError, match=message_with(arg("x"), "3-D", "(N, T, D)", "(4, 5)")):
        rnn_forward(np.zeros((N, D)), np.zeros((N, H)), params)


def test_forward_wrong_D(params):
    with pytest.raises(
        ValueError,
        match=message_with(arg("x"), "(4, 7, 3)", arg('params["W_xh"]'), size("D", D)),
    ):
        rnn_forward(np.zeros((N, T, 3)), np.zeros((N, H)), params)


def test_forward_wrong_H_in_h0(params):
    with pytest.raises(ValueError, match=message_with(arg("h0"), "(4, 5)", size("H", H))):
        rnn_forward(np.zeros((N, T, D)), np.zeros((N, 5)), params)


def test_forward_W_hh_not_square(params):
    params["W_hh"] = np.zeros((H + 1, H))
    with pytest.raises(
        ValueError, match=message_with(arg('params["W_hh"]'), "(7, 6)", size("H", H), "(6, 6)")
    ):
        rnn_forward(np.zeros((N, T, D)), np.zeros((N, H)), params)


def test_forward_batch_mismatch_between_x_and_h0(params):
    with pytest.raises(
        ValueError, match=message_with(arg("h0"), "(3, 6)", arg("x"), size("N", N))
    ):
        rnn_forward(np.zeros((N, T, D)), np.zeros((3, H)), params)


def test_forward_missing_param_key(params):
    del params["b_h"]
    with pytest.raises(ValueError, match=message_with("'b_h'", "missing", "'W_xh'")):
        rnn_forward(np.zeros((N, T, D)), np.zeros((N, H)), params)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_forward_rejects_nan_and_inf_in_x_and_h0(rng, params, bad):
    x = rng.normal(size=(N, T, D))
    x[1, 2, 3] = bad
    with pytest.raises(ValueError, match=message_with(arg("x"), "NaN or infinity")):
        rnn_forward(x, np.zeros((N, H)), params)
    h0 = np.zeros((N, H))
    h0[0, 0] = bad
    with pytest.raises(ValueError, match=message_with(arg("h0"), "NaN or infinity")):
        rnn_forward(rng.normal(size=(N, T, D)), h0, params)


# --------------------------------------------------------------------------- the backward passes


def test_step_backward_wrong_H(step_cache):
    with pytest.raises(ValueError, match=message_with(arg("dh"), "(4, 5)", size("H", H))):
        rnn_step_backward(np.zeros((N, H - 1)), step_cache)


def test_step_backward_wrong_N(step_cache):
    with pytest.raises(ValueError, match=message_with(arg("dh"), "(2, 6)", size("N", N))):
        rnn_step_backward(np.zeros((2, H)), step_cache)


def test_step_backward_rejects_a_sequence_gradient(step_cache):
    with pytest.raises(ValueError, match=message_with(arg("dh"), "2-D", "(4, 7, 6)")):
        rnn_step_backward(np.zeros((N, T, H)), step_cache)


def test_step_backward_rejects_nan(step_cache):
    dh = np.zeros((N, H))
    dh[0, 0] = np.nan
    with pytest.raises(ValueError, match=message_with(arg("dh"), "NaN or infinity")):
        rnn_step_backward(dh, step_cache)


def test_backward_wrong_H(seq_cache):
    with pytest.raises(ValueError, match=message_with(arg("dhs"), "(4, 7, 5)", size("H", H))):
        rnn_backward(np.zeros((N, T, H - 1)), seq_cache)


def test_backward_wrong_T(seq_cache):
    with pytest.raises(ValueError, match=message_with(arg("dhs"), "(4, 6, 6)", size("T", T))):
        rnn_backward(np.zeros((N, T - 1, H)), seq_cache)


def test_backward_wrong_N(seq_cache):
    with pytest.raises(ValueError, match=message_with(arg("dhs"), "(3, 7, 6)", size("N", N))):
        rnn_backward(np.zeros((N - 1, T, H)), seq_cache)


def test_backward_needs_3d(seq_cache):
    with pytest.raises(ValueError, match=message_with(arg("dhs"), "3-D", "(4, 6)")):
        rnn_backward(np.zeros((N, H)), seq_cache)


def test_backward_rejects_inf(seq_cache):
    dhs = np.zeros((N, T, H))
    dhs[-1, -1, -1] = np.inf
    with pytest.raises(ValueError, match=message_with(arg("dhs"), "NaN or infinity")):
        rnn_backward(dhs, seq_cache)


# --------------------------------------------------------------------------- dense layer


@pytest.mark.parametrize("shape", [(N, 2), (N, T, 2)])
def test_dense_forward_wrong_H(dense_params, shape):
    shown = "(" + ", ".join(map(str, shape)) + ")"
    with pytest.raises(
        ValueError, match=message_with(arg("h"), shown, arg('params["W_hy"]'), size("H", H))
    ):
        dense_forward(np.zeros(shape), dense_params)


def test_dense_forward_1d_h(dense_params):
    with pytest.raises(ValueError, match=message_with(arg("h"), "(6,)")):
        dense_forward(np.zeros(H), dense_params)


def test_dense_forward_missing_key(dense_params):
    del dense_params["b_y"]
    with pytest.raises(ValueError, match=message_with("'b_y'", "missing", "'W_hy'")):
        dense_forward(np.zeros((N, H)), dense_params)


def test_dense_forward_b_y_wrong_length(dense_params):
    dense_params["b_y"] = np.zeros(V + 2)
    with pytest.raises(
        ValueError, match=message_with(arg('params["b_y"]'), "(5,)", size("V", V), "(3,)")
    ):
        dense_forward(np.zeros((N, H)), dense_params)


def test_dense_forward_rejects_nan(dense_params):
    h = np.zeros((N, T, H))
    h[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=message_with(arg("h"), "NaN or infinity")):
        dense_forward(h, dense_params)


def test_dense_backward_wrong_V(rng, dense_params):
    _, cache = dense_forward(rng.normal(size=(N, T, H)), dense_params)
    with pytest.raises(ValueError, match=message_with(arg("dy"), "(4, 7, 2)", size("V", V))):
        dense_backward(np.zeros((N, T, 2)), cache)


def test_dense_backward_wrong_T_and_N(rng, dense_params):
    _, cache = dense_forward(rng.normal(size=(N, T, H)), dense_params)
    with pytest.raises(ValueError, match=message_with(arg("dy"), "(4, 6, 3)", size("T", T))):
        dense_backward(np.zeros((N, T - 1, V)), cache)
    with pytest.raises(ValueError, match=message_with(arg("dy"), "(5, 7, 3)", size("N", N))):
        dense_backward(np.zeros((N + 1, T, V)), cache)


def test_dense_backward_step_gradient_for_a_sequence_cache(rng, dense_params):
    _, cache = dense_forward(rng.normal(size=(N, T, H)), dense_params)
    with pytest.raises(ValueError, match=message_with(arg("dy"), "3-D", "(4, 3)")):
        dense_backward(np.zeros((N, V)), cache)


# --------------------------------------------------------------------------- softmax_cross_entropy


def test_cross_entropy_targets_out_of_range():
    with pytest.raises(ValueError, match=message_with(arg("targets"), size("V", 3), "[0, 3)")):
        softmax_cross_entropy(np.zeros((4, 3)), np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=message_with(arg("targets"), size("V", 3), "-1")):
        softmax_cross_entropy(np.zeros((4, 3)), np.array([0, -1, 2, 1]))


@pytest.mark.parametrize("shape", [(3,), (1, 4), (4, 1)])
def test_cross_entropy_targets_wrong_shape(shape):
    shown = str(tuple(shape))
    with pytest.raises(
        ValueError, match=message_with(arg("targets"), shown, arg("logits"), "(4, 3)", "(4,)")
    ):
        softmax_cross_entropy(np.zeros((4, 3)), np.zeros(shape, dtype=int))


def test_cross_entropy_sequence_targets_wrong_shape():
    with pytest.raises(
        ValueError, match=message_with(arg("targets"), "(2, 4)", "(2, 5, 3)", "(2, 5)")
    ):
        softmax_cross_entropy(np.zeros((2, 5, 3)), np.zeros((2, 4), dtype=int))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, bool])
def test_cross_entropy_targets_must_be_integers(dtype):
    with pytest.raises(ValueError, match=message_with(arg("targets"), "integer", "dtype")):
        softmax_cross_entropy(np.zeros((4, 3)), np.array([0, 1, 1, 0], dtype=dtype))


def test_cross_entropy_rejects_nan_logits_and_unknown_reduction():
    z = np.zeros((4, 3))
    z[2, 1] = np.nan
    with pytest.raises(ValueError, match=message_with(arg("logits"), "NaN or infinity")):
        softmax_cross_entropy(z, np.array([0, 1, 2, 0]))
    with pytest.raises(ValueError, match=message_with(arg("reduction"), "'max'")):
        softmax_cross_entropy(np.zeros((4, 3)), np.array([0, 1, 2, 0]), reduction="max")


# --------------------------------------------------------------------------- no raw numpy error


def _bad_calls(params, dense_params, step_cache, seq_cache):
    """(argument named in the message, call) for many wrong shapes."""
    ok_x, ok_h = np.zeros((N, D)), np.zeros((N, H))
    calls = []
    for shape in [(N,), (N, D + 1), (N, D - 1), (N + 1, D), (1, N, D), (D, N)]:
        calls.append(("x", lambda s=shape: rnn_step_forward(np.zeros(s), ok_h, params)))
    for shape in [(N,), (N, H + 1), (N - 1, H), (H, N), (N, 1)]:
        calls.append(("h_prev", lambda s=shape: rnn_step_forward(ok_x, np.zeros(s), params)))
    for shape in [(N, D), (N, T, D + 2), (N, T, 1), (N, T, D, 1), (D, T, N)]:
        calls.append(("x", lambda s=shape: rnn_forward(np.zeros(s), ok_h, params)))
    for shape in [(N, H, 1), (H,), (N + 2, H), (N, H - 2)]:
        calls.append(("h0", lambda s=shape: rnn_forward(np.zeros((N, T, D)), np.zeros(s), params)))
    for key, shape in [("W_xh", (H, D)), ("W_hh", (H, H - 1)), ("W_hh", (H,)), ("b_h", (1, H))]:
        bad = dict(params, **{key: np.zeros(shape)})
        calls.append((f'params["{key}"]', lambda b=bad: rnn_forward(np.zeros((N, T, D)), ok_h, b)))
    for shape in [(H, N), (N, H, 1), (N,), (N, 1)]:
        calls.append(("dh", lambda s=shape: rnn_step_backward(np.zeros(s), step_cache)))
    for shape in [(N, H, T), (T, N, H), (N, T, 1), (N, T)]:
        calls.append(("dhs", lambda s=shape: rnn_backward(np.zeros(s), seq_cache)))
    for shape in [(N, H + 1), (N, T, H - 1), (H,), (N, T, H, 1)]:
        calls.append(("h", lambda s=shape: dense_forward(np.zeros(s), dense_params)))
    return calls


def test_no_raw_numpy_error_escapes(params, dense_params, step_cache, seq_cache):
    calls = _bad_calls(params, dense_params, step_cache, seq_cache)
    assert len(calls) > 30
    for name, call in calls:
        with pytest.raises(ValueError, match=message_with(arg(name))) as info:
            call()
        message = str(info.value)
        assert not any(p.lower() in message.lower() for p in RAW_NUMPY_PHRASES), message
