// Search results show a snippet of each page found. Sphinx takes it from the
// text of the page's [role="main"] element, which in this theme also holds the
// colour-mode menu ("System Settings Light Dark"), the code of hidden cells and
// the TeX that MathJax typesets only in the reader's browser (\(x_1\)).
// The snippet is taken from the text a reader sees: the article alone, hidden
// code left out, formulas written as plain text.
(() => {
  const CHROME = [
    ".headerlink", "script", "style", "nav", "footer",
    ".theme-switch-container", ".header-article-items", ".bd-header-article",
    ".prev-next-area", ".bd-sidebar-secondary", ".toggle-details", ".dropdown-menu",
    // hidden code: hide-input cells, removed inputs, copy buttons
    ".tag_hide-input .cell_input", ".tag_hide-cell", ".tag_remove-input .cell_input",
    "details.hide", "button",
  ];
  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", Delta: "Δ", epsilon: "ε",
    varepsilon: "ε", eta: "η", theta: "θ", lambda: "λ", mu: "μ", rho: "ρ",
    sigma: "σ", tau: "τ", phi: "φ", Phi: "Φ", omega: "ω", ell: "ℓ", odot: "⊙",
    cdot: "·", times: "×", top: "ᵀ", leq: "≤", geq: "≥", le: "≤", ge: "≥",
    approx: "≈", neq: "≠", to: "→", rightarrow: "→", leftarrow: "←", sum: "∑",
    prod: "∏", partial: "∂", infty: "∞", in: "∈", pm: "±", ldots: "…", dots: "…",
    cdots: "⋯", lVert: "‖", rVert: "‖", Vert: "‖", mid: "|", nabla: "∇",
  };

  // A formula as plain text: \(\sigma(x_t W)\) -> σ(x_t W)
  const plainMath = (tex) => tex
    .replace(/\\[()[\]]/g, "")
    .replace(/\\(?:begin|end)\{[^}]*\}/g, "")
    .replace(/\\\\|&/g, " ")
    .replace(/\\(?:left|right|big|Big|bigg|Bigg)\b\.?/g, "")
    .replace(/\\[dt]?frac\s*\{((?:[^{}]|\{[^{}]*\})*)\}\s*\{((?:[^{}]|\{[^{}]*\})*)\}/g,
      "($1)/($2)")
    .replace(/\\q?quad\b/g, " ")
    .replace(/\\(?:mathbf|mathrm|mathit|operatorname|text|boldsymbol|hat|tilde|bar)\s*/g, "")
    .replace(/\\([A-Za-z]+)/g, (m, name) => SYMBOLS[name] ?? name)
    .replace(/\\[,;:! ]/g, " ")
    .replace(/\^\{?ᵀ\}?/g, "ᵀ")
    .replace(/[{}]/g, "")
    .replace(/\s+/g, " ")
    .trim();

  const readerText = (element) => {
    element.querySelectorAll(CHROME.join(",")).forEach((el) => el.remove());
    element.querySelectorAll(".math").forEach((el) => {
      el.replaceWith(document.createTextNode(` ${plainMath(el.textContent)} `));
    });
    return element.textContent.replace(/\s+/g, " ");
  };

  const install = () => {
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      const article = doc.querySelector("article.bd-article") || doc.querySelector('[role="main"]');
      if (!article) return "";
      const part = anchor ? article.querySelector(anchor) || article : article;
      return readerText(part);
    };
  };
  // searchtools.js loads after this file; Search.init runs on DOMContentLoaded,
  // after this listener, and fetches the pages for their snippets only then.
  document.addEventListener("DOMContentLoaded", install);
})();
