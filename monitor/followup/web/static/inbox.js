// The inbox's only script, a static file: the page's Content-Security-Policy allows no
// inline script. A button with data-copy="ID" copies the text of the field ID (the reply
// draft) and says so in the element data-status names; without script it stays hidden
// and the draft can be selected and copied by hand. A select with data-submit sends its
// form when changed (the language switch).
"use strict";

async function copyField(button) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.status);
  try {
    await navigator.clipboard.writeText(field.value);
  } catch (refused) {
    field.select();
    document.execCommand("copy");
  }
  status.textContent = button.dataset.done;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", () => copyField(button));
  }
  for (const select of document.querySelectorAll("select[data-submit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
