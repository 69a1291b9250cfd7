// Keep the reader's place: carry the section anchor over to the other language.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.language-switch");
  if (link && window.location.hash) {
    link.href = link.href.split("#")[0] + window.location.hash;
  }
});

// Labels for screen readers that the theme and sphinx-togglebutton write in
// English whatever the page's language (their templates and scripts offer no
// translation); conf_common.INTERFACE translates the words they do offer.
const ARIA_LABELS = {
  "zh-CN": {
    "Main": "全书目录",
    "Page": "本页目录",
    "Toggle hidden content": "展开或收起",
  },
};
document.addEventListener("DOMContentLoaded", () => {
  // after sphinx-togglebutton, whose buttons are added on the same event
  setTimeout(() => {
    const labels = ARIA_LABELS[document.documentElement.lang];
    if (!labels) return;
    for (const el of document.querySelectorAll("[aria-label]")) {
      const label = labels[el.getAttribute("aria-label")];
      if (label) el.setAttribute("aria-label", label);
    }
  }, 0);
});
