// Keep the reader's place: carry the section anchor over to the other language.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.language-switch");
  if (link && window.location.hash) {
    link.href = link.href.split("#")[0] + window.location.hash;
  }
});
