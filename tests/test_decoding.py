"""Beam search: greedy at width 1, the best sequence of a table decoder, scores, END, lengths.

Expected values come from exhaustive enumeration of every sequence a table
decoder can write, from a separate greedy loop, and from hand calculation.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import rnn_tutorial as rt
from rnn_tutorial.decoding import BeamSearchResult, beam_search

END = 0


def table_step(tables):
    """A step whose next-symbol probabilities are ``tables[t][last symbol]``.

    The state is one array, the step counter of each hypothesis.
    """
    with np.errstate(divide="ignore"):  # probability 0: log-probability -inf
        log_tables = [np.log(np.asarray(tab, dtype=float)) for tab in tables]

    def step(tokens, state):
        (t,) = state
        log_probs = np.stack([log_tables[k][s] for k, s in zip(t, tokens, strict=True)])
        return log_probs, (t + 1,)

    return step


def sequence_log_prob(tables, start, symbols):
    """log p(symbols) under a table decoder, by direct product."""
    previous, total = start, 0.0
    with np.errstate(divide="ignore"):
        for t, symbol in enumerate(symbols):
            total += np.log(tables[t][previous][symbol])
            previous = symbol
    return total


def all_sequences(tables, start, max_len):
    """Every sequence of at most max_len symbols: ended ones (END last) and cut-off ones."""
    V = len(tables[0][0])
    out = []
    for length in range(1, max_len + 1):
        for body in itertools.product(range(1, V), repeat=length - 1):
            out.append((body + (END,), sequence_log_prob(tables, start, body + (END,))))
        if length == max_len:
            for body in itertools.product(range(1, V), repeat=length):
                out.append((body, sequence_log_prob(tables, start, body)))
    return out


# Step 1 from the start symbol 1: 2 is likelier (0.5) than 3 (0.4), END 0.1.
# After 2 the model is unsure (END/1/2/3 evenly); after 3 it is sure of END.
# Greedy writes 2 then one of four at 0.25 (best 0.5*0.25 = 0.125 for [2, END]);
# the most probable sequence is [3, END] with 0.4 * 0.9 = 0.36.
TRAP = [
    # t = 0: rows are the previous symbol (only 1, the start, is used)
    [[0.25] * 4, [0.1, 0.0, 0.5, 0.4], [0.25] * 4, [0.25] * 4],
    # t = 1
    [[1.0, 0, 0, 0], [0.25] * 4, [0.25] * 4, [0.9, 0.05, 0.03, 0.02]],
    # t = 2
    [[1.0, 0, 0, 0], [0.7, 0.1, 0.1, 0.1], [0.7, 0.1, 0.1, 0.1], [0.7, 0.1, 0.1, 0.1]],
]


def greedy_reference(tables, start, max_len):
    previous, out = start, []
    for t in range(max_len):
        previous = int(np.argmax(tables[t][previous]))
        out.append(previous)
        if previous == END:
            break
    return out


def test_finds_the_most_probable_sequence_greedy_misses():
    step = table_step(TRAP)
    start, max_len = 1, 3
    enumerated = sorted(all_sequences(TRAP, start, max_len), key=lambda s: -s[1])
    best_symbols, best_score = enumerated[0]
    assert list(best_symbols) == [3, END]  # the table was built so; checked by enumeration
    greedy = greedy_reference(TRAP, start, max_len)
    assert greedy != list(best_symbols)

    narrow = beam_search(step, (np.zeros(1, int),), start=start, end=END, beam_width=1, max_len=3)
    wide = beam_search(step, (np.zeros(1, int),), start=start, end=END, beam_width=2, max_len=3)
    assert narrow.tokens[0, 0, : narrow.lengths[0, 0]].tolist() == greedy
    assert wide.tokens[0, 0, : wide.lengths[0, 0]].tolist() == list(best_symbols)
    assert wide.scores[0, 0] == pytest.approx(best_score, abs=1e-12)
    assert wide.scores[0, 0] == pytest.approx(np.log(0.4 * 0.9), abs=1e-12)


def random_tables(rng, V, T, sharp):
    tables = []
    for _ in range(T):
        logits = sharp * rng.normal(size=(V, V))
        p = np.exp(logits)
        tables.append(p / p.sum(axis=1, keepdims=True))
    return tables


@pytest.mark.parametrize("seed", range(6))
def test_wide_beam_equals_exhaustive_search(seed):
    """A beam as wide as every live prefix is exhaustive: its B best are the B best sequences."""
    rng = np.random.default_rng(seed)
    V, max_len = 3, 4
    tables = random_tables(rng, V, max_len, sharp=1.5)
    enumerated = sorted(all_sequences(tables, 1, max_len), key=lambda s: -s[1])
    B = (V - 1) ** max_len  # never prunes a live prefix
    result = beam_search(
        table_step(tables), (np.zeros(1, int),), start=1, end=END, beam_width=B, max_len=max_len
    )
    k = 5
    assert np.allclose(result.scores[0, :k], [s for _, s in enumerated[:k]], atol=1e-12)
    for b in range(k):
        symbols = tuple(result.tokens[0, b, : result.lengths[0, b]].tolist())
        assert symbols == enumerated[b][0]
        assert result.ended[0, b] == (symbols[-1] == END)


@pytest.mark.parametrize("seed", range(4))
def test_scores_are_sums_of_the_log_probabilities(seed):
    rng = np.random.default_rng(10 + seed)
    tables = random_tables(rng, 4, 5, sharp=1.0)
    result = beam_search(
        table_step(tables), (np.zeros(1, int),), start=2, end=END, beam_width=3, max_len=5
    )
    for b in range(3):
        symbols = result.tokens[0, b, : result.lengths[0, b]].tolist()
        expected = sequence_log_prob(tables, 2, symbols)
        assert result.scores[0, b] == pytest.approx(expected, abs=1e-12)
    assert np.all(np.diff(result.scores[0]) <= 0)  # alpha = 0: ranked by score


@pytest.mark.parametrize("seed", range(5))
def test_width_one_equals_greedy_on_random_tables(seed):
    rng = np.random.default_rng(20 + seed)
    tables = random_tables(rng, 5, 6, sharp=2.0)
    for start in range(1, 5):
        result = beam_search(
            table_step(tables), (np.zeros(1, int),), start=start, end=END, beam_width=1, max_len=6
        )
        greedy = greedy_reference(tables, start, 6)
        assert result.tokens[0, 0, : result.lengths[0, 0]].tolist() == greedy
        assert result.ended[0, 0] == (greedy[-1] == END)


def test_batched_inputs_are_independent():
    """N inputs in one call give what N separate calls give; the state is reordered per input."""
    rng = np.random.default_rng(3)
    tables = random_tables(rng, 4, 5, sharp=1.5)
    starts = np.array([1, 2, 3, 1])
    together = beam_search(
        table_step(tables), (np.zeros(4, int),), start=starts, end=END, beam_width=3, max_len=5
    )
    for n, s in enumerate(starts):
        alone = beam_search(
            table_step(tables), (np.zeros(1, int),), start=int(s), end=END, beam_width=3, max_len=5
        )
        L = alone.tokens.shape[2]
        assert np.array_equal(together.tokens[n, :, :L], alone.tokens[0])
        assert np.all(together.tokens[n, :, L:] == END)
        assert np.allclose(together.scores[n], alone.scores[0], atol=1e-12)


def constant_step(probabilities):
    log_p = np.log(np.asarray(probabilities, dtype=float))

    def step(tokens, state):
        return np.tile(log_p, (len(tokens), 1)), state

    return step


def test_end_handling_by_hand():
    """p(END) = 0.5, p(1) = 0.3, p(2) = 0.2 at every step, whatever came before.

    Hand ranking of the sequences: [END] 0.5; [1, END] 0.15; [2, END] 0.10;
    [1, 1, END] 0.045 ... Beam 3 finds the first three; finished hypotheses
    are kept aside (not extended), so no [END, ...] ever appears.
    """
    result = beam_search(
        constant_step([0.5, 0.3, 0.2]), (np.zeros(1),), start=0, end=END, beam_width=3, max_len=4
    )
    assert result.tokens[0].tolist() == [[0, 0], [1, 0], [2, 0]]
    assert np.allclose(np.exp(result.scores[0]), [0.5, 0.15, 0.10])
    assert result.lengths[0].tolist() == [1, 2, 2]
    assert result.ended[0].all()


def test_cut_off_at_max_len_by_hand():
    """p(END) = 0.1 and p(1) = 0.9 at every step, max_len 2.

    By hand: [1, 1] cut off 0.81; [END] 0.1; [1, END] 0.09. The cut-off answer
    ranks first and is marked as not ended.
    """
    result = beam_search(
        constant_step([0.1, 0.9]), (np.zeros(1),), start=1, end=END, beam_width=2, max_len=2
    )
    assert result.tokens[0].tolist() == [[1, 1], [0, 0]]
    assert np.allclose(np.exp(result.scores[0]), [0.81, 0.1])
    assert result.ended[0].tolist() == [False, True]
    assert result.lengths[0].tolist() == [2, 1]
    wider = beam_search(
        constant_step([0.1, 0.9]), (np.zeros(1),), start=1, end=END, beam_width=3, max_len=2
    )
    assert wider.tokens[0].tolist() == [[1, 1], [0, 0], [1, 0]]
    assert np.allclose(np.exp(wider.scores[0]), [0.81, 0.1, 0.09])


def test_length_normalisation_by_hand():
    """Three answers: [END] p = 0.4 (length 1), [1, END] p = 0.6 * 0.5 = 0.3 (length 2),
    [1, 1, END] p = 0.6 * 0.5 * 0.9 = 0.27 (length 3).

    By probability (alpha = 0) the shortest wins; by log-probability per symbol
    (alpha = 1: -0.916, -0.602, -0.436) the longest; alpha = 0.5 gives
    -0.916, -0.851, -0.756, the longest first too.
    """
    tables = [
        [[0.4, 0.6]] * 2,  # t = 0
        [[1.0, 0.0], [0.5, 0.5]],  # t = 1: after 1, END or 1 evenly
        [[1.0, 0.0], [0.9, 0.1]],  # t = 2: after 1, END at 0.9
    ]
    # sequences: [0] 0.4 (len 1); [1, 0] 0.3 (len 2); [1, 1, 0] 0.27 (len 3)
    log_short, log_mid, log_long = np.log(0.4), np.log(0.3), np.log(0.6 * 0.5 * 0.9)
    start = np.zeros(1, int)
    plain = beam_search(table_step(tables), (start,), start=1, end=END, beam_width=3, max_len=3)
    assert plain.lengths[0].tolist() == [1, 2, 3]
    assert np.allclose(plain.scores[0], [log_short, log_mid, log_long])
    # alpha = 1: mean log-probability per symbol: -0.916, -0.602, -0.436 -> longest first
    mean = beam_search(
        table_step(tables), (start,), start=1, end=END, beam_width=3, max_len=3, alpha=1.0
    )
    assert mean.lengths[0].tolist() == [3, 2, 1]
    assert np.allclose(mean.scores[0], [log_long, log_mid, log_short])  # raw sums reported
    # alpha = 0.5: -0.916, -0.851, -0.755 -> the same order as alpha = 1 here
    half = beam_search(
        table_step(tables), (start,), start=1, end=END, beam_width=3, max_len=3, alpha=0.5
    )
    hand = [log_short / 1**0.5, log_mid / 2**0.5, log_long / 3**0.5]
    assert np.argsort(hand)[::-1].tolist() == [2, 1, 0]
    assert half.lengths[0].tolist() == [3, 2, 1]


def test_state_arrays_are_reordered_with_their_hypotheses():
    """A second-order decoder: p(next) depends on the last symbol and, through the state, on
    the one before. Scores match the direct product only if the state follows its hypothesis."""
    rng = np.random.default_rng(5)
    V, max_len = 3, 4
    logits = 1.5 * rng.normal(size=(V, V, V))  # [symbol before last, last, next]
    log_p = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))

    def step(tokens, state):
        (before,) = state
        return log_p[before, tokens], (tokens.copy(),)

    def log_prob(symbols, start):
        before, last, total = start, start, 0.0
        for s in symbols:
            total += log_p[before, last, s]
            before, last = last, s
        return total

    results = beam_search(
        step, (np.array([1, 2]),), start=np.array([1, 2]), end=END, beam_width=4, max_len=max_len
    )
    for n, start in enumerate([1, 2]):
        sequences = [
            body + (END,)
            for k in range(max_len)
            for body in itertools.product(range(1, V), repeat=k)
        ]
        sequences += list(itertools.product(range(1, V), repeat=max_len))
        best = max(sequences, key=lambda s: log_prob(s, start))
        symbols = results.tokens[n, 0, : results.lengths[n, 0]].tolist()
        assert symbols == list(best)
        for b in range(4):
            symbols = results.tokens[n, b, : results.lengths[n, b]].tolist()
            assert results.scores[n, b] == pytest.approx(log_prob(symbols, start), abs=1e-12)


def test_leaves_inputs_unchanged_and_checks_arguments():
    step = constant_step([0.5, 0.5])
    h = np.zeros((2, 3))
    before = h.copy()
    beam_search(step, (h,), start=1, end=0, beam_width=2, max_len=3)
    assert np.array_equal(h, before)
    with pytest.raises(TypeError, match="state must be a tuple"):
        beam_search(step, h, start=1, end=0, beam_width=2, max_len=3)
    with pytest.raises(ValueError, match="beam_width must be a positive integer, got 0"):
        beam_search(step, (h,), start=1, end=0, beam_width=0, max_len=3)
    with pytest.raises(ValueError, match="max_len must be a positive integer"):
        beam_search(step, (h,), start=1, end=0, beam_width=1, max_len=0)
    with pytest.raises(ValueError, match=r"alpha must be a finite real number in \[0, inf\)"):
        beam_search(step, (h,), start=1, end=0, beam_width=1, max_len=2, alpha=-1.0)
    with pytest.raises(ValueError, match=r"state\[0\] has shape \(2, 3\) but start holds N=3"):
        beam_search(step, (h,), start=np.array([1, 1, 1]), end=0, beam_width=1, max_len=2)
    with pytest.raises(ValueError, match=r"end must be a symbol in \[0, 2\)"):
        beam_search(step, (h,), start=1, end=5, beam_width=1, max_len=2)
    with pytest.raises(ValueError, match=r"log_probs of shape \(N\*B, V\)"):
        beam_search(lambda t, s: (np.zeros(3), s), (h,), start=1, end=0, beam_width=1, max_len=2)
    with pytest.raises(TypeError, match="step must be callable"):
        beam_search(None, (h,), start=1, end=0, beam_width=1, max_len=2)


def test_exported_at_the_top_level():
    assert rt.beam_search is beam_search
    assert rt.BeamSearchResult is BeamSearchResult
