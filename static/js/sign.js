// The country list is long: let people type to find theirs. Without JavaScript the plain
// select still works.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-searchable]").forEach((select) => {
    if (typeof TomSelect === "undefined") return;
    new TomSelect(select, { maxOptions: null, allowEmptyOption: false, create: false });
  });
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
});
